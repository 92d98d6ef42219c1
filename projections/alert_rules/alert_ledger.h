// The alert ledger: a person's alerts as the rules see them — those the log
// holds and those decided and not yet appended — and the events that carry
// an alert decision. AlertEvent derives an alert's event id from (person,
// rule, window, occurrence), so deciding the same thing again (a replay, a
// rebuild, a restart) yields the same event, which the log stores once.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_LEDGER_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_LEDGER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"
#include "iomhub/v1/rules.pb.h"
#include "projections/alert_rules/rule_config.h"

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

  // A raise of `rule` (a catalogue id: its severity comes from there);
  // zero positions are left out of `evidence`.
  static AlertAction Raise(const char* rule, std::string window, std::string summary, absl::Time at,
                           std::vector<uint64_t> evidence,
                           v1::ServiceKind service = v1::SERVICE_KIND_UNSPECIFIED);
  // A resolution of (rule, window) for `reason`; `evidence` 0 for none.
  static AlertAction Resolve(const std::string& rule, const std::string& window, std::string reason,
                             absl::Time at, uint64_t evidence);
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
  // Decides `action` and appends it to `out` if it changed something. A
  // rule `config` disables raises nothing (what it raised earlier can still
  // resolve).
  void Take(AlertAction action, const RuleConfig& config, std::vector<AlertAction>* out);

 private:
  absl::flat_hash_map<std::string, Entry> entries_;  // key: rule + '\0' + window
};

// The event that carries `action` for person `person_id`: its derived id,
// the stream, occurred_at, the hub as producer, and `causation_id`.
v1::Event AlertEvent(const std::string& person_id, const AlertAction& action,
                     const std::string& causation_id);

// The hub's alert rules as the producer of alert events.
v1::Producer AlertProducer();

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_LEDGER_H_
