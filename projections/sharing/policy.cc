#include "projections/sharing/policy.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "eventstore/event_types.h"
#include "google/protobuf/util/field_mask_util.h"
#include "projections/calendar.h"

namespace iomhub::projections::sharing {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::util::FieldMaskUtil;

template <typename Repeated, typename T>
bool Contains(const Repeated& list, const T& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// "housing" for AGENCY_KIND_HOUSING: how messages name an agency.
std::string AgencyName(int agency) {
  std::string name = v1::AgencyKind_Name(static_cast<v1::AgencyKind>(agency));
  if (name.empty()) return absl::StrCat("agency ", agency);
  name = absl::AsciiStrToLower(absl::string_view(name).substr(std::strlen("AGENCY_KIND_")));
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string AgreementName(const v1::Agreement& a) { return absl::StrCat(a.id(), "@", a.version()); }

std::string RuleName(const Rule& rule) {
  if (rule.agreement == nullptr) return "hub records";
  return absl::StrCat(AgreementName(rule.agreement->agreement), " \"", rule.item->name(), "\"");
}

// The recipient's entry among the agreement's partners, or null with why.
const v1::Partner* FindPartner(const v1::Agreement& a, const v1::Actor& r, std::string* why) {
  for (const v1::Partner& p : a.partners()) {
    if (p.agency() != r.agency()) continue;
    if (!p.organisations().empty() && !Contains(p.organisations(), r.organisation())) {
      *why = absl::StrCat("its ", AgencyName(r.agency()), " partners are ",
                          absl::StrJoin(p.organisations(), ", "), ", not \"", r.organisation(),
                          "\"");
      return nullptr;
    }
    if (!p.areas().empty() && !Contains(p.areas(), r.area())) {
      *why = absl::StrCat("it covers the areas ", absl::StrJoin(p.areas(), ", "), ", not \"",
                          r.area(), "\"");
      return nullptr;
    }
    return &p;
  }
  *why = absl::StrCat(AgencyName(r.agency()), " is not a partner");
  return nullptr;
}

// Every field of the envelope (Event minus its payload oneof).
google::protobuf::FieldMask EnvelopeMask() {
  google::protobuf::FieldMask mask;
  const auto* d = v1::Event::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->containing_oneof() == nullptr) mask.add_paths(d->field(i)->name());
  }
  return mask;
}

std::unique_ptr<Rule> CompileRule(const LoadedAgreement& la, const v1::Partner& partner,
                                  const v1::DataItem& item, int field,
                                  const v1::Actor& recipient) {
  const v1::Agreement& a = la.agreement;
  auto rule = std::make_unique<Rule>();
  rule->agreement = &la;
  rule->partner = &partner;
  rule->item = &item;
  rule->payload_field = field;
  rule->whole = item.all_fields();
  for (int from : item.from()) rule->from.insert(from);
  if (!rule->whole) {
    rule->keep = EnvelopeMask();
    const std::string payload = v1::Event::descriptor()->FindFieldByNumber(field)->name();
    for (const std::string& f : item.fields()) {
      rule->keep.add_paths(absl::StrCat(payload, ".", f));
      rule->kept_fields.push_back(f);
    }
  }
  const bool item_condition = item.only_contacts_led_by_recipient() ||
                              !item.only_services().empty() ||
                              item.only_consents_for_recipient() ||
                              !item.only_alert_rules().empty();
  rule->needs_event =
      !rule->whole || item_condition || field == v1::Event::kIdentifierLinkedFieldNumber;
  const bool person_condition = !a.includes_people_off_iom() || partner.own_area_only() ||
                                !partner.areas().empty() ||
                                Contains(a.consent().required_for(), recipient.agency());
  // Outcomes and withdrawals name an earlier item by id: the facts say what it was.
  const bool refers_back =
      (item.only_contacts_led_by_recipient() &&
       field == v1::Event::kContactOutcomeRecordedFieldNumber) ||
      (!item.only_services().empty() &&
       field == v1::Event::kReferralOutcomeRecordedFieldNumber) ||
      (item.only_consents_for_recipient() && field == v1::Event::kConsentWithdrawnFieldNumber);
  rule->needs_facts = person_condition || refers_back;
  return rule;
}

// Best first: whole before trimmed, unconditional before conditional, more
// fields before fewer, then by agreement id for a stable order.
bool Better(const std::unique_ptr<Rule>& a, const std::unique_ptr<Rule>& b) {
  auto key = [](const Rule& r) {
    return std::make_tuple(!r.whole, r.needs_event || r.needs_facts || !r.from.empty(),
                           -static_cast<int>(r.kept_fields.size()),
                           r.agreement == nullptr ? std::string() : r.agreement->agreement.id());
  };
  return key(*a) < key(*b);
}

std::string ServiceName(int service) {
  return v1::ServiceKind_Name(static_cast<v1::ServiceKind>(service));
}

// Empty if `service` is among `allowed`, else why not.
std::string ServiceCondition(const google::protobuf::RepeatedField<int>& allowed, int service) {
  if (Contains(allowed, service)) return "";
  std::vector<std::string> names;
  for (int s : allowed) names.push_back(ServiceName(s));
  return absl::StrCat("the service is ", ServiceName(service), ", not one of ",
                      absl::StrJoin(names, ", "));
}

// Whether the event is the withdrawal of a consent to share with `agency`:
// the agency the consent was for is told it ended (nothing else flows).
bool WithdrawsConsentOf(EventInput& input, const SharingFacts& facts, v1::AgencyKind agency) {
  if (input.peek().payload_field != v1::Event::kConsentWithdrawnFieldNumber) return false;
  absl::StatusOr<const v1::Event*> event = input.Payload();
  if (!event.ok()) return false;  // Decide's own parse reports the error
  auto it = facts.consents.find((*event)->consent_withdrawn().consent_id());
  return it != facts.consents.end() && it->second.agency == agency;
}

}  // namespace

absl::Span<const std::unique_ptr<Rule>> RecipientPlan::RulesFor(int payload_field) const {
  auto it = rules_.find(payload_field);
  if (it == rules_.end()) return {};
  return it->second;
}

const Rule* RecipientPlan::WholeRuleOnPeek(const eventstore::EventPeek& peek) const {
  for (const std::unique_ptr<Rule>& rule : RulesFor(peek.payload_field)) {
    if (rule->agreement == nullptr) return nullptr;  // hub records check the stream
    if (!rule->from.empty() && !rule->from.contains(peek.producer_agency)) continue;
    // The first rule that may apply decides: only if it needs nothing more.
    if (rule->whole && !rule->needs_event && !rule->needs_facts) return rule.get();
    return nullptr;
  }
  return nullptr;
}

int RecipientPlan::FirstNotWholeOnPeek(absl::Span<const int> payload_fields) const {
  for (int field : payload_fields) {
    eventstore::EventPeek peek;
    peek.payload_field = field;
    if (!WholeOnPeek(peek)) return field;
  }
  return 0;
}

bool RecipientPlan::MayNeedFacts(int payload_field) const {
  for (const std::unique_ptr<Rule>& rule : RulesFor(payload_field)) {
    if (rule->needs_facts) return true;
  }
  return false;
}

Policy::Policy(std::shared_ptr<const AgreementSet> agreements, const TeamDirectory* teams)
    : agreements_(std::move(agreements)), teams_(teams) {}

std::shared_ptr<const RecipientPlan> Policy::PlanFor(const v1::Actor& recipient,
                                                     absl::CivilDay day) const {
  auto plan = std::make_shared<RecipientPlan>();
  plan->agreements_ = agreements_;
  plan->recipient_ = recipient;
  plan->day_ = day;
  if (recipient.agency() != v1::AGENCY_KIND_AUDITOR) {  // the auditor reads no event log
    auto hub = std::make_unique<Rule>();
    hub->payload_field = v1::Event::kAgreementChangedFieldNumber;
    hub->whole = true;
    plan->rules_[hub->payload_field].push_back(std::move(hub));
  }
  for (const LoadedAgreement& la : agreements_->agreements()) {
    const v1::Agreement& a = la.agreement;
    const std::string name = AgreementName(a);
    std::string why;
    if (!AgreementSet::InForce(a, day)) {
      plan->considered_.push_back(absl::StrCat(name, ": not in force (",
                                               v1::AgreementStatus_Name(a.status()), ", valid ",
                                               a.valid_from(), " to ", a.valid_until(), ")"));
      continue;
    }
    if (a.aggregates_only()) {
      plan->considered_.push_back(absl::StrCat(name, ": aggregates only, no event flows under it"));
      continue;
    }
    const v1::Partner* partner = FindPartner(a, recipient, &why);
    if (partner == nullptr) {
      plan->considered_.push_back(absl::StrCat(name, ": ", why));
      continue;
    }
    if (!Contains(a.purposes(), recipient.purpose())) {
      plan->considered_.push_back(absl::StrCat(name, ": the purpose \"", recipient.purpose(),
                                               "\" is not one of its purposes (",
                                               absl::StrJoin(a.purposes(), ", "), ")"));
      continue;
    }
    for (int kind : partner->identifiers()) plan->identifiers_.insert(kind);
    int rules = 0;
    for (const v1::DataItem& item : a.data_items()) {
      if (!Contains(item.to(), recipient.agency())) continue;
      for (const std::string& type : item.event_types()) {
        const int field = eventstore::EventTypes::Get().FieldForName(type);
        plan->rules_[field].push_back(CompileRule(la, *partner, item, field, recipient));
        ++rules;
      }
    }
    plan->considered_.push_back(
        absl::StrCat(name, ": applies (", rules, " event types under its data items)"));
  }
  for (auto& [field, rules] : plan->rules_) std::stable_sort(rules.begin(), rules.end(), Better);
  return plan;
}

absl::StatusOr<Decision> Policy::Decide(const RecipientPlan& plan, EventInput& input,
                                        absl::Time now, std::vector<std::string>* why) const {
  const eventstore::EventPeek& peek = input.peek();
  auto note = [&](const Rule& rule, absl::string_view outcome) {
    if (why != nullptr) why->push_back(absl::StrCat(RuleName(rule), ": ", outcome));
  };
  for (const std::unique_ptr<Rule>& rule : plan.RulesFor(peek.payload_field)) {
    if (rule->agreement == nullptr) {
      if (peek.stream != kAgreementsStream) {
        note(*rule, "not on the agreements stream");
        continue;
      }
      note(*rule, "delivered: a hub record, not personal data");
      return Decision{.delivered = true, .rule = rule.get()};
    }
    if (!rule->from.empty() && !rule->from.contains(peek.producer_agency)) {
      note(*rule, absl::StrCat("not from ", AgencyName(peek.producer_agency)));
      continue;
    }
    const SharingFacts* facts = nullptr;
    if (rule->needs_facts) {
      IOMHUB_ASSIGN_OR_RETURN(facts, input.Facts());
      if (facts == nullptr) {
        note(*rule, "not about a person the hub knows");
        continue;
      }
      const std::string no = PersonConditions(*rule, plan.recipient(), *facts, input, now);
      if (!no.empty()) {
        note(*rule, no);
        continue;
      }
    }
    if (rule->needs_event) {
      IOMHUB_ASSIGN_OR_RETURN(const v1::Event* event, input.Payload());
      const std::string no = EventConditions(*rule, plan.recipient(), *event, facts);
      if (!no.empty()) {
        note(*rule, no);
        continue;
      }
    }
    note(*rule, rule->whole ? "delivered whole"
                            : absl::StrCat("delivered with only ",
                                           rule->kept_fields.empty()
                                               ? std::string("its envelope")
                                               : absl::StrJoin(rule->kept_fields, ", ")));
    return Decision{.delivered = true, .rule = rule.get()};
  }
  if (why != nullptr && plan.RulesFor(peek.payload_field).empty()) {
    why->push_back(absl::StrCat(
        "no agreement in force lets ", AgencyName(plan.recipient().agency()), " receive ",
        eventstore::EventTypes::Get().NameForField(peek.payload_field), " for the purpose \"",
        plan.recipient().purpose(), "\""));
  }
  return Decision{};
}

std::string Policy::PersonConditions(const Rule& rule, const v1::Actor& recipient,
                                     const SharingFacts& facts, EventInput& input,
                                     absl::Time now) const {
  const v1::Agreement& a = rule.agreement->agreement;
  const v1::Partner& partner = *rule.partner;
  if (!a.includes_people_off_iom() && !facts.on_iom) {
    const bool the_deselection =
        rule.payload_field == v1::Event::kNominalDeselectedFieldNumber &&
        facts.deselected_at_position == input.position();
    if (!the_deselection) return "the person is not on IOM now";
  }
  if (partner.own_area_only() || !partner.areas().empty()) {
    const v1::Team* team = teams_->FindTeam(facts.team_id);
    if (team == nullptr) {
      return absl::StrCat("the person's IOM team \"", facts.team_id, "\" is not a configured team");
    }
    if (partner.own_area_only() && team->area_id() != recipient.area()) {
      return absl::StrCat("the person's IOM team is in ", team->area_id(), ", not the recipient's area ",
                          recipient.area());
    }
    if (!partner.areas().empty() && !Contains(partner.areas(), team->area_id())) {
      return absl::StrCat("the person's IOM team is in ", team->area_id(),
                          ", an area the agreement does not cover for ", AgencyName(recipient.agency()));
    }
  }
  if (Contains(a.consent().required_for(), recipient.agency()) &&
      !facts.ConsentInForce(recipient.agency(), a.consent().services(), now) &&
      !WithdrawsConsentOf(input, facts, recipient.agency())) {
    return absl::StrCat("no consent to share with ", AgencyName(recipient.agency()),
                        " is in force for the person");
  }
  return "";
}

std::string Policy::EventConditions(const Rule& rule, const v1::Actor& recipient,
                                    const v1::Event& e, const SharingFacts* facts) const {
  const v1::DataItem& item = *rule.item;
  if (e.has_identifier_linked() && !Contains(rule.partner->identifiers(), e.identifier_linked().kind())) {
    return absl::StrCat("the identifier is ", v1::IdentifierKind_Name(e.identifier_linked().kind()),
                        ", not one ", AgencyName(recipient.agency()), " may see");
  }
  if (item.only_contacts_led_by_recipient()) {
    SharingFacts::ContactLead lead;
    if (e.has_contact_scheduled()) {
      lead = {e.contact_scheduled().lead_agency(), e.contact_scheduled().led_by()};
    } else if (e.has_contact_outcome_recorded()) {
      auto it = facts->contacts.find(e.contact_outcome_recorded().contact_id());
      if (it == facts->contacts.end()) return "the contact it answers is not known";
      lead = it->second;
    }
    if (!LedBy(lead.lead, lead.led_by, recipient.agency())) {
      return absl::StrCat("the contact is not led by ", AgencyName(recipient.agency()));
    }
  }
  if (!item.only_services().empty()) {
    int service = v1::SERVICE_KIND_UNSPECIFIED;
    if (e.has_referral_sent()) service = e.referral_sent().service();
    if (e.has_treatment_engagement_changed()) service = e.treatment_engagement_changed().service();
    if (e.has_alert_raised()) service = e.alert_raised().service();
    if (e.has_alert_resolved()) service = e.alert_resolved().service();
    if (e.has_referral_outcome_recorded()) {
      auto it = facts->referrals.find(e.referral_outcome_recorded().referral_id());
      if (it == facts->referrals.end()) return "the referral it answers is not known";
      service = it->second;
    }
    if (std::string no = ServiceCondition(item.only_services(), service); !no.empty()) return no;
  }
  if (item.only_consents_for_recipient()) {
    int agency = v1::AGENCY_KIND_UNSPECIFIED;
    if (e.has_consent_recorded()) agency = e.consent_recorded().agency();
    if (e.has_consent_withdrawn()) {
      auto it = facts->consents.find(e.consent_withdrawn().consent_id());
      if (it != facts->consents.end()) agency = it->second.agency;
    }
    if (agency != recipient.agency()) {
      return absl::StrCat("the consent is for ", AgencyName(agency), ", not ",
                          AgencyName(recipient.agency()));
    }
  }
  if (!item.only_alert_rules().empty()) {
    const std::string& alert = e.has_alert_raised() ? e.alert_raised().rule() : e.alert_resolved().rule();
    if (!Contains(item.only_alert_rules(), alert)) {
      return absl::StrCat("the alert rule ", alert, " is not one of ",
                          absl::StrJoin(item.only_alert_rules(), ", "));
    }
  }
  return "";
}

void TrimForDelivery(const Decision& decision, v1::Event* event) {
  if (decision.rule->whole) return;
  FieldMaskUtil::TrimMessage(decision.rule->keep, event);
  // Keep the type: the payload stays set even with no field kept.
  const FieldDescriptor* payload =
      v1::Event::descriptor()->FindFieldByNumber(decision.rule->payload_field);
  event->GetReflection()->MutableMessage(event, payload);
}

absl::CivilDay LondonDay(absl::Time t) {
  static const absl::TimeZone* zone = [] {
    absl::StatusOr<absl::TimeZone> london = LondonTimeZone();
    return new absl::TimeZone(london.ok() ? *london : absl::UTCTimeZone());
  }();
  return absl::ToCivilDay(t, *zone);
}

}  // namespace iomhub::projections::sharing
