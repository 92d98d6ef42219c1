#include "services/admission.h"

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
    case Operation::kQueryCases:
      return "query case views";
    case Operation::kReadViewStatus:
      return "read the status of the views";
    case Operation::kAdministerViews:
      return "rebuild views";
  }
  return "?";
}

bool SharesFullCase(v1::AgencyKind agency) {
  return agency == v1::AGENCY_KIND_POLICE || agency == v1::AGENCY_KIND_PROBATION ||
         agency == v1::AGENCY_KIND_HUB_ADMIN;
}

bool Allowed(v1::AgencyKind agency, Operation op) {
  switch (op) {
    case Operation::kAppend:
      return agency != v1::AGENCY_KIND_AUDITOR && agency != v1::AGENCY_KIND_UNSPECIFIED;
    case Operation::kReadLog:
    case Operation::kSubscribe:
    case Operation::kQueryCases:
      return SharesFullCase(agency);
    case Operation::kReadViewStatus:
      return SharesFullCase(agency);
    case Operation::kAdministerViews:
      return agency == v1::AGENCY_KIND_HUB_ADMIN;
  }
  return false;
}

}  // namespace

absl::Status CheckAdmission(const v1::Actor& actor, Operation operation) {
  if (Allowed(actor.agency(), operation)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat("principal ", actor.system(), " (",
                                                  v1::AgencyKind_Name(actor.agency()),
                                                  ") may not ", OperationName(operation)));
}

absl::StatusOr<v1::Actor> AdmitCaller(const Authenticator& auth,
                                      const grpc::ServerContextBase& context,
                                      Operation operation) {
  absl::StatusOr<v1::Actor> actor = auth.Authenticate(context);
  if (!actor.ok()) return actor.status();
  absl::Status allowed = CheckAdmission(*actor, operation);
  if (!allowed.ok()) return allowed;
  return actor;
}

}  // namespace iomhub::services
