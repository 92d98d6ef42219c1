#include "projections/alert_rules/alert_rules.h"

#include <algorithm>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "common/timestamps.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/alert_rules/rule_facts.h"
#include "projections/case_view.h"
#include "projections/enum_words.h"

namespace iomhub::projections::alert_rules {
namespace {

using v1::PersonState;

std::string Key(const std::string& rule, const std::string& window) {
  return absl::StrCat(rule, std::string(1, '\0'), window);
}

uint64_t Latest(const std::vector<uint64_t>& positions) {
  return positions.empty() ? 0 : *std::max_element(positions.begin(), positions.end());
}

AlertAction Raise(const char* rule, std::string window, std::string summary, absl::Time at,
                  std::vector<uint64_t> evidence,
                  v1::ServiceKind service = v1::SERVICE_KIND_UNSPECIFIED) {
  AlertAction a;
  a.raise = true;
  a.rule = rule;
  a.window = std::move(window);
  a.text = std::move(summary);
  a.severity = FindRule(rule)->severity();
  a.service = service;
  evidence.erase(std::remove(evidence.begin(), evidence.end(), 0), evidence.end());
  a.evidence = std::move(evidence);
  a.at = at;
  return a;
}

AlertAction Resolve(const std::string& rule, const std::string& window, std::string reason,
                    absl::Time at, uint64_t evidence) {
  AlertAction a;
  a.raise = false;
  a.rule = rule;
  a.window = window;
  a.text = std::move(reason);
  a.at = at;
  if (evidence != 0) a.evidence.push_back(evidence);
  return a;
}

// Decides `action` on the ledger and keeps it if it changes something. A
// disabled rule raises nothing (what it raised earlier can still resolve).
void Take(AlertAction action, const RuleConfig& config, AlertLedger& ledger,
          std::vector<AlertAction>* out) {
  if (action.raise && !config.Enabled(action.rule)) return;
  if (ledger.Decide(action)) out->push_back(std::move(action));
}

std::string ServiceWords(v1::ServiceKind service) {
  return EnumWords(v1::ServiceKind_Name(service), "SERVICE_KIND_");
}

const PersonState::Contact* FindContact(const PersonState& state, const std::string& id) {
  for (const auto& c : state.contacts()) {
    if (c.contact_id() == id) return &c;
  }
  return nullptr;
}

const PersonState::BreachConsideration* FindConsideration(const PersonState& state,
                                                          const std::string& id) {
  for (const auto& bc : state.breach_considerations()) {
    if (bc.consideration_id() == id) return &bc;
  }
  return nullptr;
}

const PersonState::ServiceReferral* FindReferral(const PersonState& state, const std::string& id) {
  for (const auto& r : state.referrals()) {
    if (r.referral_id() == id) return &r;
  }
  return nullptr;
}

// The first breach consideration opened after log position `since`.
const PersonState::BreachConsideration* ConsiderationAfter(const PersonState& state,
                                                           uint64_t since) {
  for (const auto& bc : state.breach_considerations()) {
    if (bc.opened_position() > since) return &bc;
  }
  return nullptr;
}

const PersonState::Warning* WarningAfter(const PersonState& state, uint64_t since) {
  for (const auto& w : state.warnings()) {
    if (w.position() > since) return &w;
  }
  return nullptr;
}

bool Accommodated(const PersonState& state) {
  switch (state.accommodation().status()) {
    case v1::ACCOMMODATION_STATUS_SETTLED:
    case v1::ACCOMMODATION_STATUS_TEMPORARY:
    case v1::ACCOMMODATION_STATUS_APPROVED_PREMISES:
      return true;
    default:
      return false;
  }
}

bool FailureToComply(v1::ContactOutcome outcome) {
  return outcome == v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE ||
         outcome == v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY;
}

bool HasOpenConsideration(const PersonState& state) {
  for (const auto& bc : state.breach_considerations()) {
    if (bc.status() == PersonState::BreachConsideration::STATUS_OPEN) return true;
  }
  return false;
}

std::string DayWindow(absl::Time t) {
  absl::StatusOr<absl::CivilDay> day = LondonDayOf(t);
  return day.ok() ? DayLabel(*day) : absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

// --- Rule 2: compliance concern ---------------------------------------------

struct Absence {
  absl::Time at;
  uint64_t position;
};

// The unacceptable absences since the last warning or breach consideration.
std::vector<Absence> AbsencesSinceEnforcement(const PersonState& state) {
  const absl::Time since = LastEnforcementAction(state);
  std::vector<Absence> out;
  for (const auto& c : state.contacts()) {
    if (c.outcome() != v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE) continue;
    const absl::Time at = ContactTime(c);
    if (at > since) out.push_back({at, c.outcome_position()});
  }
  std::sort(out.begin(), out.end(), [](const Absence& a, const Absence& b) { return a.at < b.at; });
  return out;
}

// The most absences within any `days`-long span (those in it: `*best`),
// among spans holding `must_hold` if it is given.
size_t MostWithin(const std::vector<Absence>& absences, uint32_t days,
                  std::optional<absl::Time> must_hold, std::vector<Absence>* best) {
  const absl::Duration span = absl::Hours(24 * days);
  size_t most = 0;
  for (size_t i = 0; i < absences.size(); ++i) {
    const absl::Time start = absences[i].at;
    if (must_hold && (*must_hold < start || *must_hold >= start + span)) continue;
    std::vector<Absence> in;
    for (size_t j = i; j < absences.size() && absences[j].at < start + span; ++j) {
      in.push_back(absences[j]);
    }
    if (in.size() > most) {
      most = in.size();
      *best = std::move(in);
    }
  }
  return most;
}

// The warning in force at `t`, if any.
const PersonState::Warning* WarningInForce(const PersonState& state, absl::Time t,
                                           const Parameters& params) {
  for (const auto& w : state.warnings()) {
    if (ToTime(w.issued_at()) <= t && t < LiableUntil(w, params)) return &w;
  }
  return nullptr;
}

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
    Take(Raise(kBreachReferralRequired, p.contact_id(),
               absl::StrCat(
                   "Failure to comply on ", LondonText(when), " (",
                   EnumWords(v1::ContactOutcome_Name(p.outcome()), "CONTACT_OUTCOME_"),
                   ") while a warning issued on ", LondonDate(ToTime(warning->issued_at())),
                   warning->order_ref().empty() ? "" : absl::StrCat(" on order ", warning->order_ref()),
                   " is in force until ", LondonDate(LiableUntil(*warning, params)),
                   ": the only lawful action is referral for enforcement. Open a breach "
                   "consideration; a further warning will be refused."),
               at, {warning->position(), e.position()}),
         config, ledger, out);
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
  Take(Raise(kComplianceConcern, p.contact_id(),
             absl::StrCat(best.size(), " unacceptable absences within ", params.absence_window_days,
                          " days (", absl::StrJoin(dates, ", "), ") since ",
                          last_action == absl::InfinitePast()
                              ? std::string("supervision began")
                              : absl::StrCat("the last warning or breach consideration (",
                                             LondonDate(last_action), ")"),
                          ": decide on a warning or a breach consideration."),
             at, evidence),
       config, ledger, out);
}

// --- Raises on the event -----------------------------------------------------

void RaisesOnEvent(const PersonState& state, const v1::Event& e,
                   const std::optional<RuleBreach>& overridden, const RuleConfig& config,
                   const Parameters& params, AlertLedger& ledger, std::vector<AlertAction>* out) {
  const absl::Time at = ToTime(e.occurred_at());
  const bool on_iom = state.cohort().on_iom();
  if (overridden.has_value()) {
    const std::string by = absl::StrCat(
        e.producer().role().empty() ? std::string("someone") : e.producer().role(), " ",
        e.producer().user_id(), " (", AgencyName(e.producer().agency()), ")");
    Take(Raise(kManagerOverride, absl::StrCat(overridden->rule, "@", e.position()),
               absl::StrCat(by, " overrode ", overridden->rule, ": ", overridden->problem,
                            ". Their reason: \"", OverrideReasonOf(e), "\""),
               at, {e.position()}),
         config, ledger, out);
  }
  switch (e.payload_case()) {
    case v1::Event::kContactOutcomeRecorded:
      OnContactOutcome(state, e, config, params, ledger, out);
      break;
    case v1::Event::kArrestRecorded:
      if (on_iom) {
        const auto& p = e.arrest_recorded();
        Take(Raise(kArrestOrCharge,
                   absl::StrCat("arrest:", p.custody_ref().empty() ? e.event_id() : p.custody_ref()),
                   absl::StrCat("Arrested on ", LondonText(at),
                                p.station().empty() ? "" : absl::StrCat(" (", p.station(), ")"),
                                p.custody_ref().empty() ? "" : absl::StrCat(", custody ref ", p.custody_ref()),
                                ". Police and probation: agree whether to open a breach "
                                "consideration."),
                   at, {e.position()}),
             config, ledger, out);
      }
      break;
    case v1::Event::kChargeRecorded:
      if (on_iom) {
        const auto& p = e.charge_recorded();
        Take(Raise(kArrestOrCharge,
                   absl::StrCat("charge:", p.charge_ref().empty() ? e.event_id() : p.charge_ref()),
                   absl::StrCat("Charged on ", LondonText(at),
                                p.offence_category().empty() ? ""
                                                             : absl::StrCat(" (", p.offence_category(), ")"),
                                p.charge_ref().empty() ? "" : absl::StrCat(", charge ref ", p.charge_ref()),
                                ". Police and probation: agree whether to open a breach "
                                "consideration."),
                   at, {e.position()}),
             config, ledger, out);
      }
      break;
    case v1::Event::kReleasedFromCustody:
      if (on_iom && !Accommodated(state)) {
        const v1::AccommodationStatus status = state.accommodation().status();
        Take(Raise(kNoAccommodationOnRelease, DayWindow(at),
                   absl::StrCat("Released",
                                e.released_from_custody().establishment().empty()
                                    ? ""
                                    : absl::StrCat(" from ", e.released_from_custody().establishment()),
                                " on ", LondonDate(at), " with ",
                                status == v1::ACCOMMODATION_STATUS_UNSPECIFIED
                                    ? std::string("no accommodation recorded")
                                    : EnumWords(v1::AccommodationStatus_Name(status),
                                            "ACCOMMODATION_STATUS_"),
                                ": make a housing referral today."),
                   at, {e.position(), state.accommodation().position()}),
             config, ledger, out);
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
        return absl::StrCat(p.by().role(), " ", p.by().user_id(), " says ",
                            EnumWords(v1::EnforcementPosition_Name(p.position()),
                                  "ENFORCEMENT_POSITION_"));
      };
      Take(Raise(kBreachPositionsDiffer, bc->consideration_id(),
                 absl::StrCat("Police and probation disagree on breach consideration ",
                              bc->consideration_id(), ": police ", say(*police), "; probation ",
                              say(*probation),
                              ". Escalate to the Inspector or the head of the probation delivery "
                              "unit."),
                 at, {police->log_position(), probation->log_position()}),
           config, ledger, out);
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
      if (r.registration() == v1::REGISTRATION_MAPPA || r.register_code() == "MAPP") mappa = r.position();
    }
    Take(Raise(kDuplicateSupervision, DayWindow(at),
               "A WISDOM case on IOM is also managed under MAPPA: agree one lead and one contact "
               "plan so the person is not supervised twice.",
               at, {state.cohort().cohort_position(), mappa}),
         config, ledger, out);
  }
  if (on_iom && state.accommodation().status() == v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE &&
      ledger.OpenWindows(kNoFixedAbode).empty()) {
    const absl::Time since = ToTime(state.accommodation().since());
    Take(Raise(kNoFixedAbode, DayWindow(since),
               absl::StrCat("No fixed abode since ", LondonDate(since),
                            ": housing can give priority access under the duty to refer."),
               at, {state.accommodation().position()}),
         config, ledger, out);
  }
}

// --- Resolutions --------------------------------------------------------------

std::optional<IsoWeek> ParseWeek(absl::string_view label) {
  int year = 0, week = 0;
  if (label.size() != 8 || label[4] != '-' || label[5] != 'W' ||
      !absl::SimpleAtoi(label.substr(0, 4), &year) || !absl::SimpleAtoi(label.substr(6), &week)) {
    return std::nullopt;
  }
  return IsoWeek{year, week};
}

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
      return absl::StrCat("decided: ", EnumWords(v1::EnforcementPosition_Name(bc->decision().decision()),
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
      return absl::StrCat("answered: ", EnumWords(v1::ReferralOutcome_Name(r->outcome()),
                                              "REFERRAL_OUTCOME_"),
                          " on ", LondonDate(ToTime(r->outcome_at())));
    }
  } else if (rule == kContactsBelowPlan) {
    if (state.last_review().position() > since) {
      *evidence = state.last_review().position();
      return absl::StrCat("the contact plan was reviewed on ",
                          LondonDate(ToTime(state.last_review().completed_at())));
    }
    const std::optional<IsoWeek> week = ParseWeek(window);
    absl::StatusOr<absl::Time> start = week ? WeekStart(*week) : absl::StatusOr<absl::Time>();
    if (start.ok()) {
      absl::StatusOr<v1::CaseView::ContactWeek> counted =
          ContactWeekAt(state, *start, params.fixed_min_contacts_per_week);
      if (counted.ok() && counted->plan_minimum() > 0 && !counted->below_plan()) {
        return absl::StrCat("contacts recorded late: ", counted->contacts_offered(),
                            " offered in ", window, " against a plan of ",
                            counted->plan_minimum());
      }
    }
  }
  return "";
}

}  // namespace

// --- AlertLedger --------------------------------------------------------------

AlertLedger::AlertLedger(const v1::PersonState& state) {
  for (const PersonState::Alert& a : state.alerts()) {
    Entry& entry = entries_[Key(a.rule(), a.window())];
    entry.open = a.has_raised_at() && !a.has_resolved_at();
    entry.occurrence = a.occurrence();
    if (a.has_raised_at()) entry.raised_at = ToTime(a.raised_at());
    entry.since = a.raised_position() != 0
                      ? a.raised_position()
                      : Latest({a.evidence_positions().begin(), a.evidence_positions().end()});
    entry.service = a.service();
  }
}

void AlertLedger::AddPending(const v1::Event& e) {
  if (e.has_alert_raised()) {
    const auto& p = e.alert_raised();
    Entry& entry = entries_[Key(p.rule(), p.window())];
    entry.open = true;
    entry.occurrence = std::max(entry.occurrence, p.occurrence());
    entry.raised_at = ToTime(e.occurred_at());
    entry.since = Latest({p.evidence_positions().begin(), p.evidence_positions().end()});
    entry.service = p.service();
  } else if (e.has_alert_resolved()) {
    auto it = entries_.find(Key(e.alert_resolved().rule(), e.alert_resolved().window()));
    if (it != entries_.end()) it->second.open = false;
  }
}

const AlertLedger::Entry* AlertLedger::Find(const std::string& rule,
                                            const std::string& window) const {
  auto it = entries_.find(Key(rule, window));
  return it == entries_.end() ? nullptr : &it->second;
}

bool AlertLedger::IsOpen(const std::string& rule, const std::string& window) const {
  const Entry* entry = Find(rule, window);
  return entry != nullptr && entry->open;
}

std::vector<std::string> AlertLedger::OpenWindows(const std::string& rule) const {
  std::vector<std::string> out;
  const std::string prefix = Key(rule, "");
  for (const auto& [key, entry] : entries_) {
    if (entry.open && key.compare(0, prefix.size(), prefix) == 0) {
      out.push_back(key.substr(prefix.size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool AlertLedger::Decide(AlertAction& action) {
  if (action.raise) {
    Entry& entry = entries_[Key(action.rule, action.window)];
    if (entry.open) return false;
    entry.open = true;
    action.occurrence = ++entry.occurrence;
    entry.raised_at = action.at;
    entry.since = Latest(action.evidence);
    entry.service = action.service;
    return true;
  }
  auto it = entries_.find(Key(action.rule, action.window));
  if (it == entries_.end() || !it->second.open) return false;
  it->second.open = false;
  action.occurrence = it->second.occurrence;
  action.service = it->second.service;
  action.severity = FindRule(action.rule) != nullptr ? FindRule(action.rule)->severity()
                                                     : v1::ALERT_SEVERITY_UNSPECIFIED;
  return true;
}

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
      std::string why =
          NoLongerApplies(state, rule.id(), window, *ledger.Find(rule.id(), window), params,
                          &evidence);
      if (why.empty()) continue;
      if (evidence == 0) evidence = event.position();
      Take(Resolve(rule.id(), window, std::move(why), at, evidence), config, ledger, &out);
    }
  }
  RaisesOnEvent(state, event, overridden, config, params, ledger, &out);
  return out;
}

std::vector<AlertAction> DueAlerts(const v1::PersonState& state, absl::Time now,
                                   const RuleConfig& config, const Parameters& params,
                                   AlertLedger& ledger) {
  std::vector<AlertAction> out;
  for (const Deadline& d : Deadlines(state, config, params, ledger)) {
    if (d.due > now) continue;
    if (d.rule == kReviewOverdue) {
      const auto& plan = state.contact_plan();
      Take(Raise(kReviewOverdue, d.window,
                 absl::StrCat("The contact plan set on ", LondonDate(ToTime(plan.set_at())),
                              " (", plan.min_contacts_per_week(),
                              " contacts a week) was due for review on ", LondonDate(d.due),
                              ": review it — maintain, reduce, increase or deselect, with a "
                              "rationale."),
                 d.due, {plan.position(), state.last_review().position()}),
           config, ledger, &out);
    } else if (d.rule == kReferralOverdue) {
      const auto* r = FindReferral(state, d.window);
      Take(Raise(kReferralOverdue, d.window,
                 absl::StrCat(absl::AsciiStrToUpper(ServiceWords(r->service()).substr(0, 1)),
                              ServiceWords(r->service()).substr(1), " referral ", r->referral_id(),
                              r->provider().empty() ? "" : absl::StrCat(" to ", r->provider()),
                              ", sent on ", LondonDate(ToTime(r->sent_at())),
                              r->priority_access_requested() ? " asking for priority access" : "",
                              ", has had no answer by ", LondonText(d.due),
                              ": chase the provider."),
                 d.due, {r->sent_position()}, r->service()),
           config, ledger, &out);
    } else if (d.rule == kBreachDecisionOverdue) {
      const auto* bc = FindConsideration(state, d.window);
      std::vector<std::string> missing;
      bool police = false, probation = false;
      for (const auto& p : bc->positions()) {
        police |= p.by().agency() == v1::AGENCY_KIND_POLICE;
        probation |= p.by().agency() == v1::AGENCY_KIND_PROBATION;
      }
      if (!police) missing.push_back("the police Sergeant's position");
      if (!probation) missing.push_back("the SPO's position");
      Take(Raise(kBreachDecisionOverdue, d.window,
                 absl::StrCat("Breach consideration ", bc->consideration_id(), " (",
                              EnumWords(v1::BreachTrigger_Name(bc->trigger()), "BREACH_TRIGGER_"),
                              "), opened on ", LondonDate(ToTime(bc->opened_at())),
                              ", is still undecided after ", params.breach_decision_days,
                              " days",
                              missing.empty() ? std::string(": record the joint decision")
                                              : absl::StrCat(": waiting for ",
                                                             absl::StrJoin(missing, " and ")),
                              "."),
                 d.due, {bc->opened_position()}),
           config, ledger, &out);
    }
  }
  return out;
}

std::vector<Deadline> Deadlines(const v1::PersonState& state, const RuleConfig& config,
                                const Parameters& params, const AlertLedger& ledger) {
  std::vector<Deadline> out;
  if (!state.cohort().on_iom()) return out;
  auto add = [&](absl::Time due, const char* rule, std::string window) {
    if (!config.Enabled(rule) || ledger.Find(rule, window) != nullptr) return;
    out.push_back({due, rule, std::move(window)});
  };
  if (const std::optional<absl::Time> due = ReviewDue(state, params)) {
    add(*due, kReviewOverdue, DayWindow(*due));
  }
  for (const auto& r : state.referrals()) {
    if (r.status() != PersonState::ServiceReferral::STATUS_OPEN || !r.has_sent_at()) continue;
    absl::Time due;
    if (r.has_respond_by()) {
      due = ToTime(r.respond_by());
    } else {
      absl::StatusOr<absl::Time> end = config.calendar().EndOfWorkingDays(
          ToTime(r.sent_at()), static_cast<int>(params.ReferralWorkingDays(r.service())));
      if (!end.ok()) continue;
      due = *end;
    }
    add(due, kReferralOverdue, r.referral_id());
  }
  for (const auto& bc : state.breach_considerations()) {
    if (bc.status() != PersonState::BreachConsideration::STATUS_OPEN || !bc.has_opened_at()) {
      continue;
    }
    add(AddDays(ToTime(bc.opened_at()), static_cast<int>(params.breach_decision_days)),
        kBreachDecisionOverdue, bc.consideration_id());
  }
  std::sort(out.begin(), out.end(), [](const Deadline& a, const Deadline& b) {
    return std::tie(a.due, a.rule, a.window) < std::tie(b.due, b.rule, b.window);
  });
  return out;
}

absl::StatusOr<std::optional<AlertAction>> WeekAlert(const v1::PersonState& state, IsoWeek week,
                                                     const RuleConfig& config,
                                                     const Parameters& params,
                                                     AlertLedger& ledger) {
  const std::string label = WeekLabel(week);
  if (!config.Enabled(kContactsBelowPlan) || !OnFixed(state) ||
      ledger.Find(kContactsBelowPlan, label) != nullptr) {
    return std::nullopt;
  }
  IOMHUB_ASSIGN_OR_RETURN(const absl::Time start, WeekStart(week));
  IOMHUB_ASSIGN_OR_RETURN(const absl::Time end, NextWeekStart(week));
  // On IOM in Fixed for the whole week: nothing changed the cohort in it.
  const auto& history = state.cohort().history();
  if (history.empty() || ToTime(history.Get(history.size() - 1).at()) > start) return std::nullopt;
  // Not in custody during any of it.
  const auto& custody = state.custody();
  if (custody.has_since() && ToTime(custody.since()) < end &&
      (custody.in_custody() || ToTime(custody.released_at()) > start)) {
    return std::nullopt;
  }
  std::vector<uint64_t> offered;
  IOMHUB_ASSIGN_OR_RETURN(
      const v1::CaseView::ContactWeek counted,
      ContactWeekAt(state, start, params.fixed_min_contacts_per_week, &offered));
  if (counted.plan_minimum() == 0 || !counted.below_plan()) return std::nullopt;
  const std::string plan =
      counted.plan_defaulted()
          ? std::string("the Fixed cohort's default")
          : absl::StrCat("the contact plan set on ",
                         LondonDate(ToTime(state.contact_plan().set_at())));
  offered.push_back(state.contact_plan().position());
  AlertAction action =
      Raise(kContactsBelowPlan, label,
            absl::StrCat(counted.contacts_offered(), " contact",
                         counted.contacts_offered() == 1 ? "" : "s", " offered in ", label, " (",
                         LondonDate(start), " to ", LondonDate(end - absl::Seconds(1)),
                         ") against ", counted.plan_minimum(), " a week (", plan, "); ",
                         counted.contacts_kept(), " kept. Offer more contacts this week, or "
                         "review the plan if it does not fit."),
            end, offered);
  if (!ledger.Decide(action)) return std::nullopt;
  return action;
}

v1::Producer AlertProducer() {
  v1::Producer p;
  p.set_agency(v1::AGENCY_KIND_HUB_ADMIN);
  p.set_organisation("iomhub");
  p.set_system("iomhub-alert-rules");
  p.set_user_id("alert-rules");
  p.set_role("system");
  p.set_purpose("iom_case_management");
  return p;
}

v1::Event AlertEvent(const std::string& person_id, const AlertAction& action,
                     const std::string& causation_id) {
  v1::Event e;
  e.set_event_id(NameBasedUuid(
      kIomhubNamespace, absl::StrCat("alert/", person_id, "/", action.rule, "/", action.window, "/",
                                     action.occurrence, action.raise ? "/raised" : "/resolved")));
  e.set_stream(absl::StrCat("person-", person_id));
  *e.mutable_occurred_at() = ToTimestamp(action.at);
  *e.mutable_producer() = AlertProducer();
  e.set_causation_id(causation_id);
  e.set_handling(v1::HANDLING_MARKING_OFFICIAL_SENSITIVE_PERSONAL);
  if (action.raise) {
    v1::AlertRaised* p = e.mutable_alert_raised();
    p->set_rule(action.rule);
    p->set_window(action.window);
    p->set_summary(action.text);
    p->set_rule_source(FindRule(action.rule)->source());
    p->set_severity(action.severity);
    p->mutable_evidence_positions()->Add(action.evidence.begin(), action.evidence.end());
    p->set_service(action.service);
    p->set_occurrence(action.occurrence);
  } else {
    v1::AlertResolved* p = e.mutable_alert_resolved();
    p->set_rule(action.rule);
    p->set_window(action.window);
    p->set_reason(action.text);
    p->set_service(action.service);
    p->set_occurrence(action.occurrence);
    p->mutable_evidence_positions()->Add(action.evidence.begin(), action.evidence.end());
  }
  return e;
}

}  // namespace iomhub::projections::alert_rules
