#include "clients/adapters/probation_mapping.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "clients/adapters/json_fields.h"
#include "common/ids.h"

namespace iomhub::adapters {
namespace {

using google::protobuf::Struct;

Mapped Reject(std::string reason) { return Mapped::Reject(std::move(reason)); }
Mapped Skip(std::string reason) { return Mapped::Skip(std::move(reason)); }

// Identifiers of personReference, CRN first (probation's key), then NOMS.
std::vector<v1::IdentifierRef> Identifiers(const Struct& event) {
  std::vector<v1::IdentifierRef> crn;
  std::vector<v1::IdentifierRef> noms;
  const google::protobuf::Value* list = Field(event, "personReference.identifiers");
  if (list == nullptr || !list->has_list_value()) return crn;
  for (const google::protobuf::Value& item : list->list_value().values()) {
    if (!item.has_struct_value()) continue;
    std::optional<std::string> type = StringField(item.struct_value(), "type");
    std::optional<std::string> value = StringField(item.struct_value(), "value");
    if (!type.has_value() || !value.has_value()) continue;
    v1::IdentifierRef ref;
    ref.set_value(*value);
    // Some producers write "crn" in lower case.
    if (absl::EqualsIgnoreCase(*type, "CRN")) {
      ref.set_kind(v1::IDENTIFIER_KIND_CRN);
      crn.push_back(ref);
    } else if (absl::EqualsIgnoreCase(*type, "NOMS")) {
      ref.set_kind(v1::IDENTIFIER_KIND_NOMS);
      noms.push_back(ref);
    }
  }
  crn.insert(crn.end(), noms.begin(), noms.end());
  return crn;
}

std::string Info(const Struct& event, absl::string_view name) {
  return StringField(event, absl::StrCat("additionalInformation.", name)).value_or("");
}

// Registers the hub keeps (DOMAIN.md "Risk"): Delius register type codes.
std::optional<v1::Registration> Register(absl::string_view code) {
  if (code == "IIOM") return v1::REGISTRATION_IOM;
  if (code == "MAPP") return v1::REGISTRATION_MAPPA;
  if (code == "RHRH" || code == "RVHR") return v1::REGISTRATION_HIGH_RISK_OF_HARM;
  return std::nullopt;
}

// NOMIS movement reasons that mean a recall (licence revoked, recall from
// home detention curfew or from a detention and training order).
bool RecallMovement(absl::string_view code) { return code == "L" || code == "B" || code == "Y"; }

// Fills `event` for `type`; "" when mapped, else a skip reason starting
// "skip:" or a reject reason.
std::string Fill(const std::string& type, const Struct& e, const std::string& source_id,
                 HmppsAgency agency, v1::Event* event) {
  const bool prison = absl::StartsWith(type, "prison-offender-events.");
  if (prison != (agency == HmppsAgency::kPrison)) {
    return absl::StrCat("skip:", type, " is ", prison ? "prison's" : "probation's",
                        " to record (run the adapter as ", prison ? "prison" : "probation",
                        " with --agency=", prison ? "prison" : "probation", ")");
  }
  if (type == "probation-case.registration.added" ||
      type == "probation-case.registration.deregistered" ||
      type == "probation-case.registration.deleted") {
    const std::string code = Info(e, "registerTypeCode");
    if (code.empty()) return "registration without additionalInformation.registerTypeCode";
    std::optional<v1::Registration> registration = Register(code);
    if (!registration.has_value())
      return absl::StrCat("skip:register type ", code, " is not taken");
    auto* p = event->mutable_registration_changed();
    p->set_registration(*registration);
    p->set_added(type == "probation-case.registration.added");
    p->set_register_code(code);
  } else if (type == "probation-case.breach-notice.created") {
    // A breach notice is the formal warning letter: liable for 12 months.
    const std::string id = Info(e, "breachNoticeId");
    auto* p = event->mutable_warning_issued();
    p->set_reason(absl::StrCat("breach notice ", id.empty() ? source_id : id,
                               " issued in the probation system"));
    const absl::Time issued = absl::FromUnixSeconds(event->occurred_at().seconds());
    const absl::CivilSecond at = absl::ToCivilSecond(issued, absl::UTCTimeZone());
    const absl::Time until = absl::FromCivil(
        absl::CivilSecond(at.year() + 1, at.month(), at.day(), at.hour(), at.minute(), at.second()),
        absl::UTCTimeZone());
    p->mutable_liable_until()->set_seconds(absl::ToUnixSeconds(until));
  } else if (type == "enforcement.breach.raised") {
    auto* p = event->mutable_breach_consideration_opened();
    p->set_consideration_id(absl::StrCat("delius-breach-", source_id));
    p->set_trigger(v1::BREACH_TRIGGER_FAILURES_TO_COMPLY_LIMIT);
    p->set_summary("breach raised in the probation system");
  } else if (type == "probation-case.recall.added" || type == "enforcement.recall.raised") {
    auto* p = event->mutable_recall_requested();
    p->set_recall_id(absl::StrCat("delius-recall-", source_id));
    const std::string number = Info(e, "eventNumber");
    p->set_reason(number.empty() ? "recall recorded in the probation system"
                                 : absl::StrCat("recall recorded in the probation system (event ",
                                                number, ")"));
  } else if (type == "approved-premises.person.arrived" ||
             type == "accommodation.cas3.person.arrived") {
    // Arriving at approved premises, or at CAS3 transitional accommodation
    // on release: the event itself says which.
    event->mutable_accommodation_status_changed()->set_status(
        type == "approved-premises.person.arrived" ? v1::ACCOMMODATION_STATUS_APPROVED_PREMISES
                                                   : v1::ACCOMMODATION_STATUS_TEMPORARY);
  } else if (type == "approved-premises.person.departed" ||
             type == "accommodation.cas3.person.departed") {
    return absl::StrCat("skip:", type, " does not say where the person went");
  } else if (type == "prison-offender-events.prisoner.received") {
    const std::string reason = Info(e, "reason");
    if (reason != "ADMISSION")
      return absl::StrCat("skip:reception reason ", reason, " is not taken");
    auto* p = event->mutable_received_into_custody();
    p->set_establishment(Info(e, "prisonId"));
    p->set_reason(RecallMovement(Info(e, "nomisMovementReasonCode")) ? "recall" : "admission");
  } else if (type == "prison-offender-events.prisoner.released") {
    const std::string reason = Info(e, "reason");
    if (reason != "RELEASED") return absl::StrCat("skip:release reason ", reason, " is not taken");
    event->mutable_released_from_custody()->set_establishment(Info(e, "prisonId"));
  } else {
    return absl::StrCat("skip:event type ", type, " is not taken");
  }
  return "";
}

}  // namespace

Mapped MapHmppsMessage(absl::string_view json, HmppsAgency agency) {
  absl::StatusOr<Struct> outer = ParseJsonObject(json);
  if (!outer.ok()) return Reject("malformed JSON");
  Struct event = *outer;
  std::string source_id;
  if (StringField(*outer, "Type") == "Notification") {
    std::optional<std::string> id = StringField(*outer, "MessageId");
    std::optional<std::string> message = StringField(*outer, "Message");
    if (!id.has_value()) return Reject("SNS notification without MessageId");
    if (!message.has_value()) return Reject("SNS notification without Message");
    absl::StatusOr<Struct> inner = ParseJsonObject(*message);
    if (!inner.ok()) return Reject("SNS Message is not a JSON object");
    event = *std::move(inner);
    source_id = *id;
  } else {
    // No id of its own: the event's text names it (a replay is the same text).
    source_id = NameBasedUuid(kIomhubNamespace, json);
  }
  std::optional<std::string> type = StringField(event, "eventType");
  if (!type.has_value()) return Reject("no eventType");
  Mapped out = Mapped::Append(source_id);
  v1::Event hub_event;
  absl::StatusOr<google::protobuf::Timestamp> occurred = TimeField(event, "occurredAt");
  if (!occurred.ok()) return Reject(std::string(occurred.status().message()));
  *hub_event.mutable_occurred_at() = *occurred;
  const std::string problem = Fill(*type, event, source_id, agency, &hub_event);
  if (absl::StartsWith(problem, "skip:")) return Skip(problem.substr(5));
  if (!problem.empty()) return Reject(problem);
  out.identifiers = Identifiers(event);
  if (out.identifiers.empty()) return Reject("no CRN or NOMS in personReference.identifiers");
  out.events.push_back(std::move(hub_event));
  return out;
}

}  // namespace iomhub::adapters
