#include "projections/sharing/producer_table.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status_macros.h"
#include "eventstore/event_types.h"
#include "projections/enum_words.h"
#include "projections/text_locations.h"

namespace iomhub::projections::sharing {
namespace {

// "a", "a or b", "a, b or c".
std::string OneOf(const std::vector<std::string>& names) {
  if (names.size() < 2) return absl::StrJoin(names, "");
  return absl::StrCat(absl::StrJoin(names.begin(), names.end() - 1, ", "), " or ", names.back());
}

template <typename Container, typename Value>
bool Contains(const Container& container, const Value& value) {
  return std::find(container.begin(), container.end(), value) != container.end();
}

bool Produces(int agency) {
  return v1::AgencyKind_IsValid(agency) && agency != v1::AGENCY_KIND_UNSPECIFIED &&
         agency != v1::AGENCY_KIND_HUB_ADMIN && agency != v1::AGENCY_KIND_AUDITOR;
}

// The hub's own records: it writes the agreements stream, and its alert
// rules raise and resolve alerts. A producer claiming them would forge them.
bool IsHubRecord(absl::string_view type) {
  return type == "AgreementChanged" || type == "AlertRaised" || type == "AlertResolved";
}

// A rule's condition and the one event type it narrows.
struct Condition {
  std::string field;  // of v1::ProducerRule
  std::string type;
};

const std::vector<Condition>& Conditions() {
  static const auto* conditions = new std::vector<Condition>{
      {"only_contacts_it_leads", "ContactScheduled"},
      {"only_services", "TreatmentEngagementChanged"},
      {"only_consents_for_itself", "ConsentRecorded"},
      {"only_identifier_kinds", "IdentifierLinked"},
  };
  return *conditions;
}

bool IsSet(const google::protobuf::Message& message, const std::string& field) {
  const auto* descriptor = message.GetDescriptor()->FindFieldByName(field);
  const auto* reflection = message.GetReflection();
  return descriptor->is_repeated() ? reflection->FieldSize(message, descriptor) > 0
                                   : reflection->HasField(message, descriptor);
}

void CheckRule(const TextLocations& text, const TextMessage& at, const v1::ProducerRule& rule,
               const std::string& subject, std::vector<std::string>* errors) {
  const auto error = [&](const std::string& where, absl::string_view message) {
    errors->push_back(absl::StrCat(where, ": ", subject, ": ", message));
  };
  if (!Produces(rule.agency())) {
    error(text.Where(at, "agency"),
          "agency must be one that produces events (not UNSPECIFIED, HUB_ADMIN or AUDITOR)");
  }
  if (rule.event_types().empty()) error(at.where, "event_types is required");
  for (int j = 0; j < rule.event_types_size(); ++j) {
    const std::string& type = rule.event_types(j);
    if (IsHubRecord(type)) {
      error(text.Where(at, "event_types", j),
            absl::StrCat(type, " is appended by the hub itself, never by a producer"));
    } else if (eventstore::EventTypes::Get().FieldForName(type) == 0) {
      error(text.Where(at, "event_types", j), absl::StrCat("unknown event type \"", type, "\""));
    }
  }
  for (int j = 0; j < rule.roles_size(); ++j) {
    if (!v1::Role_IsValid(rule.roles(j)) || rule.roles(j) == v1::ROLE_UNSPECIFIED) {
      error(text.Where(at, "roles", j), absl::StrCat(rule.roles(j), " is not a role"));
    }
  }
  // Check applies a rule's conditions to every type it lists, and on another
  // type they would read a payload that is not there: refuse that here.
  for (const Condition& condition : Conditions()) {
    if (!IsSet(rule, condition.field)) continue;
    std::vector<std::string> others;
    for (const std::string& type : rule.event_types()) {
      if (type != condition.type) others.push_back(type);
    }
    if (!others.empty()) {
      error(text.Where(at, condition.field),
            absl::StrCat(condition.field, " applies only to ", condition.type, ", not to ",
                         absl::StrJoin(others, ", ")));
    }
  }
}

// Who leads a contact, as ContactScheduled carries it.
struct ContactLead {
  v1::LeadAgency lead_agency;
  v1::AgencyKind led_by;  // with LEAD_AGENCY_PARTNER only

  bool operator==(const ContactLead& other) const {
    return lead_agency == other.lead_agency &&
           (lead_agency != v1::LEAD_AGENCY_PARTNER || led_by == other.led_by);
  }
  std::string ToString() const {
    if (lead_agency != v1::LEAD_AGENCY_PARTNER) {
      return absl::StrCat("lead_agency ", v1::LeadAgency_Name(lead_agency));
    }
    return absl::StrCat("lead_agency LEAD_AGENCY_PARTNER, led_by ", v1::AgencyKind_Name(led_by));
  }
};

ContactLead LeadOf(v1::AgencyKind agency) {
  switch (agency) {
    case v1::AGENCY_KIND_POLICE:
      return {v1::LEAD_AGENCY_POLICE, v1::AGENCY_KIND_UNSPECIFIED};
    case v1::AGENCY_KIND_PROBATION:
      return {v1::LEAD_AGENCY_PROBATION, v1::AGENCY_KIND_UNSPECIFIED};
    default:
      return {v1::LEAD_AGENCY_PARTNER, agency};
  }
}

// Why `rule` does not let `producer` append `event` of `type`; "" if it does.
std::string Refusal(const v1::ProducerRule& rule, const v1::Actor& producer, const v1::Event& event,
                    absl::string_view type) {
  const std::string agency = AgencyName(producer.agency());
  if (!rule.roles().empty() && !Contains(rule.roles(), producer.role())) {
    std::vector<std::string> roles;
    for (int role : rule.roles()) roles.push_back(RoleName(role));
    return absl::StrCat(type, " by ", agency, " needs role ", OneOf(roles),
                        "; the caller asserted ", RoleName(producer.role()));
  }
  if (rule.only_contacts_it_leads()) {
    const ContactLead wanted = LeadOf(producer.agency());
    const ContactLead actual{event.contact_scheduled().lead_agency(),
                             event.contact_scheduled().led_by()};
    if (!(actual == wanted)) {
      return absl::StrCat(agency, " may produce ContactScheduled only for contacts it leads (",
                          wanted.ToString(), "); this one has ", actual.ToString());
    }
  }
  if (!rule.only_services().empty() &&
      !Contains(rule.only_services(), event.treatment_engagement_changed().service())) {
    std::vector<std::string> services;
    for (int service : rule.only_services()) services.push_back(v1::ServiceKind_Name(service));
    return absl::StrCat(agency, " may produce TreatmentEngagementChanged only for services ",
                        OneOf(services), "; this one is for ",
                        v1::ServiceKind_Name(event.treatment_engagement_changed().service()));
  }
  if (rule.only_consents_for_itself() && event.consent_recorded().agency() != producer.agency()) {
    return absl::StrCat(agency, " may produce ConsentRecorded only for consents to share with ",
                        agency, " (agency ", v1::AgencyKind_Name(producer.agency()),
                        "); this one has agency ",
                        v1::AgencyKind_Name(event.consent_recorded().agency()));
  }
  if (!rule.only_identifier_kinds().empty() &&
      !Contains(rule.only_identifier_kinds(), event.identifier_linked().kind())) {
    std::vector<std::string> kinds;
    for (int kind : rule.only_identifier_kinds()) kinds.push_back(v1::IdentifierKind_Name(kind));
    return absl::StrCat(agency, " may link only identifiers of kind ", OneOf(kinds),
                        "; this one is ", v1::IdentifierKind_Name(event.identifier_linked().kind()));
  }
  return "";
}

// The event types some rule lets `agency` produce, sorted: what a refused
// producer may do instead.
std::string AllowedTypes(const v1::ProducerTable& table, int agency) {
  std::set<std::string> types;
  for (const v1::ProducerRule& rule : table.rule()) {
    if (rule.agency() == agency) types.insert(rule.event_types().begin(), rule.event_types().end());
  }
  return absl::StrJoin(types, ", ");
}

}  // namespace

absl::StatusOr<v1::ProducerTable> ParseProducerTable(absl::string_view name,
                                                     absl::string_view text) {
  v1::ProducerTable table;
  IOMHUB_ASSIGN_OR_RETURN(const TextLocations locations,
                          TextLocations::Parse(std::string(name), text, &table));
  std::vector<std::string> errors;
  const TextMessage root = locations.Root();
  for (int i = 0; i < table.rule_size(); ++i) {
    const std::string subject =
        absl::StrCat("rule #", i + 1, " (", AgencyName(table.rule(i).agency()), ")");
    CheckRule(locations, locations.Nested(root, "rule", i), table.rule(i), subject, &errors);
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  return table;
}

absl::StatusOr<v1::ProducerTable> LoadProducerTable(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read the producer table"));
  std::ostringstream text;
  text << in.rdbuf();
  return ParseProducerTable(path, text.str());
}

absl::Status ProducerTable::Check(const v1::Actor& producer, const v1::Event& event) const {
  const absl::string_view type = eventstore::EventTypes::Get().NameForField(event.payload_case());
  if (type.empty()) return absl::PermissionDeniedError("an event with no payload has no type");
  std::vector<std::string> refusals;
  for (const v1::ProducerRule& rule : table_.rule()) {
    if (rule.agency() != producer.agency() || !Contains(rule.event_types(), type)) continue;
    std::string refusal = Refusal(rule, producer, event, type);
    if (refusal.empty()) return absl::OkStatus();
    refusals.push_back(std::move(refusal));
  }
  if (!refusals.empty()) return absl::PermissionDeniedError(absl::StrJoin(refusals, "; or "));
  const std::string agency = AgencyName(producer.agency());
  const std::string allowed = AllowedTypes(table_, producer.agency());
  return absl::PermissionDeniedError(
      absl::StrCat(agency, " may not produce ", type, " (the producer table lets ", agency,
                   " produce", allowed.empty() ? " nothing" : absl::StrCat(": ", allowed), ")"));
}

}  // namespace iomhub::projections::sharing
