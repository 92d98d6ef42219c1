// SubscriptionService (iomhub.v1): catch-up then live delivery of the log.
// Owns the registry of open subscriptions; each subscription waits on the
// store's CommitWatermark for new events and for its next heartbeat.
#ifndef IOMHUB_SERVICES_SUBSCRIPTION_SERVICE_H_
#define IOMHUB_SERVICES_SUBSCRIPTION_SERVICE_H_

#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "services/auth.h"
#include "services/hub_metrics.h"
#include "services/read_executor.h"
#include "services/subscription_reactor.h"

namespace iomhub::services {

// Subscribe is served raw: deliveries forward stored event bytes.
class SubscriptionServiceImpl final
    : public v1::SubscriptionService::WithRawCallbackMethod_Subscribe<
          v1::SubscriptionService::CallbackService> {
 public:
  // Pointers are not owned and must outlive the service.
  SubscriptionServiceImpl(eventstore::EventStore* store, const Authenticator* auth,
                          ReadExecutor* executor, HubMetrics* metrics,
                          absl::Duration default_heartbeat, DeliveryDeps delivery,
                          AuditTrail* audit);
  ~SubscriptionServiceImpl() override;

  // Request: a serialized SubscribeRequest; responses: serialized
  // SubscribeResponse messages.
  grpc::ServerWriteReactor<grpc::ByteBuffer>* Subscribe(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request) override;

  // Ends every open subscription with UNAVAILABLE (clients resume elsewhere
  // or later) and refuses new ones; waits up to `timeout` for them to close.
  void Shutdown(absl::Duration timeout);

 private:
  eventstore::EventStore* const store_;
  const DeliveryDeps delivery_;
  const Authenticator* const auth_;
  HubMetrics* const metrics_;
  const absl::Duration default_heartbeat_;
  SubscriptionRegistry registry_;
  SubscriptionDeps deps_;
  uint64_t listener_id_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_SUBSCRIPTION_SERVICE_H_
