#include "clients/iomctl/subscribe_command.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/subscription_cursor.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"

namespace iomhub::iomctl {

using clients::ReconnectBackoff;
using clients::SubscriptionCursor;
namespace {

// A subscription has no natural end, so a stream that ends, is cancelled by
// the hub (e.g. on shutdown) or loses its connection is resumed; any other
// code is the hub refusing the request and would only be refused again.
bool IsDisconnect(const grpc::Status& status) {
  return status.ok() || status.error_code() == grpc::StatusCode::UNAVAILABLE ||
         status.error_code() == grpc::StatusCode::CANCELLED;
}

std::string DescribeEnd(const grpc::Status& status) {
  if (status.ok()) return "the hub ended the stream";
  return absl::StrCat(absl::StatusCodeToString(clients::FromGrpcStatus(status).code()), ": ",
                      status.error_message());
}

}  // namespace

v1::SubscribeRequest MakeSubscribeRequest(const SubscribeOptions& options) {
  v1::SubscribeRequest request;
  if (options.after_position.has_value()) {
    request.set_after_position(*options.after_position);
  } else if (options.from_start) {
    request.set_from_start(true);
  } else {
    request.set_from_now(true);
  }
  for (const std::string& type : options.types) request.add_event_types(type);
  for (const std::string& stream : options.streams) request.add_streams(stream);
  request.set_heartbeat_interval_ms(options.heartbeat_interval_ms);
  return request;
}

int RunSubscribe(const CommandEnv& env, const SubscribeOptions& options) {
  auto stub = v1::SubscriptionService::NewStub(env.channel);
  SubscriptionCursor cursor(MakeSubscribeRequest(options));
  ReconnectBackoff backoff;
  uint64_t printed = 0;
  OutputTally output(env);
  for (;;) {
    // No deadline: the subscription lasts until we stop it.
    absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
        clients::MakeCallContext(env.identity, absl::ZeroDuration());
    if (!context.ok()) return ReportUsageError(env, context.status().message());
    std::unique_ptr<grpc::ClientReader<v1::SubscribeResponse>> reader =
        stub->Subscribe(context->get(), cursor.NextRequest());
    v1::SubscribeResponse response;
    while (reader->Read(&response)) {
      backoff.Reset();
      if (response.has_events()) {
        for (const v1::Event& event : response.events().events()) {
          output.Print(event);
          if (options.max_events != 0 && ++printed >= options.max_events) {
            (*context)->TryCancel();
            reader->Finish();  // the status is our own CANCELLED
            return output.ExitCode(kExitOk);
          }
        }
      } else if (response.has_heartbeat() && options.print_heartbeats) {
        output.Print(response);
      }
      cursor.Observe(response);
    }
    const grpc::Status status = reader->Finish();
    if (!IsDisconnect(status)) return ReportRpcError(env, status);
    if (!options.reconnect) {
      if (status.ok()) return output.ExitCode(kExitOk);
      return ReportRpcError(env, status);
    }
    const absl::Duration delay = backoff.Next();
    const std::optional<uint64_t> checkpoint = cursor.checkpoint();
    *env.err << "iomctl: subscription interrupted (" << DescribeEnd(status) << "); reconnecting in "
             << absl::FormatDuration(delay)
             << (checkpoint.has_value() ? absl::StrCat(" after position ", *checkpoint)
                                        : std::string(" from now"))
             << std::endl;
    absl::SleepFor(delay);
  }
}

}  // namespace iomhub::iomctl
