// Which agencies may call which hub operation, before any sharing agreement
// is consulted. Until the sharing-policy engine (projections/sharing/) filters
// per event, raw log reads are limited to the agencies that share the full IOM
// case (police, probation) and the hub's own administrators: no housing or
// health system may read the unfiltered log.
#ifndef IOMHUB_SERVICES_ACCESS_POLICY_H_
#define IOMHUB_SERVICES_ACCESS_POLICY_H_

#include "absl/status/status.h"
#include "services/auth.h"

namespace iomhub::services {

enum class Operation { kAppend, kReadLog, kSubscribe };

// OK or PERMISSION_DENIED naming the principal, agency and operation.
absl::Status CheckAccess(const CallIdentity& identity, Operation operation);

// Authenticates the caller and checks it may perform `operation`: the
// identity, or the status of the first check that failed.
absl::StatusOr<CallIdentity> AdmitCaller(const Authenticator& auth,
                                         const grpc::ServerContextBase& context,
                                         Operation operation);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_ACCESS_POLICY_H_
