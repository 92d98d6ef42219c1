#include "clients/iomctl/read_command.h"

#include "iomhub/v1/event_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

// Drains a ReadResponse stream, printing each event; returns the exit code.
int PrintEvents(const CommandEnv& env, grpc::ClientReader<v1::ReadResponse>& reader) {
  OutputTally output(env);
  v1::ReadResponse batch;
  while (reader.Read(&batch)) {
    for (const v1::Event& event : batch.events()) output.Print(event);
  }
  const grpc::Status status = reader.Finish();
  if (!status.ok()) return ReportRpcError(env, status);
  return output.ExitCode(kExitOk);
}

}  // namespace

int RunReadStream(const CommandEnv& env, const ReadStreamOptions& options) {
  v1::ReadStreamRequest request;
  request.set_stream(options.stream);
  request.set_from_version(options.from_version);
  request.set_from_end(options.from_end);
  request.set_direction(options.backwards || options.from_end ? v1::READ_DIRECTION_BACKWARDS
                                                              : v1::READ_DIRECTION_FORWARDS);
  request.set_limit(options.limit);

  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewCallContext(env);
  if (!context.ok()) return ReportUsageError(env, context.status().message());
  auto stub = v1::EventService::NewStub(env.channel);
  std::unique_ptr<grpc::ClientReader<v1::ReadResponse>> reader =
      stub->ReadStream(context->get(), request);
  return PrintEvents(env, *reader);
}

int RunReadAll(const CommandEnv& env, const ReadAllOptions& options) {
  v1::ReadAllRequest request;
  request.set_from_position(options.from_position);
  request.set_limit(options.limit);
  for (const std::string& type : options.types) request.add_event_types(type);

  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context = NewCallContext(env);
  if (!context.ok()) return ReportUsageError(env, context.status().message());
  auto stub = v1::EventService::NewStub(env.channel);
  std::unique_ptr<grpc::ClientReader<v1::ReadResponse>> reader =
      stub->ReadAll(context->get(), request);
  return PrintEvents(env, *reader);
}

}  // namespace iomhub::iomctl
