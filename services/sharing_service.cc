#include "services/sharing_service.h"

#include "absl/strings/str_cat.h"
#include "eventstore/event_peek.h"
#include "eventstore/event_types.h"
#include "eventstore/message_checks.h"
#include "services/admission.h"
#include "services/delivery_cursor.h"
#include "services/grpc_status.h"
#include "services/unary_call.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

using projections::sharing::AgreementSet;
using projections::sharing::LoadedAgreement;

v1::LoadedAgreement ToProto(const LoadedAgreement& la, absl::CivilDay today) {
  v1::LoadedAgreement out;
  *out.mutable_agreement() = la.agreement;
  out.set_file(la.file);
  out.set_file_sha256(la.file_sha256);
  out.set_in_force(AgreementSet::InForce(la.agreement, today));
  for (const std::string& w : la.warnings) out.add_warnings(w);
  return out;
}

// Who Explain is asked about: the caller itself, or (for hub administrators
// and auditors) any principal, with the role and purpose it would call with.
absl::StatusOr<v1::Actor> ExplainedRecipient(const HubContext& hub, const v1::Actor& caller,
                                             const v1::ExplainRequest& request) {
  if (request.system().empty() || request.system() == caller.system()) {
    v1::Actor self = caller;
    if (!request.purpose().empty()) self.set_purpose(request.purpose());
    if (!request.role().empty()) {
      absl::StatusOr<v1::Role> role = RoleFromName(request.role());
      if (!role.ok()) return role.status();
      self.set_role(*role);
    }
    return self;
  }
  if (caller.agency() != v1::AGENCY_KIND_HUB_ADMIN && caller.agency() != v1::AGENCY_KIND_AUDITOR) {
    return absl::PermissionDeniedError(
        "only hub administrators and auditors may ask about another recipient; leave system "
        "empty to ask about yourself");
  }
  std::optional<v1::Principal> principal = hub.auth().FindPrincipal(request.system());
  if (!principal.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no principal \"", request.system(), "\" in the principals file"));
  }
  if (request.purpose().empty()) {
    return absl::InvalidArgumentError("purpose: say the purpose the recipient would call with");
  }
  v1::Actor recipient;
  recipient.set_agency(principal->agency());
  recipient.set_organisation(principal->organisation());
  recipient.set_area(principal->area());
  recipient.set_system(principal->id());
  recipient.set_purpose(request.purpose());
  if (!request.role().empty()) {
    absl::StatusOr<v1::Role> role = RoleFromName(request.role());
    if (!role.ok()) return role.status();
    recipient.set_role(*role);
  }
  return recipient;
}

absl::Status FillExplanation(HubContext& hub, const v1::Actor& recipient, uint64_t position,
                             v1::ExplainResponse* response) {
  std::string bytes;
  absl::StatusOr<eventstore::ReadBatch> read =
      hub.log().VisitAll(position, 1, SIZE_MAX, 1, [&](uint64_t at, absl::string_view b) {
        if (at == position) bytes.assign(b.data(), b.size());
        return at == position;
      });
  if (!read.ok()) return read.status();
  if (bytes.empty()) return absl::NotFoundError(absl::StrCat("no event at position ", position));
  absl::StatusOr<eventstore::EventPeek> peek = eventstore::PeekEvent(bytes);
  if (!peek.ok()) return peek.status();
  DeliveryCursor cursor(recipient, hub.delivery());
  std::vector<std::string> why;
  absl::StatusOr<projections::sharing::Decision> decision = cursor.Explain(position, bytes, &why);
  if (!decision.ok()) return decision.status();
  *response->mutable_recipient() = recipient;
  response->set_position(position);
  response->set_stream(std::string(peek->stream));
  response->set_event_type(
      std::string(eventstore::EventTypes::Get().NameForField(peek->payload_field)));
  for (const std::string& line : cursor.plan().considered()) response->add_considered(line);
  for (const std::string& line : why) response->add_considered(line);
  response->set_purpose(recipient.purpose());
  if (!decision->delivered) {
    response->set_reason(why.empty() ? "not delivered"
                                     : absl::StrCat("not delivered: ", why.back()));
    return absl::OkStatus();
  }
  const projections::sharing::Rule& rule = *decision->rule;
  response->set_delivered(true);
  response->set_whole(rule.whole);
  for (const std::string& f : rule.kept_fields) response->add_fields(f);
  if (rule.agreement != nullptr) {
    const v1::Agreement& a = rule.agreement->agreement;
    response->set_agreement_id(a.id());
    response->set_agreement_version(a.version());
    response->set_data_item(rule.item->name());
    response->set_legal_gateway(a.legal_gateway());
  }
  response->set_reason(why.empty() ? "delivered" : why.back());
  return absl::OkStatus();
}

// What the caller may learn of an explanation. An explanation names the
// person's stream and the event type, and its reasons may state person
// facts (area, on IOM, consent): the auditor (the data protection officer)
// sees all of it; a hub administrator all but the person's stream (it reads
// no personal data); a partner asking about an event it does not receive
// learns only that, never what or whose the event is.
void RedactFor(const v1::Actor& caller, v1::ExplainResponse* response) {
  if (caller.agency() == v1::AGENCY_KIND_AUDITOR) return;
  if (caller.agency() == v1::AGENCY_KIND_HUB_ADMIN) {
    response->clear_stream();
    return;
  }
  if (response->delivered()) return;
  response->clear_stream();
  response->clear_event_type();
  response->clear_considered();
  response->set_reason(
      "not delivered to you: no agreement in force lets you receive this event (ask your "
      "information governance lead or the hub's auditor for the reason)");
}

}  // namespace

SharingServiceImpl::SharingServiceImpl(HubContext* hub) : hub_(hub) {}

grpc::ServerUnaryReactor* SharingServiceImpl::ListAgreements(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* raw_request,
                                                             grpc::ByteBuffer* raw_response) {
  v1::ListAgreementsRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kReadAgreements, "ListAgreements");
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  const absl::CivilDay today = projections::sharing::LondonDay(hub_->clock()->Now());
  v1::ListAgreementsResponse response;
  for (const LoadedAgreement& la : hub_->sharing().policy()->agreements().agreements()) {
    v1::LoadedAgreement out = ToProto(la, today);
    if (request.in_force_only() && !out.in_force()) continue;
    *response.add_agreements() = std::move(out);
  }
  response.set_agreements_dir(hub_->sharing().agreements_dir());
  const SharingConfig::Counters counters = hub_->sharing().counters();
  response.set_reloads_applied(counters.reloads_applied);
  response.set_reloads_refused(counters.reloads_refused);
  response.set_last_reload_error(counters.last_reload_error);
  *raw_response = ToByteBuffer(response);
  return FinishUnaryCall(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* SharingServiceImpl::GetAgreement(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* raw_request,
                                                           grpc::ByteBuffer* raw_response) {
  v1::GetAgreementRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kReadAgreements, "GetAgreement");
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  const absl::CivilDay today = projections::sharing::LondonDay(hub_->clock()->Now());
  const auto policy = hub_->sharing().policy();
  const LoadedAgreement* found = policy->agreements().Find(request.id(), request.version(), today);
  if (found == nullptr) {
    return FinishUnaryCall(
        context,
        absl::NotFoundError(absl::StrCat(
            "no agreement \"", request.id(), "\"",
            request.version() > 0 ? absl::StrCat(" version ", request.version()) : std::string())));
  }
  v1::GetAgreementResponse response;
  *response.mutable_agreement() = ToProto(*found, today);
  *raw_response = ToByteBuffer(response);
  return FinishUnaryCall(context, absl::OkStatus());
}

grpc::ServerUnaryReactor* SharingServiceImpl::Explain(grpc::CallbackServerContext* context,
                                                      const grpc::ByteBuffer* raw_request,
                                                      grpc::ByteBuffer* raw_response) {
  v1::ExplainRequest request;
  absl::StatusOr<v1::Actor> caller =
      OpenUnaryCall(*hub_, context, raw_request, &request, Operation::kExplain, "Explain");
  absl::StatusOr<v1::Actor> recipient =
      caller.ok() ? ExplainedRecipient(*hub_, *caller, request) : caller.status();
  if (recipient.ok() && request.position() == 0) {
    recipient = absl::InvalidArgumentError("position: say which event (log positions start at 1)");
  }
  if (!recipient.ok()) return FinishUnaryCall(context, recipient.status());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  hub_->executor().Schedule([hub = hub_, caller = *caller, recipient = *recipient,
                             position = request.position(), reactor, raw_response] {
    v1::ExplainResponse response;
    absl::Status status = FillExplanation(*hub, recipient, position, &response);
    if (status.ok()) {
      RedactFor(caller, &response);
      *raw_response = ToByteBuffer(response);
    }
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

}  // namespace iomhub::services
