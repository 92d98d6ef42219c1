// The alert rules, scripted: for each rule, weeks that must and must not
// raise it, and what resolves it.
#include "projections/alert_rules/alert_rules.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/alert_rules/rules_harness.h"

namespace iomhub::projections::alert_rules {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::Ts;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::RulesHarness;
using testing::Summarize;

// Monday 30 November 2026 is the first day of ISO week 2026-W49.
const absl::Time kMonday = London(2026, 11, 30, 9, 0);
constexpr IsoWeek kW49{2026, 49};
constexpr IsoWeek kW50{2026, 50};

absl::Time Day(int n, int hour = 10) {
  return London(2026, 11, 30, hour, 0) + absl::Hours(24 * n);
}

void Select(RulesHarness& h, absl::Time at, v1::Cohort cohort = v1::COHORT_FIXED,
            v1::Strand strand = v1::STRAND_NEIGHBOURHOOD_CRIME) {
  v1::CohortSelected* p = h.Next(at)->mutable_cohort_selected();
  p->set_cohort(cohort);
  p->set_strand(strand);
  p->set_team_id("gwent-newport");
  h.Settle();
}

void Schedule(RulesHarness& h, const std::string& id, absl::Time when,
              v1::ContactMode mode = v1::CONTACT_MODE_OFFICE, absl::Time recorded = kMonday) {
  v1::ContactScheduled* p = h.Next(recorded)->mutable_contact_scheduled();
  p->set_contact_id(id);
  p->set_mode(mode);
  *p->mutable_scheduled_for() = Ts(when);
  p->set_lead_agency(v1::LEAD_AGENCY_PROBATION);
}

std::vector<v1::Event> Outcome(RulesHarness& h, const std::string& id, v1::ContactOutcome outcome,
                               absl::Time at) {
  v1::ContactOutcomeRecorded* p = h.Next(at)->mutable_contact_outcome_recorded();
  p->set_contact_id(id);
  p->set_outcome(outcome);
  return h.Settle();
}

void Plan(RulesHarness& h, absl::Time at, uint32_t per_week,
          std::vector<v1::ContactMode> modes = {}) {
  v1::ContactPlanSet* p = h.Next(at)->mutable_contact_plan_set();
  p->set_min_contacts_per_week(per_week);
  for (auto m : modes) p->add_countable_modes(m);
  p->set_rationale("plan");
  h.Settle();
}

// --- Rule 1: contacts below plan ------------------------------------------------

TEST(ContactsBelowPlan, TwoContactsInAnIsoWeekForAFixedPersonRaiseIt) {
  RulesHarness h;
  Select(h, London(2026, 11, 20));
  Schedule(h, "c1", Day(0));
  Schedule(h, "c2", Day(2));
  std::vector<v1::Event> alerts = h.Week(kW49);
  ASSERT_THAT(Summarize(alerts), ElementsAre("+CONTACTS_BELOW_PLAN 2026-W49"));
  const v1::AlertRaised& raised = alerts[0].alert_raised();
  EXPECT_THAT(raised.summary(), HasSubstr("2 contacts offered in 2026-W49"));
  EXPECT_THAT(raised.summary(), HasSubstr("against 3 a week"));
  EXPECT_EQ(raised.severity(), v1::ALERT_SEVERITY_ACTION);
  EXPECT_EQ(raised.evidence_positions_size(), 2);  // the two contacts (no plan)
  EXPECT_EQ(raised.rule_source(), FindRule(kContactsBelowPlan)->source());
  // Raised at the week's end: Monday 7 December 00:00 London.
  EXPECT_EQ(alerts[0].occurred_at().seconds(), Ts(London(2026, 12, 7)).seconds());
}

TEST(ContactsBelowPlan, ThreeContactsMeetTheDefaultPlan) {
  RulesHarness h;
  Select(h, London(2026, 11, 20));
  Schedule(h, "c1", Day(0));
  Schedule(h, "c2", Day(2));
  Schedule(h, "c3", Day(4));
  EXPECT_THAT(h.Week(kW49), IsEmpty());
}

TEST(ContactsBelowPlan, APlanReducedToTwoAfterAReviewIsMetByTwo) {
  RulesHarness h;
  Select(h, London(2026, 11, 20));
  v1::ReviewCompleted* review = h.Next(London(2026, 11, 27))->mutable_review_completed();
  review->set_outcome(v1::REVIEW_OUTCOME_REDUCE);
  review->set_rationale("starting work; overburdened");
  Plan(h, London(2026, 11, 27), 2);
  Schedule(h, "c1", Day(1));
  Schedule(h, "c2", Day(3));
  EXPECT_THAT(h.Week(kW49), IsEmpty());
}

TEST(ContactsBelowPlan, OnlyThePlansModesAndNoRescheduledContactsCount) {
  RulesHarness h;
  Select(h, London(2026, 11, 20));
  Plan(h, London(2026, 11, 20), 3, {v1::CONTACT_MODE_OFFICE, v1::CONTACT_MODE_HOME_VISIT});
  Schedule(h, "c1", Day(0));
  Schedule(h, "c2", Day(1), v1::CONTACT_MODE_HOME_VISIT);
  Schedule(h, "c3", Day(2), v1::CONTACT_MODE_PHONE);  // not a countable mode
  Schedule(h, "c4", Day(3));
  Outcome(h, "c4", v1::CONTACT_OUTCOME_RESCHEDULED, Day(3));  // moved: not offered
  EXPECT_THAT(Summarize(h.Week(kW49)), ElementsAre("+CONTACTS_BELOW_PLAN 2026-W49"));
}

TEST(ContactsBelowPlan, SundayLateEveningInSummerTimeCountsInTheWeekItEnds) {
  RulesHarness h;
  Select(h, London(2026, 6, 1));
  // ISO week 2026-W24 is Monday 8 to Sunday 14 June (BST).
  Schedule(h, "c1", London(2026, 6, 8, 10, 0), v1::CONTACT_MODE_OFFICE, London(2026, 6, 5));
  Schedule(h, "c2", London(2026, 6, 10, 10, 0), v1::CONTACT_MODE_OFFICE, London(2026, 6, 5));
  Schedule(h, "c3", London(2026, 6, 14, 23, 30), v1::CONTACT_MODE_PHONE, London(2026, 6, 5));
  // Monday 00:30 BST is still Sunday in UTC; in London it is the next week.
  Schedule(h, "c4", London(2026, 6, 15, 0, 30), v1::CONTACT_MODE_PHONE, London(2026, 6, 5));
  EXPECT_THAT(h.Week({2026, 24}), IsEmpty());
  // Week 25 has only the Monday 00:30 contact (in UTC weeks it would have none).
  std::vector<v1::Event> w25 = h.Week({2026, 25});
  ASSERT_THAT(Summarize(w25), ElementsAre("+CONTACTS_BELOW_PLAN 2026-W25"));
  EXPECT_THAT(w25[0].alert_raised().summary(), HasSubstr("1 contact offered in 2026-W25"));
}

TEST(ContactsBelowPlan, NotForAWeekThePersonJoinedPartWayOrSpentInCustody) {
  RulesHarness joined;
  Select(joined, Day(2));  // Wednesday of W49
  EXPECT_THAT(joined.Week(kW49), IsEmpty());
  EXPECT_THAT(Summarize(joined.Week(kW50)), ElementsAre("+CONTACTS_BELOW_PLAN 2026-W50"));

  RulesHarness custody;
  Select(custody, London(2026, 11, 1));
  custody.Next(Day(1))->mutable_received_into_custody()->set_establishment("HMP Cardiff");
  custody.Next(Day(3))->mutable_released_from_custody();
  custody.Settle();
  EXPECT_THAT(Summarize(custody.Week(kW49)), ::testing::Not(::testing::Contains(
                                                 HasSubstr("CONTACTS_BELOW_PLAN"))));
}

TEST(ContactsBelowPlan, NotForFlexOrFree) {
  RulesHarness h;
  Select(h, London(2026, 11, 1), v1::COHORT_FLEX, v1::STRAND_LOCAL);
  EXPECT_THAT(h.Week(kW49), IsEmpty());
}

TEST(ContactsBelowPlan, IsRaisedOnceAndResolvedByContactsRecordedLateOrByAReview) {
  RulesHarness h;
  Select(h, London(2026, 11, 20));
  Schedule(h, "c1", Day(0));
  ASSERT_THAT(Summarize(h.Week(kW49)), ElementsAre("+CONTACTS_BELOW_PLAN 2026-W49"));
  EXPECT_THAT(h.Week(kW49), IsEmpty());  // the same week again: nothing new
  // Two contacts held that week, recorded late.
  Schedule(h, "c2", Day(2), v1::CONTACT_MODE_OFFICE, Day(8));
  EXPECT_THAT(h.Settle(), IsEmpty());
  Schedule(h, "c3", Day(4), v1::CONTACT_MODE_OFFICE, Day(8));
  std::vector<v1::Event> resolved = h.Settle();
  ASSERT_THAT(Summarize(resolved), ElementsAre("-CONTACTS_BELOW_PLAN 2026-W49"));
  EXPECT_THAT(resolved[0].alert_resolved().reason(), HasSubstr("recorded late"));

  // A missed week made up later does not un-happen; a review answers it.
  ASSERT_THAT(Summarize(h.Week(kW50)), ElementsAre("+CONTACTS_BELOW_PLAN 2026-W50"));
  Schedule(h, "c4", Day(14));
  Schedule(h, "c5", Day(15));
  Schedule(h, "c6", Day(16));
  EXPECT_THAT(h.Settle(), IsEmpty());
  v1::ReviewCompleted* review = h.Next(Day(17))->mutable_review_completed();
  review->set_outcome(v1::REVIEW_OUTCOME_MAINTAIN);
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("-CONTACTS_BELOW_PLAN 2026-W50"));
}

// --- Rule 2: compliance concern ---------------------------------------------------

TEST(ComplianceConcern, TwoUnacceptableAbsencesWithin30DaysRaiseIt) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  Schedule(h, "c1", Day(0));
  Schedule(h, "c2", Day(20));
  EXPECT_THAT(Outcome(h, "c1", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(0, 17)), IsEmpty());
  std::vector<v1::Event> alerts = Outcome(h, "c2", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(20, 17));
  ASSERT_THAT(Summarize(alerts), ElementsAre("+COMPLIANCE_CONCERN c2"));
  EXPECT_THAT(alerts[0].alert_raised().summary(), HasSubstr("2 unacceptable absences within 30 days"));
  EXPECT_EQ(alerts[0].alert_raised().severity(), v1::ALERT_SEVERITY_URGENT);
  EXPECT_EQ(alerts[0].alert_raised().evidence_positions_size(), 2);
}

TEST(ComplianceConcern, NotForAbsencesFortyDaysApartOrAcceptableOnes) {
  RulesHarness apart;
  Select(apart, London(2026, 11, 1));
  Schedule(apart, "c1", Day(0));
  Schedule(apart, "c2", Day(40));
  Outcome(apart, "c1", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(0, 17));
  EXPECT_THAT(Outcome(apart, "c2", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(40, 17)), IsEmpty());

  RulesHarness acceptable;
  Select(acceptable, London(2026, 11, 1));
  Schedule(acceptable, "c1", Day(0));
  Schedule(acceptable, "c2", Day(3));
  Outcome(acceptable, "c1", v1::CONTACT_OUTCOME_ACCEPTABLE_ABSENCE, Day(0, 17));
  EXPECT_THAT(Outcome(acceptable, "c2", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(3, 17)),
              IsEmpty());
}

TEST(ComplianceConcern, AWarningResolvesItAndEarlierAbsencesNoLongerCount) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  for (const char* id : {"c1", "c2", "c3"}) Schedule(h, id, Day(id[1] - '0'));
  Outcome(h, "c1", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(1, 17));
  ASSERT_THAT(Summarize(Outcome(h, "c2", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(2, 17))),
              ElementsAre("+COMPLIANCE_CONCERN c2"));
  v1::WarningIssued* warning = h.Next(Day(2, 18))->mutable_warning_issued();
  warning->set_order_ref("CO-1");
  std::vector<v1::Event> resolved = h.Settle();
  ASSERT_THAT(Summarize(resolved), ElementsAre("-COMPLIANCE_CONCERN c2"));
  EXPECT_THAT(resolved[0].alert_resolved().reason(), HasSubstr("warning issued"));
  // One more absence after the warning: a failure to comply under a warning,
  // which is rule 5's, not a new compliance concern.
  EXPECT_THAT(Summarize(Outcome(h, "c3", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(3, 17))),
              ElementsAre("+BREACH_REFERRAL_REQUIRED c3"));
}

TEST(ComplianceConcern, IsResolvedWhenAnAbsenceIsRecordedAgainAsAcceptable) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  Schedule(h, "c1", Day(1));
  Schedule(h, "c2", Day(2));
  Outcome(h, "c1", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(1, 17));
  Outcome(h, "c2", v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE, Day(2, 17));
  EXPECT_THAT(Summarize(Outcome(h, "c1", v1::CONTACT_OUTCOME_ACCEPTABLE_ABSENCE, Day(3))),
              ElementsAre("-COMPLIANCE_CONCERN c2"));
}

// --- Rule 5: failure to comply under a warning -----------------------------------------

TEST(BreachReferralRequired, AFailureToComplyUnderAWarningRaisesItAndABreachConsiderationResolvesIt) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  h.Next(London(2026, 10, 1))->mutable_warning_issued()->set_order_ref("CO-1");
  Schedule(h, "c1", Day(1));
  std::vector<v1::Event> alerts =
      Outcome(h, "c1", v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY, Day(1, 12));
  ASSERT_THAT(Summarize(alerts), ElementsAre("+BREACH_REFERRAL_REQUIRED c1"));
  EXPECT_THAT(alerts[0].alert_raised().summary(),
              HasSubstr("the only lawful action is referral for enforcement"));
  EXPECT_EQ(alerts[0].alert_raised().rule_source(), "Sentencing Act 2020 Sch. 10 para 6");
  v1::BreachConsiderationOpened* bc = h.Next(Day(2))->mutable_breach_consideration_opened();
  bc->set_consideration_id("bc-1");
  bc->set_trigger(v1::BREACH_TRIGGER_MISSED_CONTACTS);
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("-BREACH_REFERRAL_REQUIRED c1"));
}

TEST(BreachReferralRequired, NotOnceTheWarningHasLapsed) {
  RulesHarness h;
  Select(h, London(2025, 6, 1));
  h.Next(London(2025, 10, 1))->mutable_warning_issued()->set_order_ref("CO-1");  // until Oct 2026
  Schedule(h, "c1", Day(1));
  EXPECT_THAT(Outcome(h, "c1", v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY, Day(1, 12)),
              IsEmpty());
}

// --- Rule 6: joint breach decisions -------------------------------------------------

void OpenConsideration(RulesHarness& h, absl::Time at) {
  v1::BreachConsiderationOpened* bc = h.Next(at)->mutable_breach_consideration_opened();
  bc->set_consideration_id("bc-1");
  bc->set_trigger(v1::BREACH_TRIGGER_ARREST);
  h.Settle();
}

std::vector<v1::Event> Position(RulesHarness& h, absl::Time at, v1::AgencyKind agency,
                                const std::string& role, v1::EnforcementPosition position) {
  v1::PositionRecorded* p = h.Next(at, agency, role)->mutable_position_recorded();
  p->set_consideration_id("bc-1");
  p->set_position(position);
  p->set_rationale("because");
  return h.Settle();
}

TEST(BreachPositionsDiffer, DisagreementRaisesItAndEscalationResolvesIt) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  OpenConsideration(h, Day(0));
  EXPECT_THAT(Position(h, Day(1), v1::AGENCY_KIND_POLICE, "sergeant", v1::ENFORCEMENT_POSITION_BREACH),
              IsEmpty());
  std::vector<v1::Event> alerts = Position(h, Day(1), v1::AGENCY_KIND_PROBATION,
                                           "senior_probation_officer", v1::ENFORCEMENT_POSITION_WARN);
  ASSERT_THAT(Summarize(alerts), ElementsAre("+BREACH_POSITIONS_DIFFER bc-1"));
  EXPECT_THAT(alerts[0].alert_raised().summary(), HasSubstr("police sergeant user-1 says breach"));
  v1::DecisionEscalated* up = h.Next(Day(2))->mutable_decision_escalated();
  up->set_consideration_id("bc-1");
  up->set_escalated_to_role("inspector");
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("-BREACH_POSITIONS_DIFFER bc-1"));
}

TEST(BreachPositionsDiffer, NotWhenThePositionsAgree) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  OpenConsideration(h, Day(0));
  Position(h, Day(1), v1::AGENCY_KIND_POLICE, "sergeant", v1::ENFORCEMENT_POSITION_BREACH);
  EXPECT_THAT(Position(h, Day(1), v1::AGENCY_KIND_PROBATION, "senior_probation_officer",
                       v1::ENFORCEMENT_POSITION_BREACH),
              IsEmpty());
}

TEST(BreachDecisionOverdue, IsDueTenDaysAfterOpeningAndADecisionResolvesIt) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  OpenConsideration(h, Day(0));
  EXPECT_THAT(h.Due(Day(9, 23)), IsEmpty());
  std::vector<v1::Event> alerts = h.Due(Day(10, 11));
  ASSERT_THAT(Summarize(alerts), ElementsAre("+BREACH_DECISION_OVERDUE bc-1"));
  EXPECT_THAT(alerts[0].alert_raised().summary(),
              HasSubstr("waiting for the police Sergeant's position and the SPO's position"));
  EXPECT_EQ(alerts[0].occurred_at().seconds(), Ts(Day(10)).seconds());
  EXPECT_THAT(h.Due(Day(11)), IsEmpty());  // raised once
  v1::JointDecisionRecorded* d = h.Next(Day(12))->mutable_joint_decision_recorded();
  d->set_consideration_id("bc-1");
  d->set_decision(v1::ENFORCEMENT_POSITION_BREACH);
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("-BREACH_DECISION_OVERDUE bc-1"));
}

// --- Rule 7: review overdue ------------------------------------------------------------

TEST(ReviewOverdue, DueTwelveWeeksAfterThePlanWhenItNamesNoDateAndAReviewResolvesIt) {
  RulesHarness h;
  Select(h, London(2026, 9, 1));
  Plan(h, London(2026, 9, 7, 10, 0), 3);
  ASSERT_EQ(h.Pending().size(), 1u);
  EXPECT_EQ(h.Pending()[0].due, London(2026, 11, 30, 10, 0));  // 12 weeks, across the clock change
  EXPECT_THAT(h.Due(London(2026, 11, 30, 9, 0)), IsEmpty());  // due 30 Nov 10:00
  ASSERT_THAT(Summarize(h.Due(London(2026, 11, 30, 10, 0))),
              ElementsAre("+REVIEW_OVERDUE 2026-11-30"));
  v1::ReviewCompleted* review = h.Next(London(2026, 12, 2))->mutable_review_completed();
  review->set_outcome(v1::REVIEW_OUTCOME_MAINTAIN);
  *review->mutable_next_review_due() = Ts(London(2027, 2, 24));
  std::vector<v1::Event> resolved = h.Settle();
  ASSERT_THAT(Summarize(resolved), ElementsAre("-REVIEW_OVERDUE 2026-11-30"));
  EXPECT_THAT(resolved[0].alert_resolved().reason(), HasSubstr("next review due 24 Feb 2027"));
}

// --- Rule 8: referral overdue ------------------------------------------------------------

void Refer(RulesHarness& h, absl::Time at, v1::ServiceKind service, bool priority = true) {
  v1::ReferralSent* r = h.Next(at)->mutable_referral_sent();
  r->set_referral_id("r-1");
  r->set_service(service);
  r->set_provider("Newport City Council Housing");
  r->set_priority_access_requested(priority);
  h.Settle();
}

TEST(ReferralOverdue, UnansweredAfterFiveWorkingDaysAndNamesTheService) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  Refer(h, Day(0), v1::SERVICE_KIND_HOUSING);  // Monday 30 November
  EXPECT_THAT(h.Due(London(2026, 12, 7, 23, 59)), IsEmpty());  // the 5th working day
  std::vector<v1::Event> alerts = h.Due(London(2026, 12, 8, 0, 0));
  ASSERT_THAT(Summarize(alerts), ElementsAre("+REFERRAL_OVERDUE r-1"));
  EXPECT_EQ(alerts[0].alert_raised().service(), v1::SERVICE_KIND_HOUSING);
  EXPECT_THAT(alerts[0].alert_raised().summary(),
              HasSubstr("Housing referral r-1 to Newport City Council Housing"));
  v1::ReferralOutcomeRecorded* answer = h.Next(Day(9), v1::AGENCY_KIND_HOUSING)->mutable_referral_outcome_recorded();
  answer->set_referral_id("r-1");
  answer->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);
  std::vector<v1::Event> resolved = h.Settle();
  ASSERT_THAT(Summarize(resolved), ElementsAre("-REFERRAL_OVERDUE r-1"));
  EXPECT_EQ(resolved[0].alert_resolved().service(), v1::SERVICE_KIND_HOUSING);
}

TEST(ReferralOverdue, BankHolidaysAndRespondByMoveTheDeadline) {
  v1::RulesConfig rules;
  rules.add_bank_holidays("2026-12-25");
  rules.add_bank_holidays("2026-12-28");
  rules.add_bank_holidays("2027-01-01");
  v1::ServiceResponseTime* slow = rules.mutable_defaults()->add_referral_response_by_service();
  slow->set_service(v1::SERVICE_KIND_MENTAL_HEALTH);
  slow->set_working_days(10);
  absl::StatusOr<RuleConfig> config = RuleConfig::FromProto(rules, v1::TeamsConfig());
  ASSERT_TRUE(config.ok()) << config.status();

  RulesHarness housing(*config);
  Select(housing, London(2026, 12, 1));
  Refer(housing, London(2026, 12, 23, 16, 0), v1::SERVICE_KIND_HOUSING);
  // 24, 29, 30, 31 December and 4 January: due by the end of 4 January.
  ASSERT_EQ(housing.Pending().size(), 1u);
  EXPECT_EQ(housing.Pending()[0].due, London(2027, 1, 5));

  RulesHarness health(*config);
  Select(health, London(2026, 11, 1));
  Refer(health, Day(0), v1::SERVICE_KIND_MENTAL_HEALTH);
  ASSERT_EQ(health.Pending().size(), 1u);
  EXPECT_EQ(health.Pending()[0].due, London(2026, 12, 15));  // 10 working days

  RulesHarness agreed;
  Select(agreed, London(2026, 11, 1));
  v1::ReferralSent* r = agreed.Next(Day(0))->mutable_referral_sent();
  r->set_referral_id("r-2");
  r->set_service(v1::SERVICE_KIND_SUBSTANCE_MISUSE);
  *r->mutable_respond_by() = Ts(Day(2, 12));
  agreed.Settle();
  EXPECT_THAT(agreed.Due(Day(2, 11)), IsEmpty());
  EXPECT_THAT(Summarize(agreed.Due(Day(2, 12))), ElementsAre("+REFERRAL_OVERDUE r-2"));
}

TEST(ReferralOverdue, AnAnswerInTimeLeavesNoDeadline) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  Refer(h, Day(0), v1::SERVICE_KIND_HOUSING);
  v1::ReferralOutcomeRecorded* answer = h.Next(Day(2))->mutable_referral_outcome_recorded();
  answer->set_referral_id("r-1");
  answer->set_outcome(v1::REFERRAL_OUTCOME_DECLINED);
  h.Settle();
  EXPECT_THAT(h.Pending(), IsEmpty());
  EXPECT_THAT(h.Due(Day(30)), IsEmpty());
}

// --- Rule 9: arrest or charge -------------------------------------------------------------

TEST(ArrestOrCharge, AnArrestOrChargeOfAPersonOnIomRaisesItUrgently) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  v1::ArrestRecorded* arrest = h.Next(Day(1), v1::AGENCY_KIND_POLICE, "police_officer")->mutable_arrest_recorded();
  arrest->set_custody_ref("CUST-1");
  arrest->set_station("Newport Central");
  std::vector<v1::Event> alerts = h.Settle();
  ASSERT_THAT(Summarize(alerts), ElementsAre("+ARREST_OR_CHARGE arrest:CUST-1"));
  EXPECT_EQ(alerts[0].alert_raised().severity(), v1::ALERT_SEVERITY_URGENT);
  h.Next(Day(2), v1::AGENCY_KIND_POLICE)->mutable_charge_recorded()->set_charge_ref("CH-9");
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("+ARREST_OR_CHARGE charge:CH-9"));
  OpenConsideration(h, Day(3));
  EXPECT_THAT(h.OpenWindows(kArrestOrCharge), IsEmpty());
}

TEST(ArrestOrCharge, NotForAPersonNotOnIom) {
  RulesHarness h;
  h.Next(Day(0))->mutable_nominal_referred()->set_team_id("gwent-newport");
  h.Next(Day(1), v1::AGENCY_KIND_POLICE)->mutable_arrest_recorded()->set_custody_ref("C");
  EXPECT_THAT(h.Settle(), IsEmpty());
}

// --- Rule 4: duplicate supervision; accommodation -------------------------------------------

TEST(DuplicateSupervision, AWisdomCaseUnderMappaRaisesItUntilTheRegistrationEnds) {
  RulesHarness h;
  h.Next(Day(0))->mutable_risk_level_changed()->set_risk_of_harm(v1::RISK_LEVEL_HIGH);
  Select(h, Day(0), v1::COHORT_FREE, v1::STRAND_WISDOM);
  v1::RegistrationChanged* mappa = h.Next(Day(1))->mutable_registration_changed();
  mappa->set_registration(v1::REGISTRATION_MAPPA);
  mappa->set_added(true);
  mappa->set_register_code("MAPP");
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("+DUPLICATE_SUPERVISION 2026-12-01"));
  v1::RegistrationChanged* ended = h.Next(Day(5))->mutable_registration_changed();
  ended->set_registration(v1::REGISTRATION_MAPPA);
  ended->set_added(false);
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("-DUPLICATE_SUPERVISION 2026-12-01"));
}

TEST(Accommodation, NoFixedAbodeAndReleaseWithoutAccommodationAlertUntilHoused) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  h.Next(Day(0))->mutable_received_into_custody()->set_establishment("HMP Cardiff");
  h.Settle();
  h.Next(Day(3))->mutable_released_from_custody()->set_establishment("HMP Cardiff");
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("+NO_ACCOMMODATION_ON_RELEASE 2026-12-03"));
  h.Next(Day(3, 12))->mutable_accommodation_status_changed()->set_status(
      v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE);
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("+NO_FIXED_ABODE 2026-12-03"));
  h.Next(Day(6), v1::AGENCY_KIND_HOUSING)
      ->mutable_accommodation_status_changed()
      ->set_status(v1::ACCOMMODATION_STATUS_TEMPORARY);
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("-NO_FIXED_ABODE 2026-12-03",
                                                 "-NO_ACCOMMODATION_ON_RELEASE 2026-12-03"));
}

// --- Leaving IOM; derived ids ------------------------------------------------------------

TEST(AlertRules, LeavingIomResolvesWhatNoLongerAppliesAndRaisesNothingNew) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  h.Next(Day(0))->mutable_accommodation_status_changed()->set_status(
      v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE);
  EXPECT_THAT(Summarize(h.Settle()), ElementsAre("+NO_FIXED_ABODE 2026-11-30"));
  h.Next(Day(1))->mutable_nominal_deselected()->set_reason("order ended");
  std::vector<v1::Event> resolved = h.Settle();
  ASSERT_THAT(Summarize(resolved), ElementsAre("-NO_FIXED_ABODE 2026-11-30"));
  EXPECT_EQ(resolved[0].alert_resolved().reason(), "no longer on IOM");
  h.Next(Day(2), v1::AGENCY_KIND_POLICE)->mutable_arrest_recorded()->set_custody_ref("C");
  EXPECT_THAT(h.Settle(), IsEmpty());
}

TEST(AlertRules, EventIdsAreDerivedSoDecidingAgainGivesTheSameEvent) {
  RulesHarness a, b;
  for (RulesHarness* h : {&a, &b}) {
    Select(*h, London(2026, 11, 1));
    h->Next(Day(1), v1::AGENCY_KIND_POLICE)->mutable_arrest_recorded()->set_custody_ref("C1");
  }
  const std::vector<v1::Event> first = a.Settle();
  const std::vector<v1::Event> second = b.Settle();
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(first[0].event_id(), second[0].event_id());
  EXPECT_EQ(first[0].SerializeAsString(), second[0].SerializeAsString());
  EXPECT_EQ(first[0].alert_raised().occurrence(), 1u);
  EXPECT_EQ(first[0].causation_id(), "10000000-0000-4000-8000-000000000002");  // the arrest
}

TEST(AlertRules, AnAlertRaisedAgainAfterItWasResolvedIsANewOccurrenceWithANewId) {
  RulesHarness h;
  Select(h, London(2026, 11, 1));
  auto abode = [&](int day, v1::AccommodationStatus status) {
    h.Next(Day(0, 9 + day))->mutable_accommodation_status_changed()->set_status(status);
    return h.Settle();
  };
  const std::vector<v1::Event> first = abode(0, v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE);
  abode(1, v1::ACCOMMODATION_STATUS_TEMPORARY);
  const std::vector<v1::Event> again = abode(2, v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE);
  ASSERT_THAT(Summarize(again), ElementsAre("+NO_FIXED_ABODE 2026-11-30"));
  EXPECT_EQ(again[0].alert_raised().occurrence(), 2u);
  EXPECT_NE(again[0].event_id(), first[0].event_id());
}

TEST(AlertRules, ADisabledRuleRaisesNothing) {
  v1::RulesConfig rules;
  rules.add_disabled_rules(kArrestOrCharge);
  absl::StatusOr<RuleConfig> config = RuleConfig::FromProto(rules, v1::TeamsConfig());
  ASSERT_TRUE(config.ok());
  RulesHarness h(*config);
  Select(h, London(2026, 11, 1));
  h.Next(Day(1), v1::AGENCY_KIND_POLICE)->mutable_arrest_recorded()->set_custody_ref("C1");
  EXPECT_THAT(h.Settle(), IsEmpty());
}

}  // namespace
}  // namespace iomhub::projections::alert_rules
