// Admission: which agency may call which hub operation at all, before the
// sharing policy (projections/sharing/) decides, event by event, what it
// receives. Partner agencies (police, probation, housing, health, prison,
// employment) may append, read, subscribe and query — each filtered by the
// policy. Hub administrators operate the hub (views, rebuilds) and read no
// personal data: the log gives them hub records only. The auditor reads no
// event log; only the auditor reads the audit log.
#ifndef IOMHUB_SERVICES_ADMISSION_H_
#define IOMHUB_SERVICES_ADMISSION_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "iomhub/v1/actor.pb.h"
#include "services/auth.h"

namespace iomhub::services {

enum class Operation {
  kAppend,             // EventService.Append
  kReadLog,            // EventService.ReadStream / ReadAll
  kSubscribe,          // SubscriptionService.Subscribe
  kQueryCases,         // CaseService: case views, cohort lists, identifier lookups
  kReadViewStatus,     // AdminService.ListViews: checkpoints and states, no personal data
  kAdministerViews,    // AdminService.RebuildView
  kAdministerStorage,  // AdminService.BackupStorage / VerifyStorage
  kReadAgreements,     // SharingService.ListAgreements / GetAgreement: no personal data
  kExplain,            // SharingService.Explain: names fields and agreements, never content
  kReadRules,          // AlertService.ListAlertRules: the rules' configuration, no personal data
  kDecide,             // DecisionService: the joint breach decision (police and probation)
  kReadAudit,          // AuditService: the disclosure audit (the auditor only)
  kReadAggregates,     // CaseService.GetDashboard: counts, never a person
};

// OK or PERMISSION_DENIED naming the system, agency and operation.
absl::Status CheckAdmission(const v1::Actor& actor, Operation operation);

// Authenticates the caller and checks it may perform `operation`: the actor,
// or the status of the first check that failed.
absl::StatusOr<v1::Actor> AdmitCaller(const Authenticator& auth,
                                      const grpc::ServerContextBase& context, Operation operation);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_ADMISSION_H_
