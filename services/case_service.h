// CaseService (iomhub.v1): live case views, cohort lists and identifier
// lookups over the hub's projections (projections/). Served raw: each method
// parses its own request (INVALID_ARGUMENT for a body that does not parse),
// waits for the views to reflect the request's min_position (view_query.h),
// then reads them on the ReadExecutor. Until the sharing policy exists only
// police, probation and hub administrators are admitted (admission.h), and
// each sees only the identifier kinds its agency uses.
#ifndef IOMHUB_SERVICES_CASE_SERVICE_H_
#define IOMHUB_SERVICES_CASE_SERVICE_H_

#include "iomhub/v1/case_service.grpc.pb.h"
#include "services/hub_context.h"

namespace iomhub::services {

class CaseServiceImpl final
    : public v1::CaseService::WithRawCallbackMethod_GetCase<
          v1::CaseService::WithRawCallbackMethod_ListCohort<
              v1::CaseService::WithRawCallbackMethod_FindPerson<v1::CaseService::CallbackService>>> {
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

 private:
  HubContext* const hub_;
};

// The identifier kinds `agency` may use and see (DOMAIN.md: police PNC,
// Niche, CRN, NOMS; probation CRN, NOMS, PNC; prison NOMS; hub
// administrators all the shared kinds; the NHS number never).
bool AgencyUsesIdentifier(v1::AgencyKind agency, v1::IdentifierKind kind);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_CASE_SERVICE_H_
