#include "clients/iomctl/command_env.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::iomctl {

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewCallContext(const CommandEnv& env) {
  return clients::MakeCallContext(env.identity, env.timeout);
}

int ReportRpcError(const CommandEnv& env, const grpc::Status& status) {
  const absl::Status converted = clients::FromGrpcStatus(status);
  const std::string& text = status.error_message();
  if (env.tls && status.error_code() == grpc::StatusCode::UNAVAILABLE &&
      (absl::StrContains(text, "Socket closed") || absl::StrContains(text, "andshake") ||
       absl::StrContains(text, "SSL") || absl::StrContains(text, "ssl"))) {
    *env.err
        << "iomctl: UNAVAILABLE: the hub refused the TLS handshake: check --cert and --key "
           "(a certificate the hub's client CA signed, and its own key) and --ca/--server_name "
           "for the hub's certificate (gRPC said: "
        << text << ")" << std::endl;
    return kExitRpcError;
  }
  *env.err << "iomctl: " << absl::StatusCodeToString(converted.code()) << ": "
           << converted.message() << std::endl;
  return kExitRpcError;
}

int ReportUsageError(const CommandEnv& env, absl::string_view message) {
  *env.err << "iomctl: " << message << std::endl;
  return kExitUsage;
}

absl::Status PrintJsonLine(const google::protobuf::Message& message, std::ostream& out) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;  // one object per line
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("cannot print ", message.GetTypeName(),
                                                   " as JSON: ", status.message().as_string()));
  }
  out << json << '\n';
  out.flush();
  return absl::OkStatus();
}

void OutputTally::Print(const google::protobuf::Message& message) {
  absl::Status printed = PrintJsonLine(message, *env_.out);
  if (printed.ok()) return;
  ++unprintable_;
  std::string where;
  if (const auto* event = dynamic_cast<const v1::Event*>(&message)) {
    where =
        absl::StrCat(" (event at position ", event->position(), ", id ", event->event_id(), ")");
  }
  *env_.err << "iomctl: " << printed.message() << where << std::endl;
}

int OutputTally::ExitCode(int code) const {
  if (code != kExitOk || unprintable_ == 0) return code;
  *env_.err << "iomctl: " << unprintable_ << " message(s) received could not be printed"
            << std::endl;
  return kExitRpcError;
}

std::vector<std::string> SplitList(absl::string_view text) {
  std::vector<std::string> items;
  for (absl::string_view item : absl::StrSplit(text, ',')) {
    item = absl::StripAsciiWhitespace(item);
    if (!item.empty()) items.emplace_back(item);
  }
  return items;
}

absl::StatusOr<uint64_t> ParseCount(absl::string_view flag_name, absl::string_view text) {
  uint64_t value = 0;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (trimmed.empty() || !absl::ascii_isdigit(trimmed[0]) || !absl::SimpleAtoi(trimmed, &value)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag_name, "=", text, ": want a non-negative whole number"));
  }
  return value;
}

}  // namespace iomhub::iomctl
