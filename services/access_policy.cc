#include "services/access_policy.h"

#include "absl/strings/str_cat.h"

namespace iomhub::services {
namespace {

const char* OperationName(Operation op) {
  switch (op) {
    case Operation::kAppend:
      return "append events";
    case Operation::kReadLog:
      return "read the unfiltered log";
    case Operation::kSubscribe:
      return "subscribe to the unfiltered log";
  }
  return "?";
}

bool Allowed(v1::AgencyKind agency, Operation op) {
  switch (agency) {
    case v1::AGENCY_KIND_POLICE:
    case v1::AGENCY_KIND_PROBATION:
    case v1::AGENCY_KIND_HUB_ADMIN:
      return true;
    case v1::AGENCY_KIND_HOUSING:
    case v1::AGENCY_KIND_HEALTH:
    case v1::AGENCY_KIND_PRISON:
    case v1::AGENCY_KIND_EMPLOYMENT:
      return op == Operation::kAppend;
    default:  // auditors read the audit log only
      return false;
  }
}

}  // namespace

absl::Status CheckAccess(const CallIdentity& identity, Operation operation) {
  if (Allowed(identity.principal.agency(), operation)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "principal ", identity.principal.id(), " (", v1::AgencyKind_Name(identity.principal.agency()),
      ") may not ", OperationName(operation)));
}

absl::StatusOr<CallIdentity> AdmitCaller(const Authenticator& auth,
                                         const grpc::ServerContextBase& context,
                                         Operation operation) {
  absl::StatusOr<CallIdentity> identity = auth.Authenticate(context);
  if (!identity.ok()) return identity.status();
  absl::Status allowed = CheckAccess(*identity, operation);
  if (!allowed.ok()) return allowed;
  return identity;
}

}  // namespace iomhub::services
