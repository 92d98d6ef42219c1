// The catalogue of IOM rules the hub checks (shared DOMAIN.md "Rules the hub
// checks"; docs/alerts.md): each rule's id, what kind it is, how urgent its
// alerts are and the guidance, law or policy it comes from. Rule ids are the
// `rule` of AlertRaised events and the names agreements use in
// only_alert_rules. Immutable; thread-safe.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_RULE_CATALOGUE_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_RULE_CATALOGUE_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "iomhub/v1/rules.pb.h"

namespace iomhub::projections::alert_rules {

// Alerts.
inline constexpr char kContactsBelowPlan[] = "CONTACTS_BELOW_PLAN";            // rule 1
inline constexpr char kComplianceConcern[] = "COMPLIANCE_CONCERN";             // rule 2
inline constexpr char kDuplicateSupervision[] = "DUPLICATE_SUPERVISION";       // rule 4
inline constexpr char kBreachReferralRequired[] = "BREACH_REFERRAL_REQUIRED";  // rule 5
inline constexpr char kBreachPositionsDiffer[] = "BREACH_POSITIONS_DIFFER";    // rule 6
inline constexpr char kBreachDecisionOverdue[] = "BREACH_DECISION_OVERDUE";    // rule 6
inline constexpr char kReviewOverdue[] = "REVIEW_OVERDUE";                     // rule 7
inline constexpr char kReferralOverdue[] = "REFERRAL_OVERDUE";                 // rule 8
inline constexpr char kArrestOrCharge[] = "ARREST_OR_CHARGE";                  // rule 9
inline constexpr char kNoFixedAbode[] = "NO_FIXED_ABODE";
inline constexpr char kNoAccommodationOnRelease[] = "NO_ACCOMMODATION_ON_RELEASE";
inline constexpr char kManagerOverride[] = "MANAGER_OVERRIDE";                 // rules 3, 4, 5, 10
// Rules that refuse an append (RULE_KIND_COMMAND).
inline constexpr char kY2aFlexMinimum[] = "Y2A_FLEX_MINIMUM";                  // rule 3
inline constexpr char kWisdomFreeHighRisk[] = "WISDOM_FREE_HIGH_RISK";         // rule 4
inline constexpr char kWarningWithin12Months[] = "WARNING_WITHIN_12_MONTHS";   // rule 5
inline constexpr char kOverlappingAppointments[] = "OVERLAPPING_APPOINTMENTS"; // rule 10

// Every rule, in DOMAIN.md order. `enabled` is true in all of them (the
// configuration decides per hub).
const std::vector<v1::RuleDescription>& RuleCatalogue();

// The rule with this id, or nullptr.
const v1::RuleDescription* FindRule(absl::string_view id);

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_RULE_CATALOGUE_H_
