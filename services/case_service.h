// CaseService (iomhub.v1): live case views, cohort lists and identifier
// lookups over the hub's projections (projections/). Served raw: each method
// parses its own request (INVALID_ARGUMENT for a body that does not parse),
// waits for the views to reflect the request's min_position (view_query.h),
// then reads them on the ReadExecutor.
//
// Every answer passes the sharing policy through a DeliveryCursor: a case is
// the fold of the events of the person's stream the caller receives, trimmed
// as they would be sent, so a case view never shows what the log would not
// deliver. A person is found by an identifier only if that identifier
// reaches the caller. Cohort lists (every person of a team, with contact
// plans, enforcement and alerts) are for recipients that receive all of that
// whole: police and probation under the shipped agreements. A team's
// decisions board joins the decisions_board view with the case view.
#ifndef IOMHUB_SERVICES_CASE_SERVICE_H_
#define IOMHUB_SERVICES_CASE_SERVICE_H_

#include "iomhub/v1/case_service.grpc.pb.h"
#include "services/hub_context.h"

namespace iomhub::services {

class CaseServiceImpl final : public v1::CaseService::WithRawCallbackMethod_GetCase<
                                  v1::CaseService::WithRawCallbackMethod_ListCohort<
                                      v1::CaseService::WithRawCallbackMethod_FindPerson<
                                          v1::CaseService::WithRawCallbackMethod_GetDecisionsBoard<
                                              v1::CaseService::WithRawCallbackMethod_GetDashboard<
                                                  v1::CaseService::CallbackService>>>>> {
 public:
  // `hub` is not owned and must outlive the service.
  explicit CaseServiceImpl(HubContext* hub);

  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListCohort(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* FindPerson(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  // In case_service_board.cc.
  grpc::ServerUnaryReactor* GetDecisionsBoard(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;
  // In case_service_dashboard.cc.
  grpc::ServerUnaryReactor* GetDashboard(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;

 private:
  HubContext* const hub_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_CASE_SERVICE_H_
