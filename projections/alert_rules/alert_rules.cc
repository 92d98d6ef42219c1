#include "projections/alert_rules/alert_rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/timestamps.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/alert_rules/rule_facts.h"
#include "projections/calendar.h"
#include "projections/case_view.h"
#include "projections/enum_words.h"
#include "projections/person_state.h"

namespace iomhub::projections::alert_rules {
namespace {

using v1::PersonState;

// --- Rule 2: compliance concern ---------------------------------------------

void OnContactOutcome(const PersonState& state, const v1::Event& e, const RuleConfig& config,
                      const Parameters& params, AlertLedger& ledger,
                      std::vector<AlertAction>* out) {
  const auto& p = e.contact_outcome_recorded();
  const PersonState::Contact* contact = FindContact(state, p.contact_id());
  if (contact == nullptr || !state.cohort().on_iom() || !FailureToComply(p.outcome())) return;
  const absl::Time at = ToTime(e.occurred_at());
  const absl::Time when = ContactTime(*contact);
  // Rule 5: a failure to comply while a warning is in force.
  const PersonState::Warning* warning = WarningInForce(state, when, params);
  if (warning != nullptr && !HasOpenConsideration(state)) {
    ledger.Take(
        AlertAction::Raise(
            kBreachReferralRequired, p.contact_id(),
            absl::StrCat("Failure to comply on ", LondonText(when), " (",
                         EnumWords(v1::ContactOutcome_Name(p.outcome()), "CONTACT_OUTCOME_"),
                         ") while a warning issued on ", LondonDate(ToTime(warning->issued_at())),
                         warning->order_ref().empty()
                             ? ""
                             : absl::StrCat(" on order ", warning->order_ref()),
                         " is in force until ", LondonDate(LiableUntil(*warning, params)),
                         ": the only lawful action is referral for enforcement. Open a breach "
                         "consideration; a further warning will be refused."),
            at, {warning->position(), e.position()}),
        config, out);
    return;  // the stronger alert; a compliance concern would say less
  }
  // Rule 2: N unacceptable absences within the window since the last action.
  if (p.outcome() != v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE) return;
  if (!ledger.OpenWindows(kComplianceConcern).empty()) return;  // already raised for this run
  std::vector<Absence> best;
  if (MostWithin(AbsencesSinceEnforcement(state), params.absence_window_days, when, &best) <
      params.absences_for_concern) {
    return;
  }
  std::vector<std::string> dates;
  std::vector<uint64_t> evidence;
  for (const Absence& a : best) {
    dates.push_back(LondonDate(a.at));
    evidence.push_back(a.position);
  }
  const absl::Time last_action = LastEnforcementAction(state);
  ledger.Take(
      AlertAction::Raise(
          kComplianceConcern, p.contact_id(),
          absl::StrCat(best.size(), " unacceptable absences within ", params.absence_window_days,
                       " days (", absl::StrJoin(dates, ", "), ") since ",
                       last_action == absl::InfinitePast()
                           ? std::string("supervision began")
                           : absl::StrCat("the last warning or breach consideration (",
                                          LondonDate(last_action), ")"),
                       ": decide on a warning or a breach consideration."),
          at, evidence),
      config, out);
}

// --- Raises on the event -----------------------------------------------------

void RaisesOnEvent(const PersonState& state, const v1::Event& e,
                   const std::optional<RuleBreach>& overridden, const RuleConfig& config,
                   const Parameters& params, AlertLedger& ledger, std::vector<AlertAction>* out) {
  const absl::Time at = ToTime(e.occurred_at());
  const bool on_iom = state.cohort().on_iom();
  if (overridden.has_value()) {
    const std::string by =
        absl::StrCat(e.producer().role().empty() ? std::string("someone") : e.producer().role(),
                     " ", e.producer().user_id(), " (", AgencyName(e.producer().agency()), ")");
    ledger.Take(AlertAction::Raise(
                    kManagerOverride, absl::StrCat(overridden->rule, "@", e.position()),
                    absl::StrCat(by, " overrode ", overridden->rule, ": ", overridden->problem,
                                 ". Their reason: \"", OverrideReasonOf(e), "\""),
                    at, {e.position()}),
                config, out);
  }
  switch (e.payload_case()) {
    case v1::Event::kContactOutcomeRecorded:
      OnContactOutcome(state, e, config, params, ledger, out);
      break;
    case v1::Event::kArrestRecorded:
      if (on_iom) {
        const auto& p = e.arrest_recorded();
        ledger.Take(
            AlertAction::Raise(
                kArrestOrCharge,
                absl::StrCat("arrest:", p.custody_ref().empty() ? e.event_id() : p.custody_ref()),
                absl::StrCat(
                    "Arrested on ", LondonText(at),
                    p.station().empty() ? "" : absl::StrCat(" (", p.station(), ")"),
                    p.custody_ref().empty() ? "" : absl::StrCat(", custody ref ", p.custody_ref()),
                    ". Police and probation: agree whether to open a breach "
                    "consideration."),
                at, {e.position()}),
            config, out);
      }
      break;
    case v1::Event::kChargeRecorded:
      if (on_iom) {
        const auto& p = e.charge_recorded();
        ledger.Take(
            AlertAction::Raise(
                kArrestOrCharge,
                absl::StrCat("charge:", p.charge_ref().empty() ? e.event_id() : p.charge_ref()),
                absl::StrCat(
                    "Charged on ", LondonText(at),
                    p.offence_category().empty() ? ""
                                                 : absl::StrCat(" (", p.offence_category(), ")"),
                    p.charge_ref().empty() ? "" : absl::StrCat(", charge ref ", p.charge_ref()),
                    ". Police and probation: agree whether to open a breach "
                    "consideration."),
                at, {e.position()}),
            config, out);
      }
      break;
    case v1::Event::kReleasedFromCustody:
      if (on_iom && !Accommodated(state)) {
        const v1::AccommodationStatus status = state.accommodation().status();
        ledger.Take(
            AlertAction::Raise(
                kNoAccommodationOnRelease, DayWindow(at),
                absl::StrCat(
                    "Released",
                    e.released_from_custody().establishment().empty()
                        ? ""
                        : absl::StrCat(" from ", e.released_from_custody().establishment()),
                    " on ", LondonDate(at), " with ",
                    status == v1::ACCOMMODATION_STATUS_UNSPECIFIED
                        ? std::string("no accommodation recorded")
                        : EnumWords(v1::AccommodationStatus_Name(status), "ACCOMMODATION_STATUS_"),
                    ": make a housing referral today."),
                at, {e.position(), state.accommodation().position()}),
            config, out);
      }
      break;
    case v1::Event::kPositionRecorded: {
      const auto* bc = FindConsideration(state, e.position_recorded().consideration_id());
      if (bc == nullptr || bc->status() != PersonState::BreachConsideration::STATUS_OPEN ||
          bc->has_escalation() || bc->positions_size() < 2) {
        break;
      }
      const PersonState::Position* police = nullptr;
      const PersonState::Position* probation = nullptr;
      for (const auto& pos : bc->positions()) {
        if (pos.by().agency() == v1::AGENCY_KIND_POLICE) police = &pos;
        if (pos.by().agency() == v1::AGENCY_KIND_PROBATION) probation = &pos;
      }
      if (police == nullptr || probation == nullptr ||
          police->position() == probation->position()) {
        break;
      }
      auto say = [](const PersonState::Position& p) {
        return absl::StrCat(
            p.by().role(), " ", p.by().user_id(), " says ",
            EnumWords(v1::EnforcementPosition_Name(p.position()), "ENFORCEMENT_POSITION_"));
      };
      ledger.Take(
          AlertAction::Raise(
              kBreachPositionsDiffer, bc->consideration_id(),
              absl::StrCat("Police and probation disagree on breach consideration ",
                           bc->consideration_id(), ": police ", say(*police), "; probation ",
                           say(*probation),
                           ". Escalate to the Inspector or the head of the probation delivery "
                           "unit."),
              at, {police->log_position(), probation->log_position()}),
          config, out);
      break;
    }
    default:
      break;
  }
  // Conditions that hold whatever event made them so.
  if (on_iom && state.cohort().strand() == v1::STRAND_WISDOM && MappaActive(state) &&
      ledger.OpenWindows(kDuplicateSupervision).empty()) {
    uint64_t mappa = 0;
    for (const auto& r : state.registrations()) {
      if (r.registration() == v1::REGISTRATION_MAPPA || r.register_code() == "MAPP")
        mappa = r.position();
    }
    ledger.Take(
        AlertAction::Raise(
            kDuplicateSupervision, DayWindow(at),
            "A WISDOM case on IOM is also managed under MAPPA: agree one lead and one contact "
            "plan so the person is not supervised twice.",
            at, {state.cohort().cohort_position(), mappa}),
        config, out);
  }
  if (on_iom && state.accommodation().status() == v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE &&
      ledger.OpenWindows(kNoFixedAbode).empty()) {
    const absl::Time since = ToTime(state.accommodation().since());
    ledger.Take(AlertAction::Raise(
                    kNoFixedAbode, DayWindow(since),
                    absl::StrCat("No fixed abode since ", LondonDate(since),
                                 ": housing can give priority access under the duty to refer."),
                    at, {state.accommodation().position()}),
                config, out);
  }
}

// --- Resolutions --------------------------------------------------------------

// Why the open alert (rule, window) no longer applies to `state`, or "".
std::string NoLongerApplies(const PersonState& state, const std::string& rule,
                            const std::string& window, const AlertLedger::Entry& entry,
                            const Parameters& params, uint64_t* evidence) {
  const uint64_t since = entry.since;
  const bool on_iom = state.cohort().on_iom();
  auto acted_on = [&]() -> std::string {
    if (const auto* w = WarningAfter(state, since)) {
      *evidence = w->position();
      return absl::StrCat("acted on: warning issued on ", LondonDate(ToTime(w->issued_at())));
    }
    if (const auto* bc = ConsiderationAfter(state, since)) {
      *evidence = bc->opened_position();
      return absl::StrCat("acted on: breach consideration ", bc->consideration_id(), " opened on ",
                          LondonDate(ToTime(bc->opened_at())));
    }
    return "";
  };
  if (rule == kManagerOverride) return "";
  if (!on_iom && rule != kBreachPositionsDiffer && rule != kBreachDecisionOverdue) {
    *evidence = state.cohort().deselected_at_position();
    return "no longer on IOM";
  }
  if (rule == kComplianceConcern) {
    if (std::string why = acted_on(); !why.empty()) return why;
    std::vector<Absence> best;
    if (MostWithin(AbsencesSinceEnforcement(state), params.absence_window_days, std::nullopt,
                   &best) < params.absences_for_concern) {
      return "an absence was recorded again as acceptable: fewer unacceptable absences remain";
    }
  } else if (rule == kBreachReferralRequired) {
    if (const auto* bc = ConsiderationAfter(state, since)) {
      *evidence = bc->opened_position();
      return absl::StrCat("referred: breach consideration ", bc->consideration_id(), " opened on ",
                          LondonDate(ToTime(bc->opened_at())));
    }
    const PersonState::Contact* c = FindContact(state, window);
    if (c != nullptr && !FailureToComply(c->outcome())) {
      *evidence = c->outcome_position();
      return absl::StrCat("the outcome was corrected to ",
                          EnumWords(v1::ContactOutcome_Name(c->outcome()), "CONTACT_OUTCOME_"));
    }
  } else if (rule == kArrestOrCharge) {
    if (const auto* bc = ConsiderationAfter(state, since)) {
      *evidence = bc->opened_position();
      return absl::StrCat("breach consideration ", bc->consideration_id(), " opened");
    }
    if (state.last_review().position() > since) {
      *evidence = state.last_review().position();
      return "the case was reviewed";
    }
  } else if (rule == kDuplicateSupervision) {
    if (state.cohort().strand() != v1::STRAND_WISDOM) return "no longer a WISDOM case";
    if (!MappaActive(state)) return "the MAPPA registration ended";
  } else if (rule == kNoFixedAbode) {
    if (state.accommodation().status() != v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE) {
      *evidence = state.accommodation().position();
      return absl::StrCat("accommodation now ",
                          EnumWords(v1::AccommodationStatus_Name(state.accommodation().status()),
                                    "ACCOMMODATION_STATUS_"));
    }
  } else if (rule == kNoAccommodationOnRelease) {
    if (Accommodated(state)) {
      *evidence = state.accommodation().position();
      return absl::StrCat("accommodation recorded: ",
                          EnumWords(v1::AccommodationStatus_Name(state.accommodation().status()),
                                    "ACCOMMODATION_STATUS_"));
    }
    if (state.custody().in_custody()) return "back in custody";
  } else if (rule == kBreachPositionsDiffer || rule == kBreachDecisionOverdue) {
    const auto* bc = FindConsideration(state, window);
    if (bc == nullptr) return "";
    if (bc->status() == PersonState::BreachConsideration::STATUS_DECIDED) {
      *evidence = bc->decision().log_position();
      return absl::StrCat("decided: ",
                          EnumWords(v1::EnforcementPosition_Name(bc->decision().decision()),
                                    "ENFORCEMENT_POSITION_"));
    }
    if (bc->status() == PersonState::BreachConsideration::STATUS_WITHDRAWN) {
      *evidence = bc->withdrawn_position();
      return absl::StrCat("withdrawn: ", bc->withdrawal_reason());
    }
    if (bc->status() != PersonState::BreachConsideration::STATUS_OPEN) return "no longer open";
    if (rule == kBreachPositionsDiffer) {
      if (bc->has_escalation()) {
        *evidence = bc->escalation().log_position();
        return absl::StrCat("escalated to ", bc->escalation().to_role());
      }
      std::set<int> positions;
      for (const auto& p : bc->positions()) positions.insert(p.position());
      if (positions.size() < 2) return "the positions now agree";
    }
  } else if (rule == kReviewOverdue) {
    const std::optional<absl::Time> due = ReviewDue(state, params);
    if (!due.has_value()) return "the contact plan was removed";
    if (DayWindow(*due) > window) {
      *evidence = std::max(state.last_review().position(), state.contact_plan().position());
      return absl::StrCat("reviewed; next review due ", LondonDate(*due));
    }
  } else if (rule == kReferralOverdue) {
    const auto* r = FindReferral(state, window);
    if (r != nullptr && r->status() != PersonState::ServiceReferral::STATUS_OPEN) {
      *evidence = r->outcome_position();
      return absl::StrCat(
          "answered: ", EnumWords(v1::ReferralOutcome_Name(r->outcome()), "REFERRAL_OUTCOME_"),
          " on ", LondonDate(ToTime(r->outcome_at())));
    }
  } else if (rule == kContactsBelowPlan) {
    if (state.last_review().position() > since) {
      *evidence = state.last_review().position();
      return absl::StrCat("the contact plan was reviewed on ",
                          LondonDate(ToTime(state.last_review().completed_at())));
    }
    const std::optional<IsoWeek> week = ParseWeekLabel(window);
    absl::StatusOr<absl::Time> start = week ? WeekStart(*week) : absl::StatusOr<absl::Time>();
    if (start.ok()) {
      absl::StatusOr<v1::CaseView::ContactWeek> counted =
          ContactWeekAt(state, *start, params.fixed_min_contacts_per_week);
      if (counted.ok() && counted->plan_minimum() > 0 && !counted->below_plan()) {
        return absl::StrCat("contacts recorded late: ", counted->contacts_offered(), " offered in ",
                            window, " against a plan of ", counted->plan_minimum());
      }
    }
  }
  return "";
}

}  // namespace

// --- The rules -----------------------------------------------------------------

std::vector<AlertAction> AlertsOnEvent(const v1::PersonState& state, const v1::Event& event,
                                       const std::optional<RuleBreach>& overridden,
                                       const RuleConfig& config, const Parameters& params,
                                       AlertLedger& ledger) {
  std::vector<AlertAction> out;
  const absl::Time at = ToTime(event.occurred_at());
  // Resolutions first: an event that ends one alert may start the next.
  for (const v1::RuleDescription& rule : RuleCatalogue()) {
    for (const std::string& window : ledger.OpenWindows(rule.id())) {
      uint64_t evidence = 0;
      std::string why = NoLongerApplies(state, rule.id(), window, *ledger.Find(rule.id(), window),
                                        params, &evidence);
      if (why.empty()) continue;
      if (evidence == 0) evidence = event.position();
      ledger.Take(AlertAction::Resolve(rule.id(), window, std::move(why), at, evidence), config,
                  &out);
    }
  }
  RaisesOnEvent(state, event, overridden, config, params, ledger, &out);
  return out;
}

}  // namespace iomhub::projections::alert_rules
