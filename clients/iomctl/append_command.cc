#include "clients/iomctl/append_command.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "clients/iomctl/append_input.h"
#include "common/ids.h"
#include "iomhub/v1/event_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

absl::StatusOr<std::string> ReadInput(const std::string& file, std::istream& stdin_stream) {
  std::ostringstream text;
  if (file.empty() || file == "-") {
    text << stdin_stream.rdbuf();
    return text.str();
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read file \"", file, "\""));
  text << in.rdbuf();
  if (in.bad())
    return absl::InvalidArgumentError(absl::StrCat("error reading file \"", file, "\""));
  return text.str();
}

// The stream named by every event, if they all name the same one.
absl::StatusOr<std::string> StreamOfEvents(const v1::AppendRequest& request) {
  std::string stream;
  for (const v1::Event& event : request.events()) {
    if (event.stream().empty()) continue;
    if (!stream.empty() && event.stream() != stream) {
      return absl::InvalidArgumentError(absl::StrCat("the events name different streams (\"",
                                                     stream, "\", \"", event.stream(),
                                                     "\"): one append writes one stream"));
    }
    stream = event.stream();
  }
  if (stream.empty()) {
    return absl::InvalidArgumentError("--stream is required: the input names no stream");
  }
  return stream;
}

}  // namespace

int RunAppend(const CommandEnv& env, const AppendOptions& options, std::istream& stdin_stream) {
  absl::StatusOr<std::string> text = ReadInput(options.file, stdin_stream);
  if (!text.ok()) return ReportUsageError(env, text.status().message());
  const std::string source_name =
      options.file.empty() || options.file == "-" ? "<stdin>" : options.file;
  absl::StatusOr<v1::AppendRequest> request = ParseAppendInput(*text, source_name);
  if (!request.ok()) return ReportUsageError(env, request.status().message());

  if (!options.stream.empty()) {
    request->set_stream(options.stream);
  } else if (request->stream().empty()) {
    absl::StatusOr<std::string> stream = StreamOfEvents(*request);
    if (!stream.ok()) return ReportUsageError(env, stream.status().message());
    request->set_stream(*stream);
  }
  if (!options.expected.empty()) {
    absl::StatusOr<ExpectedVersion> expected = ParseExpectedVersion(options.expected);
    if (!expected.ok()) return ReportUsageError(env, expected.status().message());
    SetExpectedVersion(*expected, &*request);
  }
  for (int i = 0; i < request->events_size(); ++i) {
    v1::Event& event = *request->mutable_events(i);
    if (!event.event_id().empty()) continue;
    if (!options.generate_ids) {
      // Nothing sent: a retry must carry the same ids, so iomctl never
      // invents them unasked.
      return ReportUsageError(
          env, absl::StrCat("events[", i, "] has no eventId: set eventId (a ",
                            "UUID you keep, so a retry is safe), or pass ", "--generate_ids"));
    }
    event.set_event_id(NewUuid());
  }

  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewCallContext(env);
  if (!context.ok()) return ReportUsageError(env, context.status().message());
  auto stub = v1::EventService::NewStub(env.channel);
  v1::AppendResponse response;
  const grpc::Status status = stub->Append(context->get(), *request, &response);
  if (!status.ok()) return ReportRpcError(env, status);
  OutputTally output(env);
  output.Print(response);
  return output.ExitCode(kExitOk);
}

}  // namespace iomhub::iomctl
