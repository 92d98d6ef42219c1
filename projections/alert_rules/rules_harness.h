// Test-only: one person's stream run through the alert rules as the hub
// runs it — each event folded, the rules asked, and the alert events they
// decide appended to the stream (as the AlertRunner appends them to the
// log) and folded in turn.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_RULES_HARNESS_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_RULES_HARNESS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/timestamps.h"
#include "gtest/gtest.h"
#include "projections/alert_rules/alert_rules.h"
#include "projections/alert_rules/command_rules.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/alert_rules/rule_config.h"
#include "projections/test_person_stream.h"

namespace iomhub::projections::alert_rules::testing {

class RulesHarness {
 public:
  explicit RulesHarness(RuleConfig config = RuleConfig()) : config_(std::move(config)) {}

  const RuleConfig& config() const { return config_; }
  const Parameters& params() const { return config_.defaults(); }
  const v1::PersonState& state() const { return state_; }
  const std::string& person_id() const { return stream_.person_id(); }

  // The next event of the stream; set its payload, then call Settle.
  v1::Event* Next(absl::Time at, v1::AgencyKind agency = v1::AGENCY_KIND_PROBATION,
                  const std::string& role = "probation_officer") {
    v1::Event* e = stream_.Next(at, agency, role);
    *e->mutable_recorded_at() = e->occurred_at();
    return e;
  }

  // Judges the newest event as the hub would before appending it (the
  // state holds everything before it). Call before Settle.
  absl::Status Judge(v1::Role role, absl::Time now) {
    return JudgeCommand(state_, stream_.Get(stream_.size() - 1), role, config_, params(), now);
  }

  // Folds every event not folded yet and runs the rules on each; the alert
  // events decided are appended and folded too. Returns them.
  std::vector<v1::Event> Settle() {
    std::vector<v1::Event> decided;
    while (folded_ < stream_.size()) {
      const v1::Event e = stream_.Get(folded_++);
      std::optional<RuleBreach> overridden;
      if (!OverrideReasonOf(e).empty()) {
        overridden = FindBreach(state_, e, config_, params(), ToTime(e.recorded_at()));
      }
      EXPECT_TRUE(ApplyToPersonState(e, &state_).ok());
      AlertLedger ledger = Ledger();
      for (const AlertAction& a :
           AlertsOnEvent(state_, e, overridden, config_, params(), ledger)) {
        decided.push_back(Append(a, e.event_id()));
      }
    }
    return decided;
  }

  // The time-driven alerts due at `now`, appended and settled.
  std::vector<v1::Event> Due(absl::Time now) {
    Settle();
    AlertLedger ledger = Ledger();
    std::vector<v1::Event> decided;
    for (const AlertAction& a : DueAlerts(state_, now, config_, params(), ledger)) {
      decided.push_back(Append(a, ""));
    }
    std::vector<v1::Event> more = Settle();
    decided.insert(decided.end(), more.begin(), more.end());
    return decided;
  }

  // Rule 1 at the end of `week`, appended and settled.
  std::vector<v1::Event> Week(IsoWeek week) {
    Settle();
    AlertLedger ledger = Ledger();
    absl::StatusOr<std::optional<AlertAction>> a =
        WeekAlert(state_, week, config_, params(), ledger);
    EXPECT_TRUE(a.ok()) << a.status();
    std::vector<v1::Event> decided;
    if (a.ok() && a->has_value()) decided.push_back(Append(**a, ""));
    std::vector<v1::Event> more = Settle();
    decided.insert(decided.end(), more.begin(), more.end());
    return decided;
  }

  std::vector<Deadline> Pending() const {
    return Deadlines(state_, config_, params(), AlertLedger(state_));
  }

  bool IsOpen(const std::string& rule, const std::string& window) const {
    return AlertLedger(state_).IsOpen(rule, window);
  }
  std::vector<std::string> OpenWindows(const std::string& rule) const {
    return AlertLedger(state_).OpenWindows(rule);
  }

 private:
  // The state's alerts and those appended after the events folded so far:
  // what the projection's pending list holds.
  AlertLedger Ledger() const {
    AlertLedger ledger(state_);
    for (size_t i = folded_; i < stream_.size(); ++i) ledger.AddPending(stream_.Get(i));
    return ledger;
  }

  v1::Event Append(const AlertAction& action, const std::string& cause) {
    const v1::Event alert = AlertEvent(person_id(), action, cause);
    v1::Event* e = stream_.Next(action.at, v1::AGENCY_KIND_HUB_ADMIN, "system");
    const uint64_t position = e->position();
    const uint64_t version = e->stream_version();
    *e = alert;
    e->set_position(position);
    e->set_stream_version(version);
    *e->mutable_recorded_at() = e->occurred_at();
    return *e;
  }

  RuleConfig config_;
  ::iomhub::projections::testing::TestPersonStream stream_;
  size_t folded_ = 0;
  v1::PersonState state_;
};

// The (rule, window) of each alert event, "+" raised or "-" resolved:
// {"+ARREST_OR_CHARGE arrest:C1", "-COMPLIANCE_CONCERN c2"}.
inline std::vector<std::string> Summarize(const std::vector<v1::Event>& events) {
  std::vector<std::string> out;
  for (const v1::Event& e : events) {
    if (e.has_alert_raised()) {
      out.push_back("+" + e.alert_raised().rule() + " " + e.alert_raised().window());
    } else if (e.has_alert_resolved()) {
      out.push_back("-" + e.alert_resolved().rule() + " " + e.alert_resolved().window());
    }
  }
  return out;
}

}  // namespace iomhub::projections::alert_rules::testing

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_RULES_HARNESS_H_
