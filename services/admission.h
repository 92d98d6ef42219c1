// Admission: which agency may call which hub operation at all, before any
// sharing agreement is consulted for what it may receive. Until the sharing
// policy (projections/sharing/) filters per event, reading the raw log and
// querying case views are limited to the agencies that share the full IOM
// case (police, probation) and the hub's administrators; no housing or
// health system may read the unfiltered log.
#ifndef IOMHUB_SERVICES_ADMISSION_H_
#define IOMHUB_SERVICES_ADMISSION_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "iomhub/v1/actor.pb.h"
#include "services/auth.h"

namespace iomhub::services {

enum class Operation {
  kAppend,           // EventService.Append
  kReadLog,          // EventService.ReadStream / ReadAll
  kSubscribe,        // SubscriptionService.Subscribe
  kQueryCases,       // CaseService: case views, cohort lists, identifier lookups
  kReadViewStatus,   // AdminService.ListViews: checkpoints and states, no personal data
  kAdministerViews,  // AdminService.RebuildView
};

// OK or PERMISSION_DENIED naming the system, agency and operation.
absl::Status CheckAdmission(const v1::Actor& actor, Operation operation);

// Authenticates the caller and checks it may perform `operation`: the actor,
// or the status of the first check that failed.
absl::StatusOr<v1::Actor> AdmitCaller(const Authenticator& auth,
                                      const grpc::ServerContextBase& context,
                                      Operation operation);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_ADMISSION_H_
