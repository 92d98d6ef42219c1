#include "projections/alert_rules/rule_catalogue.h"

namespace iomhub::projections::alert_rules {
namespace {

v1::RuleDescription Rule(const char* id, uint32_t domain_rule, v1::RuleKind kind,
                         v1::AlertSeverity severity, const char* source,
                         const char* description) {
  v1::RuleDescription r;
  r.set_id(id);
  r.set_domain_rule(domain_rule);
  r.set_kind(kind);
  r.set_severity(severity);
  r.set_source(source);
  r.set_description(description);
  r.set_enabled(true);
  return r;
}

}  // namespace

const std::vector<v1::RuleDescription>& RuleCatalogue() {
  using v1::RULE_KIND_COMMAND;
  using v1::RULE_KIND_EVENT;
  using v1::RULE_KIND_TIME;
  static const auto* catalogue = new std::vector<v1::RuleDescription>{
      Rule(kContactsBelowPlan, 1, RULE_KIND_TIME, v1::ALERT_SEVERITY_ACTION,
           "National IOM guidance (Neighbourhood Crime IOM Strategy, 2020) and the Wales IOM "
           "operating model: at least 3 contacts offered per week for the Fixed cohort",
           "At the end of each ISO week (Monday 00:00 London), for each person on IOM in Fixed "
           "for the whole week and not in custody during it: fewer contacts offered in the "
           "contact plan's modes than its minimum (3 without a plan). Window: the week. "
           "Resolved when contacts recorded late bring the week to plan, when the contact plan "
           "is reviewed, or when the person leaves IOM."),
      Rule(kComplianceConcern, 2, RULE_KIND_EVENT, v1::ALERT_SEVERITY_URGENT,
           "IOM Cymru local policy: 2 unacceptable absences within 30 days",
           "An unacceptable absence recorded that makes 2 (configurable) within 30 days since "
           "the last warning or breach consideration. Window: the absence's contact id. "
           "Resolved when a warning is issued or a breach consideration opened, when an outcome "
           "is corrected so fewer remain, or when the person leaves IOM."),
      Rule(kY2aFlexMinimum, 3, RULE_KIND_COMMAND, v1::ALERT_SEVERITY_UNSPECIFIED,
           "Y2A transition policy (HMPPS/Youth Justice Board, Y2A into IOM): young adults sit "
           "in Flex for at least 3 months",
           "Refuses selecting a Y2A case into any cohort but Flex, and moving it out of Flex or "
           "deselecting it (also by a review) before its minimum period ends, unless a manager "
           "overrides it with a reason."),
      Rule(kWisdomFreeHighRisk, 4, RULE_KIND_COMMAND, v1::ALERT_SEVERITY_UNSPECIFIED,
           "WISDOM operating model (Wales): IOM Free cases with a high or very high risk of harm",
           "Refuses a WISDOM selection or change outside the Free cohort, or for a person whose "
           "recorded risk of harm is not high or very high, unless a manager overrides it with a "
           "reason."),
      Rule(kDuplicateSupervision, 4, RULE_KIND_EVENT, v1::ALERT_SEVERITY_ACTION,
           "WISDOM operating model and MAPPA Guidance 2024: agree one lead to avoid duplicate "
           "supervision (\"overkill\")",
           "A WISDOM case on IOM that is also MAPPA-registered. Window: the day the overlap "
           "began. Resolved when the MAPPA registration ends, the case leaves WISDOM or IOM."),
      Rule(kWarningWithin12Months, 5, RULE_KIND_COMMAND, v1::ALERT_SEVERITY_UNSPECIFIED,
           "Sentencing Act 2020 Sch. 10 para 6",
           "Refuses a warning (or a joint decision to warn) while an earlier warning on the same "
           "order is within its 12 months: the only lawful action is referral for enforcement. A "
           "manager may override it only with a recorded reason (exceptional circumstances)."),
      Rule(kBreachReferralRequired, 5, RULE_KIND_EVENT, v1::ALERT_SEVERITY_URGENT,
           "Sentencing Act 2020 Sch. 10 para 6",
           "A failure to comply (unacceptable absence, or attended but failed to comply) while a "
           "warning is in force: the only lawful action is referral for enforcement. Window: the "
           "contact id. Resolved when a breach consideration is opened or the outcome corrected."),
      Rule(kBreachPositionsDiffer, 6, RULE_KIND_EVENT, v1::ALERT_SEVERITY_ACTION,
           "IOM joint decision protocol (local policy): disagreement goes to the Inspector or "
           "head of PDU",
           "The police and probation positions on an open breach consideration differ and it "
           "has not been escalated. Window: the consideration id. Resolved by escalation, a "
           "decision, withdrawal or positions that agree."),
      Rule(kBreachDecisionOverdue, 6, RULE_KIND_TIME, v1::ALERT_SEVERITY_ACTION,
           "IOM joint decision protocol (local policy): decide within 10 days",
           "A breach consideration still open 10 (configurable) days after it was opened. "
           "Window: the consideration id. Resolved by a decision or withdrawal."),
      Rule(kReviewOverdue, 7, RULE_KIND_TIME, v1::ALERT_SEVERITY_ACTION,
           "National IOM guidance: contact plans reviewed at least every 12 weeks",
           "A person on IOM whose contact plan review date has passed (12 weeks after the plan "
           "was set when it names none). Window: the due date. Resolved by a review, a new plan, "
           "or leaving IOM."),
      Rule(kReferralOverdue, 8, RULE_KIND_TIME, v1::ALERT_SEVERITY_ACTION,
           "Partner service agreements (priority access); Housing (Wales) Act 2014 s95 duty to "
           "refer: answer within 5 working days",
           "A referral not answered by its respond-by time, or within 5 (configurable, per "
           "service) working days of England and Wales after the day it was sent. Window: the "
           "referral id; the alert names the service, so it reaches that partner. Resolved by "
           "the referral's outcome."),
      Rule(kArrestOrCharge, 9, RULE_KIND_EVENT, v1::ALERT_SEVERITY_URGENT,
           "IOM Information Sharing Protocol (police and probation): tell both agencies at once",
           "An arrest or charge of a person on IOM. Window: the custody or charge reference. "
           "Resolved when a breach consideration is opened or the person leaves IOM."),
      Rule(kOverlappingAppointments, 10, RULE_KIND_COMMAND, v1::ALERT_SEVERITY_UNSPECIFIED,
           "IOM scheduling policy (local): one appointment at a time",
           "Refuses scheduling a future appointment that overlaps another future appointment of "
           "the same person with no outcome yet (60 minutes when no duration is given), unless "
           "a manager overrides it with a reason."),
      Rule(kNoFixedAbode, 0, RULE_KIND_EVENT, v1::ALERT_SEVERITY_ACTION,
           "Housing (Wales) Act 2014 Part 2 and the housing Data Disclosure Agreement",
           "A person on IOM recorded as of no fixed abode. Window: the day. Resolved when their "
           "accommodation status changes or they leave IOM."),
      Rule(kNoAccommodationOnRelease, 0, RULE_KIND_EVENT, v1::ALERT_SEVERITY_URGENT,
           "Release planning (HMPPS accommodation on release); the prison release-planning "
           "agreement",
           "A person on IOM released from custody with no accommodation recorded (none, no "
           "fixed abode, or still custody). Window: the release day. Resolved when settled, "
           "temporary or approved-premises accommodation is recorded."),
      Rule(kManagerOverride, 0, RULE_KIND_EVENT, v1::ALERT_SEVERITY_INFO,
           "Rules 3, 4, 5 and 10: overrides are recorded and visible",
           "A manager overrode a rule the hub enforces; names the rule, who and why. Window: the "
           "rule and the overriding event's position. Not resolved: it is a record."),
  };
  return *catalogue;
}

const v1::RuleDescription* FindRule(absl::string_view id) {
  for (const v1::RuleDescription& rule : RuleCatalogue()) {
    if (rule.id() == id) return &rule;
  }
  return nullptr;
}

}  // namespace iomhub::projections::alert_rules
