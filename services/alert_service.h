// AlertService (iomhub.v1): the alerts the IOM rules raise, per person or
// per team, and the rules with their parameters (alert_service.proto).
// Served raw like CaseService. An alert list passes the sharing policy as a
// case view does: a recipient whose agreements deliver alerts whole and
// unconditionally (police, probation) reads the case view's state; any
// other sees the alerts of the events its DeliveryCursor gives it (housing:
// accommodation and housing-referral alerts of its own area's people).
#ifndef IOMHUB_SERVICES_ALERT_SERVICE_H_
#define IOMHUB_SERVICES_ALERT_SERVICE_H_

#include "iomhub/v1/alert_service.grpc.pb.h"
#include "services/hub_context.h"

namespace iomhub::services {

class AlertServiceImpl final
    : public v1::AlertService::WithRawCallbackMethod_ListAlerts<
          v1::AlertService::WithRawCallbackMethod_ListAlertRules<
              v1::AlertService::CallbackService>> {
 public:
  // `hub` is not owned and must outlive the service.
  explicit AlertServiceImpl(HubContext* hub);

  grpc::ServerUnaryReactor* ListAlerts(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListAlertRules(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;

 private:
  HubContext* const hub_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_ALERT_SERVICE_H_
