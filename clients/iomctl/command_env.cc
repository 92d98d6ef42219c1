#include "clients/iomctl/command_env.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"

namespace iomhub::iomctl {

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> NewCallContext(const CommandEnv& env) {
  return clients::MakeCallContext(env.identity, env.timeout);
}

int ReportRpcError(const CommandEnv& env, const grpc::Status& status) {
  const absl::Status converted = clients::FromGrpcStatus(status);
  *env.err << "iomctl: " << absl::StatusCodeToString(converted.code()) << ": "
           << converted.message() << std::endl;
  return kExitRpcError;
}

int ReportUsageError(const CommandEnv& env, absl::string_view message) {
  *env.err << "iomctl: " << message << std::endl;
  return kExitUsage;
}

void PrintJsonLine(const google::protobuf::Message& message, std::ostream& out) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;  // one object per line
  const auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    // Only possible for messages with unresolvable Any types, which the hub
    // contract does not use; keep the line structure anyway.
    json = absl::StrCat("{\"iomctlError\":\"cannot print ", message.GetTypeName(), "\"}");
  }
  out << json << '\n';
  out.flush();
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
