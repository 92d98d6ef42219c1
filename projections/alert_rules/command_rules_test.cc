// The rules that refuse an append (3, 4, 5, 10), overrides, and the
// consent-withdrawal check.
#include "projections/alert_rules/command_rules.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/alert_rules/rules_harness.h"

namespace iomhub::projections::alert_rules {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::Ts;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::RulesHarness;
using testing::Summarize;

constexpr auto kRefused = absl::StatusCode::kFailedPrecondition;
constexpr auto kDenied = absl::StatusCode::kPermissionDenied;
const absl::Time kSelected = London(2026, 9, 1, 10, 0);

RulesHarness Y2aSelected() {
  RulesHarness h;
  v1::CohortSelected* p = h.Next(kSelected)->mutable_cohort_selected();
  p->set_cohort(v1::COHORT_FLEX);
  p->set_strand(v1::STRAND_Y2A);
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, kSelected), IsOk());
  h.Settle();
  return h;
}

// --- Rule 3: Y2A in Flex for 3 months --------------------------------------------

TEST(Y2aFlexMinimum, AY2aCaseIsSelectedIntoFlexOnly) {
  RulesHarness h;
  v1::CohortSelected* p = h.Next(kSelected)->mutable_cohort_selected();
  p->set_cohort(v1::COHORT_FIXED);
  p->set_strand(v1::STRAND_Y2A);
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, kSelected),
              StatusIs(kRefused, ("rule Y2A_FLEX_MINIMUM (DOMAIN rule 3")));
  p->set_cohort(v1::COHORT_FLEX);
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, kSelected), IsOk());
}

TEST(Y2aFlexMinimum, DeselectionBeforeThreeMonthsIsRefusedNamingTheRuleAndWhatIsAllowed) {
  RulesHarness h = Y2aSelected();
  h.Next(London(2026, 11, 30))->mutable_nominal_deselected()->set_reason("doing well");
  const absl::Status refused = h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 11, 30));
  EXPECT_THAT(refused, StatusIs(kRefused, ("before its minimum period in Flex ends on 1 Dec 2026")));
  EXPECT_THAT(refused.message(), HasSubstr("source: Y2A transition policy"));
  EXPECT_THAT(refused.message(), HasSubstr("Allowed instead: review the contact plan"));
  EXPECT_THAT(refused.message(), HasSubstr("may override the rule by giving manager_override_reason"));
}

TEST(Y2aFlexMinimum, DeselectionAfterThreeMonthsIsAllowed) {
  RulesHarness h = Y2aSelected();
  h.Next(London(2026, 12, 1, 10, 0))->mutable_nominal_deselected()->set_reason("doing well");
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 12, 1, 10, 0)), IsOk());
}

TEST(Y2aFlexMinimum, AReviewThatDeselectsOrAMoveOutOfFlexEarlyIsRefusedToo) {
  RulesHarness review = Y2aSelected();
  review.Next(London(2026, 10, 1))->mutable_review_completed()->set_outcome(v1::REVIEW_OUTCOME_DESELECT);
  EXPECT_THAT(review.Judge(v1::ROLE_SENIOR_PROBATION_OFFICER, London(2026, 10, 1)),
              StatusIs(kRefused, ("Y2A_FLEX_MINIMUM")));

  RulesHarness move = Y2aSelected();
  v1::CohortChanged* change = move.Next(London(2026, 10, 1))->mutable_cohort_changed();
  change->set_to_cohort(v1::COHORT_FIXED);
  EXPECT_THAT(move.Judge(v1::ROLE_SENIOR_PROBATION_OFFICER, London(2026, 10, 1)),
              StatusIs(kRefused, ("being moved out of Flex")));
}

TEST(Overrides, AManagerWithAReasonOverridesAndTheOverrideAlerts) {
  RulesHarness h = Y2aSelected();
  v1::Event* e = h.Next(London(2026, 10, 1), v1::AGENCY_KIND_PROBATION, "senior_probation_officer");
  e->mutable_nominal_deselected()->set_reason("moved to Scotland");
  e->mutable_nominal_deselected()->set_manager_override_reason("transferred out of Wales");
  std::string overridden;
  EXPECT_THAT(JudgeCommand(h.state(), *e, v1::ROLE_SENIOR_PROBATION_OFFICER, h.config(),
                           h.params(), London(2026, 10, 1), &overridden),
              IsOk());
  EXPECT_EQ(overridden, kY2aFlexMinimum);
  std::vector<v1::Event> alerts = h.Settle();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].alert_raised().rule(), kManagerOverride);
  EXPECT_EQ(alerts[0].alert_raised().window(), "Y2A_FLEX_MINIMUM@2");
  EXPECT_THAT(alerts[0].alert_raised().summary(),
              HasSubstr("senior_probation_officer user-1 (probation) overrode Y2A_FLEX_MINIMUM"));
  EXPECT_THAT(alerts[0].alert_raised().summary(), HasSubstr("\"transferred out of Wales\""));
  EXPECT_EQ(alerts[0].alert_raised().severity(), v1::ALERT_SEVERITY_INFO);
}

TEST(Overrides, AreRefusedWithoutTheRightRoleOrWithoutAReason) {
  RulesHarness h = Y2aSelected();
  v1::Event* e = h.Next(London(2026, 10, 1));
  e->mutable_nominal_deselected()->set_manager_override_reason("please");
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 10, 1)),
              StatusIs(kDenied, ("Only a sergeant, inspector, senior_probation_officer or "
                                          "head_of_pdu may override it; the caller acts as "
                                          "probation_officer")));
  e->mutable_nominal_deselected()->set_manager_override_reason("   ");
  EXPECT_THAT(h.Judge(v1::ROLE_SENIOR_PROBATION_OFFICER, London(2026, 10, 1)),
              StatusIs(kRefused));
}

TEST(Overrides, AReasonOnAnEventThatBreaksNoRuleOverridesNothingAndDoesNotAlert) {
  RulesHarness h = Y2aSelected();
  v1::Event* e = h.Next(London(2027, 1, 5), v1::AGENCY_KIND_PROBATION, "senior_probation_officer");
  e->mutable_nominal_deselected()->set_manager_override_reason("just in case");
  std::string overridden;
  EXPECT_THAT(JudgeCommand(h.state(), *e, v1::ROLE_SENIOR_PROBATION_OFFICER, h.config(),
                           h.params(), London(2027, 1, 5), &overridden),
              IsOk());
  EXPECT_EQ(overridden, "");
  EXPECT_THAT(h.Settle(), IsEmpty());
}

TEST(Overrides, TheConfiguredRolesDecideWhoMayOverride) {
  v1::RulesConfig rules;
  rules.add_override_roles(v1::ROLE_HEAD_OF_PDU);
  absl::StatusOr<RuleConfig> config = RuleConfig::FromProto(rules, v1::TeamsConfig());
  ASSERT_THAT(config, IsOk());
  RulesHarness h(*config);
  v1::CohortSelected* p = h.Next(kSelected)->mutable_cohort_selected();
  p->set_cohort(v1::COHORT_FIXED);
  p->set_strand(v1::STRAND_Y2A);
  p->set_manager_override_reason("court direction");
  EXPECT_THAT(h.Judge(v1::ROLE_SENIOR_PROBATION_OFFICER, kSelected), StatusIs(kDenied));
  EXPECT_THAT(h.Judge(v1::ROLE_HEAD_OF_PDU, kSelected), IsOk());
}

// --- Rule 4: WISDOM is Free with high risk of harm ----------------------------------

TEST(WisdomFreeHighRisk, OutsideFreeOrWithoutHighRiskIsRefused) {
  RulesHarness h;
  v1::CohortSelected* p = h.Next(kSelected)->mutable_cohort_selected();
  p->set_cohort(v1::COHORT_FIXED);
  p->set_strand(v1::STRAND_WISDOM);
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, kSelected),
              StatusIs(kRefused, ("WISDOM cases are COHORT_FREE")));
  p->set_cohort(v1::COHORT_FREE);
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, kSelected),
              StatusIs(kRefused, ("risk of harm is not recorded")));
}

TEST(WisdomFreeHighRisk, FreeWithHighRiskIsAllowedAndAMoveOutOfFreeIsRefused) {
  RulesHarness h;
  h.Next(kSelected)->mutable_risk_level_changed()->set_risk_of_harm(v1::RISK_LEVEL_VERY_HIGH);
  h.Settle();
  v1::CohortSelected* p = h.Next(kSelected)->mutable_cohort_selected();
  p->set_cohort(v1::COHORT_FREE);
  p->set_strand(v1::STRAND_WISDOM);
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, kSelected), IsOk());
  h.Settle();
  h.Next(kSelected + absl::Hours(24))->mutable_cohort_changed()->set_to_cohort(v1::COHORT_FLEX);
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, kSelected),
              StatusIs(kRefused, ("WISDOM_FREE_HIGH_RISK")));
}

// --- Rule 5: no second warning within 12 months ------------------------------------------

void Warn(RulesHarness& h, absl::Time at, const std::string& order) {
  h.Next(at)->mutable_warning_issued()->set_order_ref(order);
}

TEST(WarningWithin12Months, ASecondWarningOnTheSameOrderIsRefusedNamingTheStatute) {
  RulesHarness h;
  Warn(h, London(2026, 3, 1), "CO-1");
  h.Settle();
  Warn(h, London(2026, 11, 1), "CO-1");
  const absl::Status refused = h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 11, 1));
  EXPECT_THAT(refused, StatusIs(kRefused, ("source: Sentencing Act 2020 Sch. 10 para 6")));
  EXPECT_THAT(refused.message(), HasSubstr("in force until 1 Mar 2027"));
  EXPECT_THAT(refused.message(), HasSubstr("Allowed instead: open a breach consideration"));
}

TEST(WarningWithin12Months, AfterTwelveMonthsOrOnAnotherOrderAWarningIsAllowed) {
  RulesHarness h;
  Warn(h, London(2025, 10, 1), "CO-1");
  h.Settle();
  Warn(h, London(2026, 10, 2), "CO-1");
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 10, 2)), IsOk());
  h.Settle();
  Warn(h, London(2026, 11, 1), "CO-2");
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 11, 1)), IsOk());
}

TEST(WarningWithin12Months, AJointDecisionToWarnIsRefusedTooAndAManagerMayOverrideIt) {
  RulesHarness h;
  Warn(h, London(2026, 6, 1), "CO-1");
  v1::BreachConsiderationOpened* bc = h.Next(London(2026, 11, 1))->mutable_breach_consideration_opened();
  bc->set_consideration_id("bc-1");
  bc->set_order_ref("CO-1");
  h.Settle();
  v1::Event* e = h.Next(London(2026, 11, 5), v1::AGENCY_KIND_PROBATION, "senior_probation_officer");
  e->mutable_joint_decision_recorded()->set_consideration_id("bc-1");
  e->mutable_joint_decision_recorded()->set_decision(v1::ENFORCEMENT_POSITION_WARN);
  EXPECT_THAT(h.Judge(v1::ROLE_SENIOR_PROBATION_OFFICER, London(2026, 11, 5)),
              StatusIs(kRefused, ("a decision to warn is being recorded")));
  e->mutable_joint_decision_recorded()->set_manager_override_reason(
      "exceptional circumstances: bereavement, agreed with the court");
  EXPECT_THAT(h.Judge(v1::ROLE_SENIOR_PROBATION_OFFICER, London(2026, 11, 5)), IsOk());
  EXPECT_THAT(Summarize(h.Settle()),
              ElementsAre("+MANAGER_OVERRIDE WARNING_WITHIN_12_MONTHS@3"));
}

// --- Rule 10: no overlapping appointments ------------------------------------------------

void Book(RulesHarness& h, const std::string& id, absl::Time when, uint32_t minutes = 0) {
  v1::ContactScheduled* p = h.Next(London(2026, 11, 30))->mutable_contact_scheduled();
  p->set_contact_id(id);
  p->set_mode(v1::CONTACT_MODE_OFFICE);
  *p->mutable_scheduled_for() = Ts(when);
  p->set_duration_minutes(minutes);
}

TEST(OverlappingAppointments, AFutureAppointmentThatOverlapsAnotherIsRefused) {
  RulesHarness h;
  const absl::Time now = London(2026, 11, 30, 8, 0);
  Book(h, "c1", London(2026, 12, 1, 10, 0), 90);
  h.Settle();
  Book(h, "c2", London(2026, 12, 1, 11, 0));
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, now),
              StatusIs(kRefused, ("overlaps appointment c1 at Tue  1 Dec 2026 10:00 (90 minutes)")));
  Book(h, "c3", London(2026, 12, 1, 11, 30));  // c1 ends at 11:30
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, now), IsOk());
}

TEST(OverlappingAppointments, PastHeldOrRescheduledAppointmentsAndTheSameAppointmentDoNotCount) {
  RulesHarness h;
  Book(h, "c1", London(2026, 12, 1, 10, 0));
  Book(h, "c2", London(2026, 12, 2, 10, 0));
  h.Settle();
  v1::ContactOutcomeRecorded* moved =
      h.Next(London(2026, 12, 1))->mutable_contact_outcome_recorded();
  moved->set_contact_id("c2");
  moved->set_outcome(v1::CONTACT_OUTCOME_RESCHEDULED);
  h.Settle();
  // Moving c1 itself is not an overlap with c1.
  Book(h, "c1", London(2026, 12, 1, 10, 30));
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 11, 30)), IsOk());
  // c1 at 10:00 on 1 December is over by noon.
  Book(h, "c9", London(2026, 12, 1, 10, 0));
  EXPECT_THAT(h.Judge(v1::ROLE_PROBATION_OFFICER, London(2026, 12, 1, 12, 0)), IsOk());
}

// --- Consent withdrawal -----------------------------------------------------------------

TEST(ConsentWithdrawal, OnlyARecordedConsentAndOnlyByItsOwnAgency) {
  RulesHarness h;
  v1::ConsentRecorded* c = h.Next(kSelected)->mutable_consent_recorded();
  c->set_consent_id("k1");
  c->set_agency(v1::AGENCY_KIND_HEALTH);
  h.Settle();
  v1::Event unknown;
  unknown.set_stream("person-x");
  unknown.mutable_consent_withdrawn()->set_consent_id("k2");
  EXPECT_THAT(CheckConsentWithdrawal(h.state(), unknown, v1::AGENCY_KIND_HEALTH),
              StatusIs(kRefused, ("no consent \"k2\" is recorded for person-x")));
  v1::Event known = unknown;
  known.mutable_consent_withdrawn()->set_consent_id("k1");
  EXPECT_THAT(CheckConsentWithdrawal(h.state(), known, v1::AGENCY_KIND_EMPLOYMENT),
              StatusIs(kDenied, ("may withdraw only consents to share with itself")));
  EXPECT_THAT(CheckConsentWithdrawal(h.state(), known, v1::AGENCY_KIND_HEALTH), IsOk());
}

TEST(CommandRules, NeedsPersonCheckOnlyForTheTypesTheRulesRead) {
  v1::Event e;
  e.mutable_arrest_recorded();
  EXPECT_FALSE(NeedsPersonCheck(e));
  e.mutable_contact_scheduled();
  EXPECT_TRUE(NeedsPersonCheck(e));
  e.mutable_consent_withdrawn();
  EXPECT_TRUE(NeedsPersonCheck(e));
}

}  // namespace
}  // namespace iomhub::projections::alert_rules
