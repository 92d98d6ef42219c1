#include "services/admission.h"

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "eventstore/error_info.h"

namespace iomhub::services {
namespace {

const char* OperationName(Operation op) {
  switch (op) {
    case Operation::kAppend:
      return "append events";
    case Operation::kReadLog:
      return "read the event log";
    case Operation::kSubscribe:
      return "subscribe to the event log";
    case Operation::kQueryCases:
      return "query case views";
    case Operation::kReadViewStatus:
      return "read the status of the views";
    case Operation::kAdministerViews:
      return "rebuild views";
    case Operation::kAdministerStorage:
      return "back up or verify the store";
    case Operation::kReadAgreements:
      return "read the sharing agreements";
    case Operation::kExplain:
      return "ask why an event was or was not delivered";
    case Operation::kReadRules:
      return "read the alert rules";
    case Operation::kDecide:
      return "take part in joint breach decisions";
    case Operation::kReadAudit:
      return "read the audit log (the auditor role only)";
    case Operation::kReadAggregates:
      return "read the dashboard's aggregates";
  }
  return "?";
}

bool IsPartner(v1::AgencyKind agency) {
  switch (agency) {
    case v1::AGENCY_KIND_POLICE:
    case v1::AGENCY_KIND_PROBATION:
    case v1::AGENCY_KIND_HOUSING:
    case v1::AGENCY_KIND_HEALTH:
    case v1::AGENCY_KIND_PRISON:
    case v1::AGENCY_KIND_EMPLOYMENT:
      return true;
    default:
      return false;
  }
}

bool Allowed(v1::AgencyKind agency, Operation op) {
  switch (op) {
    case Operation::kAppend:
    case Operation::kQueryCases:
      return IsPartner(agency);
    case Operation::kReadLog:
    case Operation::kSubscribe:
      // Hub administrators are admitted, and the policy gives them hub
      // records only; the auditor reads the audit log, never the event log.
      return IsPartner(agency) || agency == v1::AGENCY_KIND_HUB_ADMIN;
    case Operation::kReadViewStatus:
      return agency == v1::AGENCY_KIND_POLICE || agency == v1::AGENCY_KIND_PROBATION ||
             agency == v1::AGENCY_KIND_HUB_ADMIN;
    case Operation::kDecide:
      return agency == v1::AGENCY_KIND_POLICE || agency == v1::AGENCY_KIND_PROBATION;
    case Operation::kAdministerViews:
    case Operation::kAdministerStorage:
      return agency == v1::AGENCY_KIND_HUB_ADMIN;
    case Operation::kReadAudit:
      return agency == v1::AGENCY_KIND_AUDITOR;
    case Operation::kReadAggregates:
      // The parties to the aggregates-only agreement: the dashboard, police,
      // probation, and hub administrators (counts are not personal data).
      return agency == v1::AGENCY_KIND_DASHBOARD || agency == v1::AGENCY_KIND_POLICE ||
             agency == v1::AGENCY_KIND_PROBATION || agency == v1::AGENCY_KIND_HUB_ADMIN;
    case Operation::kReadAgreements:
    case Operation::kExplain:
    case Operation::kReadRules:
      return agency != v1::AGENCY_KIND_UNSPECIFIED;
  }
  return false;
}

}  // namespace

absl::Status CheckAdmission(const v1::Actor& actor, Operation operation) {
  if (Allowed(actor.agency(), operation)) return absl::OkStatus();
  return WithErrorInfo(
      absl::PermissionDeniedError(absl::StrCat("principal ", actor.system(), " (",
                                               v1::AgencyKind_Name(actor.agency()), ") may not ",
                                               OperationName(operation))),
      "OPERATION_NOT_ALLOWED",
      {{"principal", actor.system()}, {"agency", v1::AgencyKind_Name(actor.agency())}});
}

absl::StatusOr<v1::Actor> AdmitCaller(const Authenticator& auth,
                                      const grpc::ServerContextBase& context, Operation operation) {
  absl::StatusOr<v1::Actor> actor = auth.Authenticate(context);
  if (!actor.ok()) return actor.status();
  absl::Status allowed = CheckAdmission(*actor, operation);
  if (!allowed.ok()) {
    // A refused attempt: nothing was disclosed, so no audit record; the
    // caller counts it (iomhub_rejected_calls_total) and the log says who.
    LogLine(absl::StrCat("refused: ", actor->system(), " (user ", actor->user_id(), ", role ",
                         v1::Role_Name(actor->role()), ", purpose ", actor->purpose(), ") from ",
                         context.peer(), ": ", allowed.message()));
    return allowed;
  }
  return actor;
}

}  // namespace iomhub::services
