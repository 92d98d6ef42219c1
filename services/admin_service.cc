#include "services/admin_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/admission.h"
#include "services/grpc_status.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

v1::ViewState::State ToProto(projections::ViewStatus::State state) {
  switch (state) {
    case projections::ViewStatus::State::kCatchingUp:
      return v1::ViewState::STATE_CATCHING_UP;
    case projections::ViewStatus::State::kLive:
      return v1::ViewState::STATE_LIVE;
    case projections::ViewStatus::State::kFailed:
      return v1::ViewState::STATE_FAILED;
  }
  return v1::ViewState::STATE_UNSPECIFIED;
}

// Seconds since the first event a view does not reflect was recorded.
double LagSeconds(eventstore::EventStore& log, uint64_t checkpoint, absl::Time now) {
  if (checkpoint >= log.CommittedPosition()) return 0;
  absl::StatusOr<eventstore::ReadBatch> next = log.ReadAll(checkpoint + 1, 1);
  if (!next.ok() || next->events.empty()) return 0;
  const auto& at = next->events[0].recorded_at();
  return absl::ToDoubleSeconds(now - (absl::FromUnixSeconds(at.seconds()) +
                                      absl::Nanoseconds(at.nanos())));
}

}  // namespace

AdminServiceImpl::AdminServiceImpl(HubContext* hub) : hub_(hub) {}

grpc::ServerUnaryReactor* AdminServiceImpl::ListViews(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* raw_request,
                                                      grpc::ByteBuffer* raw_response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::ListViewsRequest request;
  absl::Status allowed = AdmitCaller(hub_->auth(), *context, Operation::kReadViewStatus).status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &request);
  if (!allowed.ok()) {
    hub_->metrics().RecordRejected("ListViews", allowed.code());
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  hub_->executor().Schedule([hub = hub_, request, reactor, raw_response] {
    v1::ListViewsResponse response;
    const uint64_t head = hub->log().CommittedPosition();
    const absl::Time now = absl::Now();
    for (const projections::ViewStatus& status : hub->runner().Statuses()) {
      v1::ViewState* view = response.add_views();
      view->set_name(status.name);
      view->set_state(ToProto(status.state));
      view->set_checkpoint(status.checkpoint);
      view->set_head_position(head);
      view->set_lag_events(head > status.checkpoint ? head - status.checkpoint : 0);
      view->set_lag_seconds(LagSeconds(hub->log(), status.checkpoint, now));
      view->set_generation(status.generation);
      view->set_failed_position(status.failed_position);
      view->set_failure(status.failure);
      view->set_rebuilding(status.rebuilding);
      view->set_rebuild_checkpoint(status.rebuild_checkpoint);
      view->set_last_rebuild(status.last_rebuild);
      if (request.with_digests()) {
        absl::StatusOr<std::string> digest = hub->runner().Digest(status.name);
        if (!digest.ok()) return reactor->Finish(ToGrpcStatus(digest.status()));
        view->set_digest(*digest);
      }
    }
    *raw_response = ToByteBuffer(response);
    reactor->Finish(grpc::Status::OK);
  });
  return reactor;
}

grpc::ServerUnaryReactor* AdminServiceImpl::RebuildView(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* raw_request,
                                                        grpc::ByteBuffer* raw_response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  v1::RebuildViewRequest request;
  absl::Status allowed = AdmitCaller(hub_->auth(), *context, Operation::kAdministerViews).status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &request);
  if (allowed.ok()) allowed = hub_->runner().Rebuild(request.view());
  if (!allowed.ok()) {
    hub_->metrics().RecordRejected("RebuildView", allowed.code());
    reactor->Finish(ToGrpcStatus(allowed));
    return reactor;
  }
  absl::StatusOr<projections::ViewStatus> status = hub_->runner().Status(request.view());
  v1::RebuildViewResponse response;
  if (status.ok()) response.set_generation(status->generation + 1);
  *raw_response = ToByteBuffer(response);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace iomhub::services
