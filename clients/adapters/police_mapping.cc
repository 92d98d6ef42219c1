#include "clients/adapters/police_mapping.h"

#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/adapters/json_fields.h"

namespace iomhub::adapters {
namespace {

using google::protobuf::Struct;

Mapped Reject(std::string reason) { return Mapped::Reject(std::move(reason)); }

// The members a message of each type may have besides the envelope's.
const std::map<std::string, std::set<std::string>>& Members() {
  static const auto* members = new std::map<std::string, std::set<std::string>>{
      {"arrest", {"custodyRef", "station"}},
      {"charge", {"chargeRef", "offenceCategory"}},
      {"warrant_issued", {"warrantRef", "warrantKind"}},
      {"warrant_executed", {"warrantRef"}},
      {"contact_scheduled", {"contactId", "mode", "scheduledFor"}},
      {"contact_outcome", {"contactId", "outcome", "absenceReason"}},
      {"intelligence_flag", {"intelligenceRef", "category"}},
  };
  return *members;
}

template <typename Enum>
bool ParseEnum(const std::optional<std::string>& text, const std::string& prefix,
               bool (*parse)(const std::string&, Enum*), Enum* out) {
  return text.has_value() && parse(prefix + absl::AsciiStrToUpper(*text), out);
}

// Fills `event` from `m` for `type`; the reason when a field is missing.
std::string Fill(const std::string& type, const Struct& m, v1::Event* event) {
  auto need = [&](const char* name) { return StringField(m, name); };
  if (type == "arrest") {
    auto ref = need("custodyRef");
    if (!ref) return "arrest without custodyRef";
    auto* p = event->mutable_arrest_recorded();
    p->set_custody_ref(*ref);
    p->set_station(need("station").value_or(""));
  } else if (type == "charge") {
    auto ref = need("chargeRef");
    auto category = need("offenceCategory");
    if (!ref || !category) return "charge without chargeRef or offenceCategory";
    event->mutable_charge_recorded()->set_charge_ref(*ref);
    event->mutable_charge_recorded()->set_offence_category(*category);
  } else if (type == "warrant_issued" || type == "warrant_executed") {
    auto ref = need("warrantRef");
    if (!ref) return absl::StrCat(type, " without warrantRef");
    if (type == "warrant_issued") {
      event->mutable_warrant_issued()->set_warrant_ref(*ref);
      event->mutable_warrant_issued()->set_warrant_kind(need("warrantKind").value_or(""));
    } else {
      event->mutable_warrant_executed()->set_warrant_ref(*ref);
    }
  } else if (type == "contact_scheduled") {
    auto id = need("contactId");
    v1::ContactMode mode;
    if (!id) return "contact_scheduled without contactId";
    if (!ParseEnum(need("mode"), "CONTACT_MODE_", &v1::ContactMode_Parse, &mode)) {
      return "contact_scheduled without a known mode";
    }
    absl::StatusOr<google::protobuf::Timestamp> when = TimeField(m, "scheduledFor");
    if (!when.ok()) return std::string(when.status().message());
    auto* p = event->mutable_contact_scheduled();
    p->set_contact_id(*id);
    p->set_mode(mode);
    *p->mutable_scheduled_for() = *when;
    p->set_lead_agency(v1::LEAD_AGENCY_POLICE);
  } else if (type == "contact_outcome") {
    auto id = need("contactId");
    v1::ContactOutcome outcome;
    if (!id) return "contact_outcome without contactId";
    if (!ParseEnum(need("outcome"), "CONTACT_OUTCOME_", &v1::ContactOutcome_Parse, &outcome)) {
      return "contact_outcome without a known outcome";
    }
    auto* p = event->mutable_contact_outcome_recorded();
    p->set_contact_id(*id);
    p->set_outcome(outcome);
    p->set_absence_reason(need("absenceReason").value_or(""));
  } else {  // intelligence_flag
    auto ref = need("intelligenceRef");
    auto category = need("category");
    if (!ref || !category) return "intelligence_flag without intelligenceRef or category";
    event->mutable_intelligence_flagged()->set_intelligence_ref(*ref);
    event->mutable_intelligence_flagged()->set_category(*category);
  }
  return "";
}

}  // namespace

Mapped MapPoliceMessage(absl::string_view json) {
  absl::StatusOr<Struct> m = ParseJsonObject(json);
  if (!m.ok()) return Reject("malformed JSON");
  const std::optional<std::string> id = StringField(*m, "messageId");
  const std::optional<std::string> type = StringField(*m, "type");
  if (!id.has_value()) return Reject("no messageId");
  if (!type.has_value()) return Reject("no type");
  auto members = Members().find(*type);
  if (members == Members().end()) {
    return Mapped::Skip(absl::StrCat("type ", *type, " is not taken"));
  }
  // Detail beyond the documented members (notably of intelligence) stays in
  // the force's system: a message carrying more is refused, not trimmed.
  std::vector<std::string> extra;
  for (const auto& [name, value] : m->fields()) {
    if (name != "messageId" && name != "type" && name != "occurredAt" && name != "person" &&
        !members->second.contains(name)) {
      extra.push_back(name);
    }
  }
  if (!extra.empty()) {
    return Reject(
        absl::StrCat("members a ", *type, " message may not carry: ", absl::StrJoin(extra, ", ")));
  }
  Mapped out = Mapped::Append(*id);
  if (auto pnc = StringField(*m, "person.pnc")) {
    v1::IdentifierRef ref;
    ref.set_kind(v1::IDENTIFIER_KIND_PNC);
    ref.set_value(*pnc);
    out.identifiers.push_back(ref);
  }
  if (auto niche = StringField(*m, "person.nicheId")) {
    v1::IdentifierRef ref;
    ref.set_kind(v1::IDENTIFIER_KIND_NICHE_NOMINAL);
    ref.set_value(*niche);
    out.identifiers.push_back(ref);
  }
  if (out.identifiers.empty()) return Reject("no person.pnc or person.nicheId");
  absl::StatusOr<google::protobuf::Timestamp> occurred = TimeField(*m, "occurredAt");
  if (!occurred.ok()) return Reject(std::string(occurred.status().message()));
  v1::Event event;
  *event.mutable_occurred_at() = *occurred;
  if (std::string missing = Fill(*type, *m, &event); !missing.empty()) return Reject(missing);
  out.events.push_back(std::move(event));
  return out;
}

}  // namespace iomhub::adapters
