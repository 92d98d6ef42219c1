#include "services/subscription_service.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "eventstore/append_validation.h"
#include "eventstore/message_checks.h"
#include "services/admission.h"
#include "services/event_service.h"
#include "services/grpc_status.h"
#include "services/read_reactor.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

constexpr absl::Duration kMinHeartbeat = absl::Milliseconds(100);

absl::Status ValidateRequest(const v1::SubscribeRequest& request) {
  IOMHUB_RETURN_IF_ERROR(eventstore::CheckFieldValues(request));
  IOMHUB_RETURN_IF_ERROR(ValidateEventTypes(request.event_types()));
  for (const auto& stream : request.streams()) {
    IOMHUB_RETURN_IF_ERROR(eventstore::ValidateStreamId(stream));
  }
  return absl::OkStatus();
}

}  // namespace

SubscriptionServiceImpl::SubscriptionServiceImpl(eventstore::EventStore* store,
                                                 const Authenticator* auth, ReadExecutor* executor,
                                                 HubMetrics* metrics,
                                                 absl::Duration default_heartbeat,
                                                 DeliveryDeps delivery, AuditTrail* audit)
    : store_(store),
      delivery_(delivery),
      auth_(auth),
      metrics_(metrics),
      default_heartbeat_(default_heartbeat),
      deps_{store, executor, metrics, &registry_, audit} {
  listener_id_ = store_->AddCommitListener(
      [this](uint64_t committed) { metrics_->SetHeadPosition(committed); });
}

SubscriptionServiceImpl::~SubscriptionServiceImpl() { store_->RemoveCommitListener(listener_id_); }

void SubscriptionServiceImpl::Shutdown(absl::Duration timeout) {
  registry_.StopAll(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                 "the hub is shutting down; resume from your last checkpoint"));
  registry_.WaitUntilEmpty(timeout);
}

grpc::ServerWriteReactor<grpc::ByteBuffer>* SubscriptionServiceImpl::Subscribe(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* raw_request) {
  v1::SubscribeRequest parsed;
  const v1::SubscribeRequest* request = &parsed;
  absl::StatusOr<v1::Actor> identity = AdmitCaller(*auth_, *context, Operation::kSubscribe);
  absl::Status allowed = identity.status();
  if (allowed.ok()) allowed = ParseByteBuffer(*raw_request, &parsed);
  if (allowed.ok()) allowed = ValidateRequest(*request);
  if (!allowed.ok()) {
    metrics_->RecordRejected("Subscribe", allowed.code());
    return RefusedReactor<grpc::ServerWriteReactor<grpc::ByteBuffer>>(allowed);
  }
  metrics_->RecordReadCall("Subscribe");
  uint64_t after = 0;
  switch (request->start_case()) {
    case v1::SubscribeRequest::kAfterPosition:
      after = request->after_position();
      break;
    case v1::SubscribeRequest::kFromStart:
      after = 0;
      break;
    case v1::SubscribeRequest::kFromNow:
    case v1::SubscribeRequest::START_NOT_SET:
      after = store_->CommittedPosition();
      break;
  }
  SubscriptionFilter filter;
  for (const auto& stream : request->streams()) {
    filter.streams.insert(eventstore::CanonicalStreamId(stream));
  }
  for (const auto& type : request->event_types()) {
    filter.payload_fields.insert(eventstore::PayloadFieldForType(type));
  }
  absl::Duration heartbeat = request->heartbeat_interval_ms() > 0
                                 ? absl::Milliseconds(request->heartbeat_interval_ms())
                                 : default_heartbeat_;
  heartbeat = std::max(heartbeat, kMinHeartbeat);
  v1::AuditChannel channel = ChannelOf(*context, "iomhub.v1.SubscriptionService/Subscribe");
  channel.set_subscription_id(NewUuid());
  auto* reactor = new SubscriptionReactor(deps_, after, std::move(filter), heartbeat,
                                          std::make_unique<DeliveryCursor>(*identity, delivery_),
                                          std::move(channel));
  reactor->Start();
  return reactor;
}

}  // namespace iomhub::services
