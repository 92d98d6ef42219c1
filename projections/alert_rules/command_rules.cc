#include "projections/alert_rules/command_rules.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/timestamps.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/alert_rules/rule_facts.h"
#include "projections/enum_words.h"
#include "projections/person_state.h"

namespace iomhub::projections::alert_rules {
namespace {

using v1::PersonState;

std::optional<RuleBreach> Breach(std::string rule, std::string problem, std::string instead) {
  return RuleBreach{std::move(rule), std::move(problem), std::move(instead)};
}

// Rule 3: a Y2A case is selected into Flex and stays there for its first
// months (FlexUntil).
std::optional<RuleBreach> CheckY2a(const PersonState& state, const v1::Event& e,
                                   const Parameters& params) {
  const absl::Time at = ToTime(e.occurred_at());
  const auto& cohort = state.cohort();
  if (e.has_cohort_selected()) {
    const auto& p = e.cohort_selected();
    if (p.strand() == v1::STRAND_Y2A && p.cohort() != v1::COHORT_FLEX) {
      return Breach(kY2aFlexMinimum,
                    absl::StrCat("a Y2A case is being selected into ", v1::Cohort_Name(p.cohort())),
                    "select it into COHORT_FLEX");
    }
    return std::nullopt;
  }
  const bool y2a_now = cohort.on_iom() && cohort.strand() == v1::STRAND_Y2A;
  if (e.has_cohort_changed()) {
    const auto& p = e.cohort_changed();
    const v1::Strand strand = p.strand() != v1::STRAND_UNSPECIFIED ? p.strand() : cohort.strand();
    const v1::Cohort to = p.to_cohort() != v1::COHORT_UNSPECIFIED ? p.to_cohort() : cohort.cohort();
    if (strand != v1::STRAND_Y2A || to == v1::COHORT_FLEX) return std::nullopt;
    if (!y2a_now) {
      return Breach(kY2aFlexMinimum,
                    absl::StrCat("a case is being made Y2A in ", v1::Cohort_Name(to)),
                    "Y2A cases start in COHORT_FLEX");
    }
    const absl::Time until = FlexUntil(state, params);
    if (at < until) {
      return Breach(kY2aFlexMinimum,
                    absl::StrCat("this Y2A case is being moved out of Flex on ", LondonDate(at),
                                 ", before its minimum period in Flex ends on ", LondonDate(until)),
                    absl::StrCat("keep it in Flex until ", LondonDate(until)));
    }
    return std::nullopt;
  }
  const bool deselects =
      e.has_nominal_deselected() ||
      (e.has_review_completed() && e.review_completed().outcome() == v1::REVIEW_OUTCOME_DESELECT);
  if (deselects && y2a_now) {
    const absl::Time until = FlexUntil(state, params);
    if (at < until) {
      return Breach(kY2aFlexMinimum,
                    absl::StrCat("this Y2A case is being deselected on ", LondonDate(at),
                                 ", before its minimum period in Flex ends on ", LondonDate(until)),
                    absl::StrCat("review the contact plan instead (reduce it) and deselect from ",
                                 LondonDate(until)));
    }
  }
  return std::nullopt;
}

// Rule 4: WISDOM cases are Free, with a high or very high risk of harm.
std::optional<RuleBreach> CheckWisdom(const PersonState& state, const v1::Event& e) {
  v1::Strand strand;
  v1::Cohort cohort;
  if (e.has_cohort_selected()) {
    strand = e.cohort_selected().strand();
    cohort = e.cohort_selected().cohort();
  } else if (e.has_cohort_changed()) {
    const auto& p = e.cohort_changed();
    strand = p.strand() != v1::STRAND_UNSPECIFIED ? p.strand() : state.cohort().strand();
    cohort = p.to_cohort() != v1::COHORT_UNSPECIFIED ? p.to_cohort() : state.cohort().cohort();
  } else {
    return std::nullopt;
  }
  if (strand != v1::STRAND_WISDOM) return std::nullopt;
  if (cohort != v1::COHORT_FREE) {
    return Breach(kWisdomFreeHighRisk,
                  absl::StrCat("a WISDOM case is being placed in ", v1::Cohort_Name(cohort)),
                  "WISDOM cases are COHORT_FREE");
  }
  if (!HighRiskOfHarm(state)) {
    const v1::RiskLevel level = state.risk_of_harm().level();
    return Breach(kWisdomFreeHighRisk,
                  absl::StrCat("the person's recorded risk of harm is ",
                               level == v1::RISK_LEVEL_UNSPECIFIED ? "not recorded"
                                                                   : v1::RiskLevel_Name(level),
                               ", and WISDOM is for high or very high risk of harm"),
                  "record the risk assessment first (RiskLevelChanged), or choose another strand");
  }
  return std::nullopt;
}

// Rule 5: a warning while an earlier one on the same order is in force.
std::optional<RuleBreach> CheckSecondWarning(const PersonState& state, absl::string_view order,
                                             absl::Time at, const Parameters& params,
                                             absl::string_view what) {
  for (const PersonState::Warning& w : state.warnings()) {
    const bool same_order = w.order_ref().empty() || order.empty() || w.order_ref() == order;
    if (!same_order || ToTime(w.issued_at()) > at) continue;
    const absl::Time until = LiableUntil(w, params);
    if (at >= until) continue;
    return Breach(
        kWarningWithin12Months,
        absl::StrCat(what, " while a warning issued on ", LondonDate(ToTime(w.issued_at())),
                     w.order_ref().empty() ? "" : absl::StrCat(" on order ", w.order_ref()),
                     " is in force until ", LondonDate(until),
                     ": after a further failure to comply the only lawful action is referral "
                     "for enforcement"),
        "open a breach consideration (BreachConsiderationOpened) and refer for enforcement");
  }
  return std::nullopt;
}

// Rule 10: two future appointments of one person overlap.
std::optional<RuleBreach> CheckOverlap(const PersonState& state, const v1::Event& e,
                                       const Parameters& params, absl::Time now) {
  const auto& p = e.contact_scheduled();
  if (!p.has_scheduled_for()) return std::nullopt;
  PersonState::Contact mine;
  mine.set_duration_minutes(p.duration_minutes());
  const absl::Time start = ToTime(p.scheduled_for());
  const absl::Time end = start + AppointmentLength(mine, params);
  if (end <= now) return std::nullopt;  // only appointments still to come
  for (const PersonState::Contact& c : state.contacts()) {
    if (c.contact_id() == p.contact_id() || !c.scheduled() || !c.has_scheduled_for()) continue;
    if (c.outcome() != v1::CONTACT_OUTCOME_UNSPECIFIED) continue;  // held, missed or moved
    const absl::Time c_start = ToTime(c.scheduled_for());
    const absl::Time c_end = c_start + AppointmentLength(c, params);
    if (c_end <= now || !(start < c_end && c_start < end)) continue;
    return Breach(kOverlappingAppointments,
                  absl::StrCat("the appointment at ", LondonText(start), " (",
                               absl::ToInt64Minutes(end - start), " minutes) overlaps appointment ",
                               c.contact_id(), " at ", LondonText(c_start), " (",
                               absl::ToInt64Minutes(c_end - c_start), " minutes)"),
                  absl::StrCat("choose a time from ", LondonText(c_end), ", or record appointment ",
                               c.contact_id(), " as rescheduled first"));
  }
  return std::nullopt;
}

std::string OrderOf(const PersonState& state, const std::string& consideration_id) {
  const PersonState::BreachConsideration* bc = FindConsideration(state, consideration_id);
  return bc != nullptr ? bc->order_ref() : "";
}

}  // namespace

bool NeedsPersonCheck(const v1::Event& e) {
  switch (e.payload_case()) {
    case v1::Event::kCohortSelected:
    case v1::Event::kCohortChanged:
    case v1::Event::kNominalDeselected:
    case v1::Event::kReviewCompleted:
    case v1::Event::kWarningIssued:
    case v1::Event::kJointDecisionRecorded:
    case v1::Event::kContactScheduled:
    case v1::Event::kConsentWithdrawn:
      return true;
    default:
      return false;
  }
}

bool AffectsPersonChecks(const v1::Event& e) {
  if (NeedsPersonCheck(e)) return true;
  switch (e.payload_case()) {
    case v1::Event::kNominalReferred:
    case v1::Event::kTeamChanged:
    case v1::Event::kContactPlanSet:
    case v1::Event::kContactOutcomeRecorded:
    case v1::Event::kBreachConsiderationOpened:
    case v1::Event::kPositionRecorded:
    case v1::Event::kDecisionEscalated:
    case v1::Event::kBreachConsiderationWithdrawn:
    case v1::Event::kRiskLevelChanged:
    case v1::Event::kConsentRecorded:
      return true;
    default:
      return false;
  }
}

std::optional<RuleBreach> FindBreach(const PersonState& state, const v1::Event& e,
                                     const RuleConfig& config, const Parameters& params,
                                     absl::Time now) {
  std::optional<RuleBreach> breach;
  if (config.Enabled(kY2aFlexMinimum)) breach = CheckY2a(state, e, params);
  if (!breach && config.Enabled(kWisdomFreeHighRisk)) breach = CheckWisdom(state, e);
  if (!breach && config.Enabled(kWarningWithin12Months)) {
    if (e.has_warning_issued()) {
      breach = CheckSecondWarning(state, e.warning_issued().order_ref(), ToTime(e.occurred_at()),
                                  params, "a second warning is being issued");
    } else if (e.has_joint_decision_recorded() &&
               e.joint_decision_recorded().decision() == v1::ENFORCEMENT_POSITION_WARN) {
      breach = CheckSecondWarning(
          state, OrderOf(state, e.joint_decision_recorded().consideration_id()),
          ToTime(e.occurred_at()), params, "a decision to warn is being recorded");
    }
  }
  if (!breach && config.Enabled(kOverlappingAppointments) && e.has_contact_scheduled()) {
    breach = CheckOverlap(state, e, params, now);
  }
  return breach;
}

std::string OverrideReasonOf(const v1::Event& e) {
  const std::string* reason = nullptr;
  switch (e.payload_case()) {
    case v1::Event::kCohortSelected:
      reason = &e.cohort_selected().manager_override_reason();
      break;
    case v1::Event::kCohortChanged:
      reason = &e.cohort_changed().manager_override_reason();
      break;
    case v1::Event::kNominalDeselected:
      reason = &e.nominal_deselected().manager_override_reason();
      break;
    case v1::Event::kReviewCompleted:
      reason = &e.review_completed().manager_override_reason();
      break;
    case v1::Event::kWarningIssued:
      reason = &e.warning_issued().manager_override_reason();
      break;
    case v1::Event::kJointDecisionRecorded:
      reason = &e.joint_decision_recorded().manager_override_reason();
      break;
    case v1::Event::kContactScheduled:
      reason = &e.contact_scheduled().manager_override_reason();
      break;
    default:
      return "";
  }
  return std::string(absl::StripAsciiWhitespace(*reason));
}

absl::Status JudgeCommand(const PersonState& state, const v1::Event& event, v1::Role role,
                          const RuleConfig& config, const Parameters& params, absl::Time now,
                          std::string* overridden) {
  const std::optional<RuleBreach> breach = FindBreach(state, event, config, params, now);
  if (!breach.has_value()) return absl::OkStatus();
  const v1::RuleDescription* rule = FindRule(breach->rule);
  const std::string named = absl::StrCat("rule ", breach->rule, " (DOMAIN rule ",
                                         rule->domain_rule(), "; source: ", rule->source(), ")");
  const std::string reason = OverrideReasonOf(event);
  if (reason.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        named, ": ", breach->problem, ". Allowed instead: ", breach->instead, ". A ",
        config.OverrideRoleNames(), " may override the rule by giving manager_override_reason"));
  }
  if (!config.MayOverride(role)) {
    return absl::PermissionDeniedError(
        absl::StrCat(named, ": ", breach->problem, ". Only a ", config.OverrideRoleNames(),
                     " may override it; the caller acts as ", RoleName(role)));
  }
  if (overridden != nullptr) *overridden = breach->rule;
  return absl::OkStatus();
}

absl::Status CheckConsentWithdrawal(const PersonState& state, const v1::Event& event,
                                    v1::AgencyKind producer) {
  if (!event.has_consent_withdrawn()) return absl::OkStatus();
  const std::string& id = event.consent_withdrawn().consent_id();
  for (const PersonState::Consent& consent : state.consents()) {
    if (consent.consent_id() != id || !consent.has_recorded_at()) continue;
    if (consent.agency() != producer) {
      return absl::PermissionDeniedError(
          absl::StrCat(v1::AgencyKind_Name(producer),
                       " may withdraw only consents to share with itself; consent \"", id,
                       "\" is for ", v1::AgencyKind_Name(consent.agency())));
    }
    return absl::OkStatus();
  }
  return absl::FailedPreconditionError(
      absl::StrCat("no consent \"", id, "\" is recorded for ", event.stream()));
}

}  // namespace iomhub::projections::alert_rules
