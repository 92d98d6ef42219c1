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
// Each works on an AlertLedger: the person's alerts as the log has them plus
// the ones already decided and not yet in the log, so nothing is decided
// twice. An alert's event id is derived from (person, rule, window,
// occurrence) by AlertEvent, so deciding the same thing again — a replay, a
// rebuild, a restart — yields the same event, which the log stores once.
//
// Pure: every time comes from the events or from `now`. Thread-safe.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"
#include "iomhub/v1/rules.pb.h"
#include "projections/alert_rules/command_rules.h"
#include "projections/alert_rules/rule_config.h"
#include "projections/calendar.h"

namespace iomhub::projections::alert_rules {

// One alert to raise or resolve.
struct AlertAction {
  bool raise = true;  // false: resolve
  std::string rule;
  std::string window;
  // Raise: the summary (what happened and what to do); resolve: the reason.
  std::string text;
  v1::AlertSeverity severity = v1::ALERT_SEVERITY_UNSPECIFIED;
  v1::ServiceKind service = v1::SERVICE_KIND_UNSPECIFIED;
  std::vector<uint64_t> evidence;  // log positions
  absl::Time at;                   // the alert event's occurred_at
  uint32_t occurrence = 0;         // set by AlertLedger::Decide
};

// A person's alerts as the rules see them. Not thread-safe.
class AlertLedger {
 public:
  struct Entry {
    bool open = false;
    uint32_t occurrence = 0;  // times raised
    absl::Time raised_at = absl::InfinitePast();
    // The log position after which an action answers the alert: its
    // AlertRaised, or (decided, not in the log yet) its latest evidence.
    uint64_t since = 0;
    v1::ServiceKind service = v1::SERVICE_KIND_UNSPECIFIED;
  };

  // The alerts folded into `state`.
  explicit AlertLedger(const v1::PersonState& state);
  // Adds an alert event decided and not yet in the log (AlertRaised or
  // AlertResolved; other events are ignored), in the order decided.
  void AddPending(const v1::Event& alert_event);

  // Nullptr if (rule, window) was never raised or resolved.
  const Entry* Find(const std::string& rule, const std::string& window) const;
  bool IsOpen(const std::string& rule, const std::string& window) const;
  // The windows of `rule` that are open, sorted.
  std::vector<std::string> OpenWindows(const std::string& rule) const;

  // Records `action` as decided and sets its occurrence: a raise is the
  // (rule, window)'s next occurrence, a resolution ends the current one.
  // False (and nothing recorded) if it would change nothing: raising what is
  // open, resolving what is not.
  bool Decide(AlertAction& action);

 private:
  void Raise(const std::string& rule, const std::string& window, absl::Time at,
             v1::ServiceKind service);
  void Resolve(const std::string& rule, const std::string& window);
  absl::flat_hash_map<std::string, Entry> entries_;  // key: rule + '\0' + window
};

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

// The event that carries `action` for person `person_id`: its derived id,
// the stream, occurred_at, the hub as producer, and `causation_id`.
v1::Event AlertEvent(const std::string& person_id, const AlertAction& action,
                     const std::string& causation_id);

// The hub's alert rules as the producer of alert events.
v1::Producer AlertProducer();

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_H_
