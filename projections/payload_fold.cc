#include "projections/payload_fold.h"

#include <optional>
#include <string>

#include "projections/person_state.h"

#include <string>
#include <utility>

namespace iomhub::projections {
namespace {

using google::protobuf::RepeatedPtrField;
using v1::PersonState;

// What every handler needs from the envelope.
struct Context {
  const v1::Event& event;
  PersonState* state;

  const google::protobuf::Timestamp& at() const { return event.occurred_at(); }
  uint64_t position() const { return event.position(); }
  PersonState::ActedBy by() const {
    PersonState::ActedBy by;
    by.set_agency(event.producer().agency());
    by.set_role(event.producer().role());
    by.set_user_id(event.producer().user_id());
    return by;
  }
};

// The item of `list` that `matches`, or a new one appended at the end.
// Searches newest first: an outcome usually concerns a recent contact.
// Invariant: keys are unique in a list, so the direction finds the same item.
template <typename T, typename Matches>
T* FindOrAdd(RepeatedPtrField<T>* list, Matches matches) {
  for (int i = list->size() - 1; i >= 0; --i) {
    if (matches(list->Get(i))) return list->Mutable(i);
  }
  return list->Add();
}

// The item whose key (read by `key_of`) is `key`, or a new one with that key
// (written through `mutable_key`). An empty key matches nothing: unkeyed items
// never merge into one another.
template <typename T>
T* FindOrAddKeyed(RepeatedPtrField<T>* list, const std::string& key,
                  const std::string& (T::*key_of)() const, std::string* (T::*mutable_key)()) {
  T* item = FindOrAdd(list, [&](const T& t) { return !key.empty() && (t.*key_of)() == key; });
  *(item->*mutable_key)() = key;
  return item;
}

// The keyed lists: the item with that id, or a new one.
PersonState::Contact* ContactOf(const Context& c, const std::string& id) {
  return FindOrAddKeyed(c.state->mutable_contacts(), id, &PersonState::Contact::contact_id,
                        &PersonState::Contact::mutable_contact_id);
}
PersonState::Recall* RecallOf(const Context& c, const std::string& id) {
  return FindOrAddKeyed(c.state->mutable_recalls(), id, &PersonState::Recall::recall_id,
                        &PersonState::Recall::mutable_recall_id);
}
PersonState::Warrant* WarrantOf(const Context& c, const std::string& id) {
  return FindOrAddKeyed(c.state->mutable_warrants(), id, &PersonState::Warrant::warrant_ref,
                        &PersonState::Warrant::mutable_warrant_ref);
}
PersonState::ServiceReferral* ReferralOf(const Context& c, const std::string& id) {
  return FindOrAddKeyed(c.state->mutable_referrals(), id,
                        &PersonState::ServiceReferral::referral_id,
                        &PersonState::ServiceReferral::mutable_referral_id);
}
PersonState::Consent* ConsentOf(const Context& c, const std::string& id) {
  return FindOrAddKeyed(c.state->mutable_consents(), id, &PersonState::Consent::consent_id,
                        &PersonState::Consent::mutable_consent_id);
}
PersonState::Intervention* InterventionOf(const Context& c, const std::string& id) {
  return FindOrAddKeyed(c.state->mutable_interventions(), id,
                        &PersonState::Intervention::intervention_id,
                        &PersonState::Intervention::mutable_intervention_id);
}

// Invariant: the team follows TeamAssignedBy (person_state.h), the rule the
// cohort view uses too.
void SetTeam(const Context& c) {
  const std::optional<std::string> team_id = TeamAssignedBy(c.event);
  if (!team_id.has_value() || *team_id == c.state->team_id()) return;
  c.state->set_team_id(*team_id);
  *c.state->mutable_team_since() = c.at();
}

// --- Cohort -----------------------------------------------------------------
void Apply(const Context& c, const v1::NominalReferred& p) {
  PersonState::NominalReferral* r = c.state->mutable_referral();
  *r->mutable_referred_at() = c.at();
  r->set_reason(p.referral_reason());
  if (p.has_date_of_birth()) *r->mutable_date_of_birth() = p.date_of_birth();
  *r->mutable_referred_by() = c.by();
  SetTeam(c);
}

void Apply(const Context& c, const v1::CohortSelected& p) {
  PersonState::CohortMembership* m = c.state->mutable_cohort();
  PersonState::CohortChange* change = m->add_history();
  change->set_kind(PersonState::CohortChange::KIND_SELECTED);
  *change->mutable_at() = c.at();
  change->set_from_cohort(m->on_iom() ? m->cohort() : v1::COHORT_UNSPECIFIED);
  change->set_to_cohort(p.cohort());
  change->set_strand(p.strand());
  *change->mutable_by() = c.by();

  // A (re)selection starts a new membership: the last deselection is history.
  m->set_cohort(p.cohort());
  m->set_strand(p.strand());
  *m->mutable_selected_at() = c.at();
  if (p.has_min_duration_until()) {
    *m->mutable_min_duration_until() = p.min_duration_until();
  } else {
    m->clear_min_duration_until();
  }
  m->set_on_iom(true);
  m->clear_deselected_at();
  m->clear_deselected_at_position();
  m->clear_deselection_reason();
  m->set_manager_override_reason(p.manager_override_reason());
  change->set_manager_override_reason(p.manager_override_reason());
  m->set_cohort_position(c.position());
  SetTeam(c);
}

void Apply(const Context& c, const v1::CohortChanged& p) {
  PersonState::CohortMembership* m = c.state->mutable_cohort();
  PersonState::CohortChange* change = m->add_history();
  change->set_kind(PersonState::CohortChange::KIND_CHANGED);
  *change->mutable_at() = c.at();
  change->set_from_cohort(p.from_cohort() != v1::COHORT_UNSPECIFIED ? p.from_cohort()
                                                                    : m->cohort());
  change->set_to_cohort(p.to_cohort());
  change->set_strand(p.strand());
  change->set_reason(p.reason());
  change->set_manager_override_reason(p.manager_override_reason());
  *change->mutable_by() = c.by();

  if (p.to_cohort() != v1::COHORT_UNSPECIFIED) m->set_cohort(p.to_cohort());
  if (p.strand() != v1::STRAND_UNSPECIFIED) m->set_strand(p.strand());
  m->set_cohort_position(c.position());
  if (!p.manager_override_reason().empty()) {
    m->set_manager_override_reason(p.manager_override_reason());
  }
}

void Apply(const Context& c, const v1::NominalDeselected& p) {
  PersonState::CohortMembership* m = c.state->mutable_cohort();
  PersonState::CohortChange* change = m->add_history();
  change->set_kind(PersonState::CohortChange::KIND_DESELECTED);
  *change->mutable_at() = c.at();
  change->set_from_cohort(m->cohort());
  change->set_strand(m->strand());
  change->set_reason(p.reason());
  change->set_manager_override_reason(p.manager_override_reason());
  *change->mutable_by() = c.by();

  // cohort and strand stay: they say what the person was deselected from.
  m->set_on_iom(false);
  *m->mutable_deselected_at() = c.at();
  m->set_deselected_at_position(c.event.position());
  m->set_deselection_reason(p.reason());
  m->set_manager_override_reason(p.manager_override_reason());
}

void Apply(const Context& c, const v1::ContactPlanSet& p) {
  PersonState::ContactPlan* plan = c.state->mutable_contact_plan();
  plan->Clear();
  plan->set_min_contacts_per_week(p.min_contacts_per_week());
  *plan->mutable_countable_modes() = p.countable_modes();
  plan->set_rationale(p.rationale());
  *plan->mutable_set_at() = c.at();
  if (p.has_next_review_due()) *plan->mutable_next_review_due() = p.next_review_due();
  *plan->mutable_set_by() = c.by();
  plan->set_position(c.position());
}

void Apply(const Context& c, const v1::ReviewCompleted& p) {
  PersonState::Review* review = c.state->mutable_last_review();
  review->Clear();
  review->set_outcome(p.outcome());
  review->set_rationale(p.rationale());
  *review->mutable_completed_at() = c.at();
  if (p.has_next_review_due()) *review->mutable_next_review_due() = p.next_review_due();
  *review->mutable_completed_by() = c.by();
  review->set_position(c.position());
  review->set_manager_override_reason(p.manager_override_reason());
  // Only an existing plan moves: creating one here would hide the Fixed
  // default of 3 contacts behind a plan of 0.
  if (c.state->has_contact_plan() && p.has_next_review_due()) {
    *c.state->mutable_contact_plan()->mutable_next_review_due() = p.next_review_due();
  }
}

void Apply(const Context& c, const v1::IdentifierLinked& p) {
  // The NHS number stays in the health partition: never shared state.
  if (p.kind() == v1::IDENTIFIER_KIND_NHS) return;
  PersonState::Identifier* id =
      FindOrAdd(c.state->mutable_identifiers(), [&](const PersonState::Identifier& i) {
        return i.kind() == p.kind() && i.value() == p.value();
      });
  id->set_kind(p.kind());
  id->set_value(p.value());
  *id->mutable_linked_at() = c.at();
  id->set_approved_by(p.approved_by());
}

void Apply(const Context& c, const v1::IdentitiesMerged& p) {
  const std::string& merged = p.merged_person_id();
  if (merged.empty() || merged == c.state->person_id()) return;
  for (const std::string& known : c.state->merged_person_ids()) {
    if (known == merged) return;
  }
  c.state->add_merged_person_ids(merged);
}

void Apply(const Context& c, const v1::TeamChanged&) { SetTeam(c); }

// --- Contacts ---------------------------------------------------------------
void Apply(const Context& c, const v1::ContactScheduled& p) {
  PersonState::Contact* contact = ContactOf(c, p.contact_id());
  contact->set_scheduled(true);
  contact->set_mode(p.mode());
  if (p.has_scheduled_for()) {
    *contact->mutable_scheduled_for() = p.scheduled_for();
  } else {
    contact->clear_scheduled_for();
  }
  contact->set_lead_agency(p.lead_agency());
  contact->set_led_by(p.lead_agency() == v1::LEAD_AGENCY_PARTNER ? p.led_by()
                                                                   : v1::AGENCY_KIND_UNSPECIFIED);
  contact->set_duration_minutes(p.duration_minutes());
  if (!p.source_system_ref().empty()) contact->set_source_system_ref(p.source_system_ref());
  *contact->mutable_scheduled_by() = c.by();
  contact->set_scheduled_position(c.position());
  contact->set_manager_override_reason(p.manager_override_reason());
  // A contact scheduled again after it was rescheduled is on again. Any other
  // outcome stays: it may have arrived before its schedule.
  if (contact->outcome() == v1::CONTACT_OUTCOME_RESCHEDULED) {
    contact->clear_outcome();
    contact->clear_outcome_recorded_at();
    contact->clear_absence_reason();
    contact->clear_outcome_recorded_by();
    contact->clear_outcome_position();
  }
}

void Apply(const Context& c, const v1::ContactOutcomeRecorded& p) {
  PersonState::Contact* contact = ContactOf(c, p.contact_id());
  contact->set_outcome(p.outcome());
  *contact->mutable_outcome_recorded_at() = c.at();
  contact->set_absence_reason(p.absence_reason());
  *contact->mutable_outcome_recorded_by() = c.by();
  contact->set_outcome_position(c.position());
  if (contact->source_system_ref().empty()) contact->set_source_system_ref(p.source_system_ref());
}

// --- Enforcement ------------------------------------------------------------
void Apply(const Context& c, const v1::WarningIssued& p) {
  PersonState::Warning* warning = c.state->add_warnings();
  warning->set_order_ref(p.order_ref());
  warning->set_reason(p.reason());
  *warning->mutable_issued_at() = c.at();
  if (p.has_liable_until()) *warning->mutable_liable_until() = p.liable_until();
  *warning->mutable_issued_by() = c.by();
  warning->set_position(c.position());
  warning->set_manager_override_reason(p.manager_override_reason());
}

PersonState::BreachConsideration* Consideration(const Context& c, const std::string& id) {
  PersonState::BreachConsideration* bc =
      FindOrAddKeyed(c.state->mutable_breach_considerations(), id,
                     &PersonState::BreachConsideration::consideration_id,
                     &PersonState::BreachConsideration::mutable_consideration_id);
  if (bc->status() == PersonState::BreachConsideration::STATUS_UNSPECIFIED) {
    bc->set_status(PersonState::BreachConsideration::STATUS_OPEN);
  }
  return bc;
}

void Apply(const Context& c, const v1::BreachConsiderationOpened& p) {
  PersonState::BreachConsideration* bc = Consideration(c, p.consideration_id());
  bc->set_trigger(p.trigger());
  bc->set_order_ref(p.order_ref());
  bc->set_summary(p.summary());
  *bc->mutable_opened_at() = c.at();
  *bc->mutable_opened_by() = c.by();
  bc->set_opened_position(c.position());
  *bc->mutable_evidence_positions() = p.evidence_positions();
}

void Apply(const Context& c, const v1::PositionRecorded& p) {
  PersonState::BreachConsideration* bc = Consideration(c, p.consideration_id());
  PersonState::Position position;
  *position.mutable_by() = c.by();
  position.set_position(p.position());
  position.set_rationale(p.rationale());
  position.set_alternative(p.alternative());
  *position.mutable_at() = c.at();
  position.set_log_position(c.position());
  // Invariant: at most one current position per agency kind.
  for (PersonState::Position& current : *bc->mutable_positions()) {
    if (current.by().agency() == position.by().agency()) {
      *bc->add_superseded_positions() = std::move(current);
      current = std::move(position);
      return;
    }
  }
  *bc->add_positions() = std::move(position);
}

void Apply(const Context& c, const v1::DecisionEscalated& p) {
  PersonState::Escalation* e = Consideration(c, p.consideration_id())->mutable_escalation();
  e->set_to_role(p.escalated_to_role());
  e->set_reason(p.reason());
  *e->mutable_at() = c.at();
  *e->mutable_by() = c.by();
  e->set_log_position(c.position());
}

void Apply(const Context& c, const v1::JointDecisionRecorded& p) {
  PersonState::BreachConsideration* bc = Consideration(c, p.consideration_id());
  PersonState::Decision* d = bc->mutable_decision();
  d->set_decision(p.decision());
  d->set_rationale(p.rationale());
  d->set_by_escalation(p.by_escalation());
  *d->mutable_by() = c.by();
  *d->mutable_at() = c.at();
  d->set_log_position(c.position());
  d->set_manager_override_reason(p.manager_override_reason());
  d->set_alternative(p.alternative());
  bc->set_status(PersonState::BreachConsideration::STATUS_DECIDED);
}

void Apply(const Context& c, const v1::BreachConsiderationWithdrawn& p) {
  PersonState::BreachConsideration* bc = Consideration(c, p.consideration_id());
  if (bc->status() == PersonState::BreachConsideration::STATUS_DECIDED) return;  // decided stays
  bc->set_status(PersonState::BreachConsideration::STATUS_WITHDRAWN);
  *bc->mutable_withdrawn_at() = c.at();
  bc->set_withdrawal_reason(p.reason());
  *bc->mutable_withdrawn_by() = c.by();
  bc->set_withdrawn_position(c.position());
}

void Apply(const Context& c, const v1::RecallRequested& p) {
  PersonState::Recall* r = RecallOf(c, p.recall_id());
  r->set_reason(p.reason());
  *r->mutable_requested_at() = c.at();
  *r->mutable_requested_by() = c.by();
}

void Apply(const Context& c, const v1::RecallDecided& p) {
  PersonState::Recall* r = RecallOf(c, p.recall_id());
  r->set_decided(true);
  r->set_approved(p.approved());
  r->set_rationale(p.rationale());
  *r->mutable_decided_at() = c.at();
  *r->mutable_decided_by() = c.by();
}

// --- Police -----------------------------------------------------------------
void Apply(const Context& c, const v1::ArrestRecorded& p) {
  PersonState::Arrest* a = c.state->add_arrests();
  a->set_custody_ref(p.custody_ref());
  a->set_station(p.station());
  *a->mutable_at() = c.at();
  a->set_position(c.position());
}

void Apply(const Context& c, const v1::ChargeRecorded& p) {
  PersonState::Charge* charge = c.state->add_charges();
  charge->set_charge_ref(p.charge_ref());
  charge->set_offence_category(p.offence_category());
  *charge->mutable_at() = c.at();
  charge->set_position(c.position());
}

void Apply(const Context& c, const v1::WarrantIssued& p) {
  PersonState::Warrant* w = WarrantOf(c, p.warrant_ref());
  w->set_kind(p.warrant_kind());
  *w->mutable_issued_at() = c.at();
}

void Apply(const Context& c, const v1::WarrantExecuted& p) {
  PersonState::Warrant* w = WarrantOf(c, p.warrant_ref());
  *w->mutable_executed_at() = c.at();
}

void Apply(const Context& c, const v1::IntelligenceFlagged& p) {
  PersonState::IntelligenceFlag* flag = c.state->add_intelligence_flags();
  flag->set_intelligence_ref(p.intelligence_ref());
  flag->set_category(p.category());
  *flag->mutable_at() = c.at();
}

// --- Custody ----------------------------------------------------------------
void Apply(const Context& c, const v1::ReceivedIntoCustody& p) {
  PersonState::Custody* custody = c.state->mutable_custody();
  custody->Clear();  // a new custody period
  custody->set_in_custody(true);
  custody->set_establishment(p.establishment());
  custody->set_reason(p.reason());
  *custody->mutable_since() = c.at();
}

void Apply(const Context& c, const v1::ReleasedFromCustody& p) {
  PersonState::Custody* custody = c.state->mutable_custody();
  custody->set_in_custody(false);
  if (!p.establishment().empty()) custody->set_establishment(p.establishment());
  *custody->mutable_released_at() = c.at();
  custody->set_released_position(c.position());
  if (p.has_licence_end()) {
    *custody->mutable_licence_end() = p.licence_end();
  } else {
    custody->clear_licence_end();
  }
}

// --- Risk -------------------------------------------------------------------
void Apply(const Context& c, const v1::RegistrationChanged& p) {
  auto same = [&](const PersonState::ActiveRegistration& r) {
    if (r.registration() != p.registration()) return false;
    return p.registration() != v1::REGISTRATION_UNSPECIFIED ||
           r.register_code() == p.register_code();
  };
  RepeatedPtrField<PersonState::ActiveRegistration>* active = c.state->mutable_registrations();
  if (!p.added()) {
    for (int i = active->size() - 1; i >= 0; --i) {
      if (same(active->Get(i))) active->DeleteSubrange(i, 1);
    }
    return;
  }
  for (PersonState::ActiveRegistration& r : *active) {
    if (same(r)) {  // already active: keep since
      if (!p.register_code().empty()) r.set_register_code(p.register_code());
      return;
    }
  }
  PersonState::ActiveRegistration* r = active->Add();
  r->set_registration(p.registration());
  r->set_register_code(p.register_code());
  *r->mutable_since() = c.at();
  r->set_position(c.position());
}

void Apply(const Context& c, const v1::RiskLevelChanged& p) {
  PersonState::RiskOfHarm* risk = c.state->mutable_risk_of_harm();
  if (!c.state->has_risk_of_harm() || risk->level() != p.risk_of_harm()) {
    *risk->mutable_since() = c.at();
  }
  risk->set_level(p.risk_of_harm());
  risk->set_assessment_ref(p.assessment_ref());
  risk->set_position(c.position());
}

// --- Services ---------------------------------------------------------------
void Apply(const Context& c, const v1::ReferralSent& p) {
  PersonState::ServiceReferral* r = ReferralOf(c, p.referral_id());
  r->set_service(p.service());
  r->set_provider(p.provider());
  r->set_priority_access_requested(p.priority_access_requested());
  r->set_consent_ref(p.consent_ref());
  *r->mutable_sent_at() = c.at();
  if (p.has_respond_by()) {
    *r->mutable_respond_by() = p.respond_by();
  } else {
    r->clear_respond_by();
  }
  *r->mutable_sent_by() = c.by();
  r->set_sent_position(c.position());
  // An outcome that arrived before the referral keeps its status.
  if (r->status() == PersonState::ServiceReferral::STATUS_UNSPECIFIED) {
    r->set_status(PersonState::ServiceReferral::STATUS_OPEN);
  }
}

void Apply(const Context& c, const v1::ReferralOutcomeRecorded& p) {
  PersonState::ServiceReferral* r = ReferralOf(c, p.referral_id());
  r->set_outcome(p.outcome());
  *r->mutable_outcome_at() = c.at();
  r->set_outcome_reason(p.reason());
  r->set_outcome_position(c.position());
  switch (p.outcome()) {
    case v1::REFERRAL_OUTCOME_ACCEPTED:
    case v1::REFERRAL_OUTCOME_STARTED:
      r->set_status(PersonState::ServiceReferral::STATUS_ANSWERED);
      break;
    case v1::REFERRAL_OUTCOME_DECLINED:
    case v1::REFERRAL_OUTCOME_CLOSED:
      r->set_status(PersonState::ServiceReferral::STATUS_CLOSED);
      break;
    default:  // unspecified or from a newer schema: the status is unknown
      break;
  }
}

void Apply(const Context& c, const v1::AccommodationStatusChanged& p) {
  PersonState::Accommodation* a = c.state->mutable_accommodation();
  if (!c.state->has_accommodation() || a->status() != p.status()) {
    *a->mutable_since() = c.at();
    a->set_position(c.position());
  }
  a->set_status(p.status());
}

void Apply(const Context& c, const v1::TreatmentEngagementChanged& p) {
  PersonState::Treatment* t =
      FindOrAdd(c.state->mutable_treatments(),
                [&](const PersonState::Treatment& x) { return x.service() == p.service(); });
  if (!t->has_since() || t->engagement() != p.engagement()) *t->mutable_since() = c.at();
  t->set_service(p.service());
  t->set_engagement(p.engagement());
  if (!p.consent_ref().empty()) t->set_consent_ref(p.consent_ref());
}

void Apply(const Context& c, const v1::EmploymentStatusChanged& p) {
  PersonState::Employment* e = c.state->mutable_employment();
  if (!c.state->has_employment() || e->status() != p.status()) *e->mutable_since() = c.at();
  e->set_status(p.status());
}

// --- Interventions ----------------------------------------------------------
void Apply(const Context& c, const v1::InterventionStarted& p) {
  PersonState::Intervention* i = InterventionOf(c, p.intervention_id());
  i->set_kind(p.kind());
  i->set_name(p.name());
  *i->mutable_started_at() = c.at();
}

void Apply(const Context& c, const v1::InterventionCompleted& p) {
  *InterventionOf(c, p.intervention_id())->mutable_completed_at() = c.at();
}

void Apply(const Context& c, const v1::InterventionWithdrawn& p) {
  PersonState::Intervention* i = InterventionOf(c, p.intervention_id());
  *i->mutable_withdrawn_at() = c.at();
  i->set_withdrawal_reason(p.reason());
}

// --- Consent ----------------------------------------------------------------
void Apply(const Context& c, const v1::ConsentRecorded& p) {
  PersonState::Consent* consent = ConsentOf(c, p.consent_id());
  consent->set_agency(p.agency());
  consent->set_service(p.service());
  consent->set_evidence_ref(p.evidence_ref());
  consent->set_recorded_by(p.recorded_by());
  *consent->mutable_recorded_at() = c.at();
  if (p.has_expires_at()) {
    *consent->mutable_expires_at() = p.expires_at();
  } else {
    consent->clear_expires_at();
  }
  // withdrawn_at stays: a withdrawal is final (a new consent takes a new id).
}

void Apply(const Context& c, const v1::ConsentWithdrawn& p) {
  PersonState::Consent* consent = ConsentOf(c, p.consent_id());
  if (consent->has_withdrawn_at()) return;  // the first withdrawal is when it stopped
  *consent->mutable_withdrawn_at() = c.at();
  consent->set_withdrawal_reason(p.reason());
}

// --- Derived ----------------------------------------------------------------
PersonState::Alert* AlertOf(const Context& c, const std::string& rule, const std::string& window) {
  PersonState::Alert* alert =
      FindOrAdd(c.state->mutable_alerts(), [&](const PersonState::Alert& a) {
        return !rule.empty() && a.rule() == rule && a.window() == window;
      });
  alert->set_rule(rule);
  alert->set_window(window);
  return alert;
}

void Apply(const Context& c, const v1::AlertRaised& p) {
  PersonState::Alert* alert = AlertOf(c, p.rule(), p.window());
  const bool open = alert->has_raised_at() && !alert->has_resolved_at();
  if (!open) {  // new, or raised again after it was resolved
    *alert->mutable_raised_at() = c.at();
    alert->set_raised_position(c.position());
    alert->clear_resolved_at();
    alert->clear_resolution_reason();
    alert->clear_resolved_position();
    alert->set_occurrence(alert->occurrence() + 1);
  }
  alert->set_summary(p.summary());
  alert->set_rule_source(p.rule_source());
  alert->set_severity(p.severity());
  alert->set_service(p.service());
  *alert->mutable_evidence_positions() = p.evidence_positions();
}

void Apply(const Context& c, const v1::AlertResolved& p) {
  PersonState::Alert* alert = AlertOf(c, p.rule(), p.window());
  if (alert->has_resolved_at()) return;
  *alert->mutable_resolved_at() = c.at();
  alert->set_resolution_reason(p.reason());
  alert->set_resolved_position(c.position());
}

}  // namespace

// No default: a payload type added to the oneof and not handled here is a
// -Wswitch warning.
void ApplyPayload(const v1::Event& e, v1::PersonState* state) {
  const Context c{.event = e, .state = state};
  switch (e.payload_case()) {
    case v1::Event::kNominalReferred:
      return Apply(c, e.nominal_referred());
    case v1::Event::kCohortSelected:
      return Apply(c, e.cohort_selected());
    case v1::Event::kCohortChanged:
      return Apply(c, e.cohort_changed());
    case v1::Event::kNominalDeselected:
      return Apply(c, e.nominal_deselected());
    case v1::Event::kContactPlanSet:
      return Apply(c, e.contact_plan_set());
    case v1::Event::kReviewCompleted:
      return Apply(c, e.review_completed());
    case v1::Event::kIdentifierLinked:
      return Apply(c, e.identifier_linked());
    case v1::Event::kIdentitiesMerged:
      return Apply(c, e.identities_merged());
    case v1::Event::kTeamChanged:
      return Apply(c, e.team_changed());
    case v1::Event::kContactScheduled:
      return Apply(c, e.contact_scheduled());
    case v1::Event::kContactOutcomeRecorded:
      return Apply(c, e.contact_outcome_recorded());
    case v1::Event::kWarningIssued:
      return Apply(c, e.warning_issued());
    case v1::Event::kBreachConsiderationOpened:
      return Apply(c, e.breach_consideration_opened());
    case v1::Event::kPositionRecorded:
      return Apply(c, e.position_recorded());
    case v1::Event::kDecisionEscalated:
      return Apply(c, e.decision_escalated());
    case v1::Event::kJointDecisionRecorded:
      return Apply(c, e.joint_decision_recorded());
    case v1::Event::kRecallRequested:
      return Apply(c, e.recall_requested());
    case v1::Event::kRecallDecided:
      return Apply(c, e.recall_decided());
    case v1::Event::kBreachConsiderationWithdrawn:
      return Apply(c, e.breach_consideration_withdrawn());
    case v1::Event::kArrestRecorded:
      return Apply(c, e.arrest_recorded());
    case v1::Event::kChargeRecorded:
      return Apply(c, e.charge_recorded());
    case v1::Event::kWarrantIssued:
      return Apply(c, e.warrant_issued());
    case v1::Event::kWarrantExecuted:
      return Apply(c, e.warrant_executed());
    case v1::Event::kIntelligenceFlagged:
      return Apply(c, e.intelligence_flagged());
    case v1::Event::kReceivedIntoCustody:
      return Apply(c, e.received_into_custody());
    case v1::Event::kReleasedFromCustody:
      return Apply(c, e.released_from_custody());
    case v1::Event::kRegistrationChanged:
      return Apply(c, e.registration_changed());
    case v1::Event::kRiskLevelChanged:
      return Apply(c, e.risk_level_changed());
    case v1::Event::kReferralSent:
      return Apply(c, e.referral_sent());
    case v1::Event::kReferralOutcomeRecorded:
      return Apply(c, e.referral_outcome_recorded());
    case v1::Event::kAccommodationStatusChanged:
      return Apply(c, e.accommodation_status_changed());
    case v1::Event::kTreatmentEngagementChanged:
      return Apply(c, e.treatment_engagement_changed());
    case v1::Event::kEmploymentStatusChanged:
      return Apply(c, e.employment_status_changed());
    case v1::Event::kInterventionStarted:
      return Apply(c, e.intervention_started());
    case v1::Event::kInterventionCompleted:
      return Apply(c, e.intervention_completed());
    case v1::Event::kInterventionWithdrawn:
      return Apply(c, e.intervention_withdrawn());
    case v1::Event::kConsentRecorded:
      return Apply(c, e.consent_recorded());
    case v1::Event::kConsentWithdrawn:
      return Apply(c, e.consent_withdrawn());
    case v1::Event::kAlertRaised:
      return Apply(c, e.alert_raised());
    case v1::Event::kAlertResolved:
      return Apply(c, e.alert_resolved());
    case v1::Event::kAgreementChanged:  // a hub record, never on a person's stream
    case v1::Event::PAYLOAD_NOT_SET:    // nothing to fold; the version still advances
      return;
  }
}

}  // namespace iomhub::projections
