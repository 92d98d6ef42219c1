// Alert rules: which alerts a person's state calls for (DOMAIN.md "Rules the
// hub checks"; the catalogue is rule_catalogue.h, the reasons docs/alerts.md).
//
//   AlertsOnEvent  after each event of the person's stream: the alerts it
//                  raises (an arrest, a second unacceptable absence, ...) and
//                  those that no longer apply (an answered referral);
//   DueAlerts      the alerts whose time has come at `now` (a review date
//                  passed, a referral unanswered after 5 working days, a
//                  breach consideration open for 10 days);
//   WeekAlert      the end of an ISO week: contacts offered below plan;
//   Deadlines      when DueAlerts will next have something to raise.
//
// Each works on an AlertLedger (alert_ledger.h): the person's alerts as the
// log has them plus the ones already decided and not yet in the log, so
// nothing is decided twice. The event-driven rules are in alert_rules.cc,
// the time-driven ones in due_alerts.cc.
//
// Pure: every time comes from the events or from `now`. Thread-safe.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"
#include "iomhub/v1/rules.pb.h"
#include "projections/alert_rules/alert_ledger.h"
#include "projections/alert_rules/command_rules.h"
#include "projections/alert_rules/rule_config.h"
#include "projections/calendar.h"

namespace iomhub::projections::alert_rules {

// The alerts `event` (already folded into `state`) raises and resolves.
// `overridden` names the rule the event overrode, if it did (command_rules.h
// JudgeCommand, as it judged the state before the event). Each returned
// action has been Decided on `ledger`.
std::vector<AlertAction> AlertsOnEvent(const v1::PersonState& state, const v1::Event& event,
                                       const std::optional<RuleBreach>& overridden,
                                       const RuleConfig& config, const Parameters& params,
                                       AlertLedger& ledger);

// The time-driven alerts (rules 6, 7, 8) due at `now` and not raised yet.
std::vector<AlertAction> DueAlerts(const v1::PersonState& state, absl::Time now,
                                   const RuleConfig& config, const Parameters& params,
                                   AlertLedger& ledger);

// Rule 1 for ISO week `week` (ended): CONTACTS_BELOW_PLAN if the person was
// on IOM in Fixed all week, not in custody during it, and offered fewer
// contacts than the plan; nullopt otherwise or if already raised.
absl::StatusOr<std::optional<AlertAction>> WeekAlert(const v1::PersonState& state, IsoWeek week,
                                                     const RuleConfig& config,
                                                     const Parameters& params,
                                                     AlertLedger& ledger);

// When a time-driven alert of the person falls due.
struct Deadline {
  absl::Time due;
  std::string rule;
  std::string window;
};
// The deadlines of the alerts DueAlerts would raise at some later `now`.
std::vector<Deadline> Deadlines(const v1::PersonState& state, const RuleConfig& config,
                                const Parameters& params, const AlertLedger& ledger);

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_H_
