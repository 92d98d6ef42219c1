// The time-driven alert rules (alert_rules.h): reviews, referrals and
// breach decisions overdue (rules 6, 7, 8), and a week's contacts below plan
// (rule 1).
#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "common/timestamps.h"
#include "projections/alert_rules/alert_rules.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/alert_rules/rule_facts.h"
#include "projections/case_view.h"
#include "projections/enum_words.h"
#include "projections/person_state.h"

namespace iomhub::projections::alert_rules {
namespace {

using v1::PersonState;

std::string ServiceWords(v1::ServiceKind service) {
  return EnumWords(v1::ServiceKind_Name(service), "SERVICE_KIND_");
}

}  // namespace

std::vector<AlertAction> DueAlerts(const v1::PersonState& state, absl::Time now,
                                   const RuleConfig& config, const Parameters& params,
                                   AlertLedger& ledger) {
  std::vector<AlertAction> out;
  for (const Deadline& d : Deadlines(state, config, params, ledger)) {
    if (d.due > now) continue;
    if (d.rule == kReviewOverdue) {
      const auto& plan = state.contact_plan();
      ledger.Take(AlertAction::Raise(
                      kReviewOverdue, d.window,
                      absl::StrCat("The contact plan set on ", LondonDate(ToTime(plan.set_at())),
                                   " (", plan.min_contacts_per_week(),
                                   " contacts a week) was due for review on ", LondonDate(d.due),
                                   ": review it — maintain, reduce, increase or deselect, with a "
                                   "rationale."),
                      d.due, {plan.position(), state.last_review().position()}),
                  config, &out);
    } else if (d.rule == kReferralOverdue) {
      const auto* r = FindReferral(state, d.window);
      ledger.Take(
          AlertAction::Raise(
              kReferralOverdue, d.window,
              absl::StrCat(absl::AsciiStrToUpper(ServiceWords(r->service()).substr(0, 1)),
                           ServiceWords(r->service()).substr(1), " referral ", r->referral_id(),
                           r->provider().empty() ? "" : absl::StrCat(" to ", r->provider()),
                           ", sent on ", LondonDate(ToTime(r->sent_at())),
                           r->priority_access_requested() ? " asking for priority access" : "",
                           ", has had no answer by ", LondonText(d.due), ": chase the provider."),
              d.due, {r->sent_position()}, r->service()),
          config, &out);
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
      ledger.Take(
          AlertAction::Raise(
              kBreachDecisionOverdue, d.window,
              absl::StrCat("Breach consideration ", bc->consideration_id(), " (",
                           EnumWords(v1::BreachTrigger_Name(bc->trigger()), "BREACH_TRIGGER_"),
                           "), opened on ", LondonDate(ToTime(bc->opened_at())),
                           ", is still undecided after ", params.breach_decision_days, " days",
                           missing.empty()
                               ? std::string(": record the joint decision")
                               : absl::StrCat(": waiting for ", absl::StrJoin(missing, " and ")),
                           "."),
              d.due, {bc->opened_position()}),
          config, &out);
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
  const std::string plan = counted.plan_defaulted()
                               ? std::string("the Fixed cohort's default")
                               : absl::StrCat("the contact plan set on ",
                                              LondonDate(ToTime(state.contact_plan().set_at())));
  offered.push_back(state.contact_plan().position());
  AlertAction action = AlertAction::Raise(
      kContactsBelowPlan, label,
      absl::StrCat(counted.contacts_offered(), " contact",
                   counted.contacts_offered() == 1 ? "" : "s", " offered in ", label, " (",
                   LondonDate(start), " to ", LondonDate(end - absl::Seconds(1)), ") against ",
                   counted.plan_minimum(), " a week (", plan, "); ", counted.contacts_kept(),
                   " kept. Offer more contacts this week, or "
                   "review the plan if it does not fit."),
      end, offered);
  if (!ledger.Decide(action)) return std::nullopt;
  return action;
}

}  // namespace iomhub::projections::alert_rules
