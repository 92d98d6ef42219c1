// AuditService (iomhub.v1): the disclosure audit, for the auditor role only
// (every other caller: PERMISSION_DENIED). Each read of the audit log is
// itself recorded (CONSULT by the auditor, naming the person asked about)
// before its answer is sent. Nothing here can change or delete a record.
// Queries run on the ReadExecutor, never on a gRPC thread.
#ifndef IOMHUB_SERVICES_AUDIT_SERVICE_H_
#define IOMHUB_SERVICES_AUDIT_SERVICE_H_

#include "iomhub/v1/audit_service.grpc.pb.h"
#include "services/hub_context.h"

namespace iomhub::services {

class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  // `hub` is not owned and must outlive the service.
  explicit AuditServiceImpl(HubContext* hub);

  grpc::ServerUnaryReactor* GetAuditInfo(grpc::CallbackServerContext* context,
                                         const v1::GetAuditInfoRequest* request,
                                         v1::GetAuditInfoResponse* response) override;
  grpc::ServerWriteReactor<v1::QueryAuditResponse>* QueryAudit(
      grpc::CallbackServerContext* context, const v1::QueryAuditRequest* request) override;
  grpc::ServerUnaryReactor* SubjectAccessReport(grpc::CallbackServerContext* context,
                                                const v1::SubjectAccessReportRequest* request,
                                                v1::SubjectAccessReportResponse* response) override;
  grpc::ServerUnaryReactor* DisclosureSummary(grpc::CallbackServerContext* context,
                                              const v1::DisclosureSummaryRequest* request,
                                              v1::DisclosureSummaryResponse* response) override;
  grpc::ServerWriteReactor<v1::ReadChainResponse>* ReadChain(
      grpc::CallbackServerContext* context, const v1::ReadChainRequest* request) override;

 private:
  // The auditor, or why not (counted as a refusal of `method`).
  absl::StatusOr<v1::Actor> Admit(grpc::CallbackServerContext* context, const char* method);
  // Admits the auditor, computes the answer on the executor, records the
  // read (person, note) and only then finishes the call with the answer.
  template <typename Response, typename Compute, typename Describe>
  grpc::ServerUnaryReactor* AnswerRead(grpc::CallbackServerContext* context, const char* method,
                                       Response* response, Compute compute, Describe describe);
  // Records the auditor's read before its answer leaves.
  absl::Status RecordRead(const v1::Actor& auditor, const v1::AuditChannel& channel,
                          const std::string& person, std::string note);

  HubContext* const hub_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_AUDIT_SERVICE_H_
