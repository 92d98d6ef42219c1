// Command rules: the IOM rules that must stop an action, not alert after it
// (DOMAIN.md rules 3, 4, 5 and 10; docs/alerts.md "Rules that refuse"):
//   Y2A_FLEX_MINIMUM          a Y2A case sits in Flex for its first 3 months
//   WISDOM_FREE_HIGH_RISK     WISDOM cases are Free, with high or very high risk of harm
//   WARNING_WITHIN_12_MONTHS  no second warning on an order within 12 months
//                             (Sentencing Act 2020 Sch. 10 para 6): refer instead
//   OVERLAPPING_APPOINTMENTS  no two future appointments of a person overlap
// A manager may override one by giving the event's manager_override_reason;
// the override is then recorded (it is in the event) and raises a
// MANAGER_OVERRIDE alert (alert_rules.h).
//
// Also the check a ConsentWithdrawn needs, which likewise reads the
// person's state: the consent must be recorded, and be the producer's own.
//
// Pure: the state, the event and the moment are given. Thread-safe.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_COMMAND_RULES_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_COMMAND_RULES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "iomhub/v1/actor.pb.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"
#include "projections/alert_rules/rule_config.h"

namespace iomhub::projections::alert_rules {

// A rule an event would break.
struct RuleBreach {
  std::string rule;     // e.g. kY2aFlexMinimum
  std::string problem;  // what is wrong, in words a practitioner understands
  std::string instead;  // what is allowed instead
};

// Whether `event` is of a type some command rule or check looks at (so the
// caller must read the person's state before appending it).
bool NeedsPersonCheck(const v1::Event& event);

// Whether folding `event` can change what a check reads of a person (the
// types NeedsPersonCheck names, and those that change the state they judge:
// risk of harm, contact outcomes, consent, team, breach considerations and
// the steps of a joint decision). Appends of these to one person are
// serialized with the checked ones, so no check is judged on a state
// that an append in flight is about to change.
bool AffectsPersonChecks(const v1::Event& event);

// The rule `event` would break if appended to the person whose state (before
// it) is `state`, or nullopt. `now` is the moment of the append: rule 10
// looks only at appointments that have not ended by then. Disabled rules
// break nothing.
std::optional<RuleBreach> FindBreach(const v1::PersonState& state, const v1::Event& event,
                                     const RuleConfig& config, const Parameters& params,
                                     absl::Time now);

// The manager_override_reason `event` carries, stripped ("" if none).
std::string OverrideReasonOf(const v1::Event& event);

// Decides an append of `event`, produced by someone acting as `role`:
//   OK                   no rule is broken; or one is and it is overridden
//                        (*overridden, if given, names the rule);
//   FAILED_PRECONDITION  a rule is broken: the message names the rule, its
//                        source, what is wrong, what is allowed instead and
//                        who may override it;
//   PERMISSION_DENIED    a rule is broken and the override comes from a role
//                        that may not override.
absl::Status JudgeCommand(const v1::PersonState& state, const v1::Event& event, v1::Role role,
                          const RuleConfig& config, const Parameters& params, absl::Time now,
                          std::string* overridden = nullptr);

// A ConsentWithdrawn names a consent by id only: it must be one recorded
// for the person (FAILED_PRECONDITION otherwise), to share with the
// producer's own agency (PERMISSION_DENIED otherwise). OK for other events.
absl::Status CheckConsentWithdrawal(const v1::PersonState& state, const v1::Event& event,
                                    v1::AgencyKind producer);

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_COMMAND_RULES_H_
