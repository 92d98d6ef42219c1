// What the rules read off a person's state (person_state.proto): the facts
// command rules and alert rules share, so each is worked out once. Pure;
// thread-safe.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_RULE_FACTS_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_RULE_FACTS_H_

#include <optional>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "iomhub/v1/person_state.pb.h"
#include "projections/alert_rules/rule_config.h"

namespace iomhub::projections::alert_rules {

// `t` plus `months` calendar months in London (31 January + 1 month is 3
// March: absl's civil-time normalisation).
absl::Time AddMonths(absl::Time t, int months);

// `t` plus `days` calendar days in London: the same wall-clock time, across
// clock changes.
absl::Time AddDays(absl::Time t, int days);

// "Mon 7 Dec 2026 10:00" in London time.
std::string LondonText(absl::Time t);
// "7 Dec 2026".
std::string LondonDate(absl::Time t);

// When a warning stops making the person liable: its liable_until, or
// warning_liability_months after it was issued.
absl::Time LiableUntil(const v1::PersonState::Warning& warning, const Parameters& params);

// The time a contact counts at: when it was scheduled for, else when its
// outcome was recorded (an outcome that arrived without a schedule).
absl::Time ContactTime(const v1::PersonState::Contact& contact);
// How long an appointment lasts (its duration, else the default).
absl::Duration AppointmentLength(const v1::PersonState::Contact& contact, const Parameters& params);

// For a Y2A case: when its minimum time in Flex ends (the selection's
// min_duration_until, else y2a_min_flex_months after selection).
absl::Time FlexUntil(const v1::PersonState& state, const Parameters& params);

bool MappaActive(const v1::PersonState& state);
// Risk of harm HIGH or VERY_HIGH.
bool HighRiskOfHarm(const v1::PersonState& state);
// On IOM in the Fixed cohort.
bool OnFixed(const v1::PersonState& state);

// When the contact plan's review is due (its next_review_due, else
// review_interval_weeks after the plan was set, same London wall-clock time);
// nullopt without a plan.
std::optional<absl::Time> ReviewDue(const v1::PersonState& state, const Parameters& params);

// The latest warning issued or breach consideration opened (InfinitePast if
// none): enforcement that answers earlier failures.
absl::Time LastEnforcementAction(const v1::PersonState& state);

// The contact or referral with this id, or nullptr.
const v1::PersonState::Contact* FindContact(const v1::PersonState& state, absl::string_view id);
const v1::PersonState::ServiceReferral* FindReferral(const v1::PersonState& state,
                                                     absl::string_view id);
// The first breach consideration opened, or warning issued, after log
// position `since` (what answers an alert raised there), or nullptr.
const v1::PersonState::BreachConsideration* ConsiderationAfter(const v1::PersonState& state,
                                                               uint64_t since);
const v1::PersonState::Warning* WarningAfter(const v1::PersonState& state, uint64_t since);
// The warning in force at `t` (issued by then, liable until after), or nullptr.
const v1::PersonState::Warning* WarningInForce(const v1::PersonState& state, absl::Time t,
                                               const Parameters& params);
bool HasOpenConsideration(const v1::PersonState& state);

// Settled, temporary or approved premises: somewhere to live.
bool Accommodated(const v1::PersonState& state);
// An outcome that is a failure to comply: an unacceptable absence, or
// attended and failed to comply.
bool FailureToComply(v1::ContactOutcome outcome);

// Rule 2's facts: an unacceptable absence, when it counts and where the
// log has it.
struct Absence {
  absl::Time at;
  uint64_t position;
};
// The unacceptable absences since the last warning or breach
// consideration, oldest first.
std::vector<Absence> AbsencesSinceEnforcement(const v1::PersonState& state);
// The most absences within any `days`-long span (those in it: `*best`),
// among spans holding `must_hold` if it is given.
size_t MostWithin(const std::vector<Absence>& absences, uint32_t days,
                  std::optional<absl::Time> must_hold, std::vector<Absence>* best);

// "2026-12-06": the London day of `t` as an alert window.
std::string DayWindow(absl::Time t);

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_RULE_FACTS_H_
