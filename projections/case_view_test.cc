#include "projections/case_view.h"

#include <initializer_list>

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/deterministic_bytes.h"
#include "projections/test_person_stream.h"

namespace iomhub::projections {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::TestPersonStream;
using ::iomhub::projections::testing::Ts;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;

// Week 2026-W48 runs from Monday 23 to Sunday 29 November 2026 (GMT).
const absl::Time kMonday = London(2026, 11, 23, 0, 0);
const absl::Time kAsOf = London(2026, 11, 25, 12, 0);  // Wednesday
const absl::Time kBefore = London(2026, 11, 1, 9, 0);

absl::Time WeekDay(int day, int hour = 10) { return kMonday + absl::Hours(24 * day + hour); }

class CaseViewTest : public ::testing::Test {
 protected:
  void SelectCohort(v1::Cohort cohort) {
    auto* sel = s_.Next(kBefore)->mutable_cohort_selected();
    sel->set_cohort(cohort);
    sel->set_strand(v1::STRAND_NEIGHBOURHOOD_CRIME);
  }
  void SetPlan(uint32_t min, std::initializer_list<v1::ContactMode> modes = {}) {
    auto* plan = s_.Next(kBefore)->mutable_contact_plan_set();
    plan->set_min_contacts_per_week(min);
    for (v1::ContactMode m : modes) plan->add_countable_modes(m);
  }
  void Schedule(const std::string& id, absl::Time when,
                v1::ContactMode mode = v1::CONTACT_MODE_OFFICE) {
    auto* c = s_.Next(kBefore)->mutable_contact_scheduled();
    c->set_contact_id(id);
    c->set_mode(mode);
    *c->mutable_scheduled_for() = Ts(when);
  }
  void Outcome(const std::string& id, v1::ContactOutcome outcome) {
    auto* o = s_.Next(kBefore)->mutable_contact_outcome_recorded();
    o->set_contact_id(id);
    o->set_outcome(outcome);
  }
  v1::CaseView Render(absl::Time as_of = kAsOf) {
    absl::StatusOr<v1::PersonState> state = s_.Fold();
    EXPECT_THAT(state, IsOk());
    absl::StatusOr<v1::CaseView> view = RenderCaseView(state.value_or(v1::PersonState{}), as_of);
    EXPECT_THAT(view, IsOk());
    return view.value_or(v1::CaseView{});
  }

  TestPersonStream s_;
};

TEST_F(CaseViewTest, TwoContactsInAFixedWeekWithPlanThreeIsBelowPlan) {
  SelectCohort(v1::COHORT_FIXED);
  SetPlan(3);
  Schedule("c1", WeekDay(0));
  Schedule("c2", WeekDay(3));
  const v1::CaseView::ContactWeek week = Render().this_week();
  EXPECT_EQ(week.week_label(), "2026-W48");
  EXPECT_EQ(week.contacts_offered(), 2u);
  EXPECT_EQ(week.plan_minimum(), 3u);
  EXPECT_FALSE(week.plan_defaulted());
  EXPECT_TRUE(week.below_plan());
}

TEST_F(CaseViewTest, ThreeContactsInAFixedWeekWithPlanThreeIsNotBelowPlan) {
  SelectCohort(v1::COHORT_FIXED);
  SetPlan(3);
  Schedule("c1", WeekDay(0));
  Schedule("c2", WeekDay(3));
  Schedule("c3", WeekDay(6, 22));  // Sunday evening
  const v1::CaseView::ContactWeek week = Render().this_week();
  EXPECT_EQ(week.contacts_offered(), 3u);
  EXPECT_FALSE(week.below_plan());
}

TEST_F(CaseViewTest, PlanReducedToTwoAfterAReviewMakesTwoContactsEnough) {
  SelectCohort(v1::COHORT_FIXED);
  SetPlan(3);
  auto* review = s_.Next(kBefore)->mutable_review_completed();
  review->set_outcome(v1::REVIEW_OUTCOME_REDUCE);
  review->set_rationale("young adult, overburdened");
  SetPlan(2);
  Schedule("c1", WeekDay(1));
  Schedule("c2", WeekDay(2));
  const v1::CaseView::ContactWeek week = Render().this_week();
  EXPECT_EQ(week.plan_minimum(), 2u);
  EXPECT_EQ(week.contacts_offered(), 2u);
  EXPECT_FALSE(week.below_plan());
}

TEST_F(CaseViewTest, RescheduledContactIsNotOffered) {
  SelectCohort(v1::COHORT_FIXED);
  SetPlan(3);
  Schedule("c1", WeekDay(0));
  Schedule("c2", WeekDay(1));
  Schedule("c3", WeekDay(2));
  Outcome("c2", v1::CONTACT_OUTCOME_RESCHEDULED);
  const v1::CaseView::ContactWeek week = Render().this_week();
  EXPECT_EQ(week.contacts_offered(), 2u);
  EXPECT_TRUE(week.below_plan());
}

TEST_F(CaseViewTest, AcceptableAbsenceIsOfferedButNotKept) {
  SelectCohort(v1::COHORT_FIXED);
  SetPlan(2);
  Schedule("c1", WeekDay(0));
  Schedule("c2", WeekDay(1));
  Outcome("c1", v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
  Outcome("c2", v1::CONTACT_OUTCOME_ACCEPTABLE_ABSENCE);
  const v1::CaseView::ContactWeek week = Render().this_week();
  EXPECT_EQ(week.contacts_offered(), 2u);
  EXPECT_EQ(week.contacts_kept(), 1u);
  EXPECT_FALSE(week.below_plan());
}

TEST_F(CaseViewTest, AttendedButFailedToComplyIsKept) {
  SelectCohort(v1::COHORT_FIXED);
  Schedule("c1", WeekDay(0));
  Outcome("c1", v1::CONTACT_OUTCOME_ATTENDED_FAILED_TO_COMPLY);
  EXPECT_EQ(Render().this_week().contacts_kept(), 1u);
}

TEST_F(CaseViewTest, FixedPersonWithoutAPlanIsHeldToThreeContacts) {
  SelectCohort(v1::COHORT_FIXED);
  Schedule("c1", WeekDay(0));
  Schedule("c2", WeekDay(1));
  const v1::CaseView::ContactWeek week = Render().this_week();
  EXPECT_EQ(week.plan_minimum(), 3u);
  EXPECT_TRUE(week.plan_defaulted());
  EXPECT_TRUE(week.below_plan());
}

TEST_F(CaseViewTest, FlexPersonWithoutAPlanHasNoMinimum) {
  SelectCohort(v1::COHORT_FLEX);
  const v1::CaseView::ContactWeek week = Render().this_week();
  EXPECT_EQ(week.plan_minimum(), 0u);
  EXPECT_FALSE(week.below_plan());
}

TEST_F(CaseViewTest, DeselectedFixedPersonWithoutAPlanHasNoMinimum) {
  SelectCohort(v1::COHORT_FIXED);
  s_.Next(kBefore)->mutable_nominal_deselected()->set_reason("order ended");
  EXPECT_EQ(Render().this_week().plan_minimum(), 0u);
}

TEST_F(CaseViewTest, OnlyThePlansModesAreCounted) {
  SelectCohort(v1::COHORT_FIXED);
  SetPlan(2, {v1::CONTACT_MODE_OFFICE, v1::CONTACT_MODE_HOME_VISIT});
  Schedule("c1", WeekDay(0), v1::CONTACT_MODE_HOME_VISIT);
  Schedule("c2", WeekDay(1), v1::CONTACT_MODE_PHONE);
  EXPECT_EQ(Render().this_week().contacts_offered(), 1u);
}

TEST_F(CaseViewTest, ContactsOutsideTheLondonWeekAreNotCounted) {
  SelectCohort(v1::COHORT_FIXED);
  Schedule("before", kMonday - absl::Minutes(30));   // Sunday 23:30 of W47
  Schedule("after", kMonday + absl::Hours(24 * 7));  // Monday 00:00 of W49
  Schedule("first", kMonday);                        // Monday 00:00 of W48
  Schedule("last", kMonday + absl::Hours(24 * 7) - absl::Minutes(1));
  const v1::CaseView view = Render();
  EXPECT_EQ(view.this_week().contacts_offered(), 2u);
  EXPECT_EQ(view.this_week().starts_at().seconds(), Ts(kMonday).seconds());
  EXPECT_EQ(view.this_week().ends_at().seconds(), Ts(kMonday + absl::Hours(24 * 7)).seconds());
}

TEST_F(CaseViewTest, OutcomeWithoutAScheduleIsNeverOffered) {
  SelectCohort(v1::COHORT_FIXED);
  Outcome("ghost", v1::CONTACT_OUTCOME_ATTENDED_COMPLIED);
  EXPECT_EQ(Render().this_week().contacts_offered(), 0u);
}

TEST_F(CaseViewTest, OpenReferralsHaveAnAgeInWholeDaysAndAreOverduePastRespondBy) {
  auto sent = [&](const std::string& id, absl::Time at, absl::Time respond_by) {
    auto* r = s_.Next(at)->mutable_referral_sent();
    r->set_referral_id(id);
    r->set_service(v1::SERVICE_KIND_HOUSING);
    *r->mutable_respond_by() = Ts(respond_by);
  };
  sent("late", kAsOf - absl::Hours(24 * 6 + 5), kAsOf - absl::Hours(24));
  sent("fresh", kAsOf - absl::Hours(30), kAsOf + absl::Hours(24 * 4));
  sent("answered", kAsOf - absl::Hours(24 * 10), kAsOf - absl::Hours(24 * 5));
  auto* o = s_.Next(kAsOf - absl::Hours(24 * 9))->mutable_referral_outcome_recorded();
  o->set_referral_id("answered");
  o->set_outcome(v1::REFERRAL_OUTCOME_ACCEPTED);

  const v1::CaseView view = Render();
  EXPECT_EQ(view.open_referral_count(), 2u);
  EXPECT_EQ(view.overdue_referrals(), 1u);
  ASSERT_EQ(view.open_referrals_size(), 2);
  EXPECT_EQ(view.open_referrals(0).referral_id(), "late");
  EXPECT_EQ(view.open_referrals(0).age_days(), 6u);
  EXPECT_TRUE(view.open_referrals(0).overdue());
  EXPECT_EQ(view.open_referrals(1).age_days(), 1u);
  EXPECT_FALSE(view.open_referrals(1).overdue());
}

TEST_F(CaseViewTest, OpenConsiderationsAlertsAndActiveWarningsAreCounted) {
  s_.Next(kBefore)->mutable_breach_consideration_opened()->set_consideration_id("open");
  s_.Next(kBefore)->mutable_breach_consideration_opened()->set_consideration_id("decided");
  s_.Next(kBefore)->mutable_joint_decision_recorded()->set_consideration_id("decided");
  for (const char* window : {"2026-W46", "2026-W47"}) {
    auto* a = s_.Next(kBefore)->mutable_alert_raised();
    a->set_rule("CONTACTS_BELOW_PLAN");
    a->set_window(window);
  }
  auto* resolved = s_.Next(kBefore)->mutable_alert_resolved();
  resolved->set_rule("CONTACTS_BELOW_PLAN");
  resolved->set_window("2026-W46");
  *s_.Next(kBefore)->mutable_warning_issued()->mutable_liable_until() = Ts(kAsOf + absl::Hours(1));
  *s_.Next(kBefore)->mutable_warning_issued()->mutable_liable_until() = Ts(kAsOf - absl::Hours(1));

  const v1::CaseView view = Render();
  EXPECT_EQ(view.open_breach_considerations(), 1u);
  EXPECT_EQ(view.open_alerts(), 1u);
  EXPECT_EQ(view.active_warnings(), 1u);
}

TEST_F(CaseViewTest, ViewCarriesTheStateAndAsOfAndLeavesViewPositionToTheCaller) {
  SelectCohort(v1::COHORT_FIXED);
  const v1::CaseView view = Render();
  absl::StatusOr<v1::PersonState> state = s_.Fold();
  ASSERT_THAT(state, IsOk());
  EXPECT_EQ(DeterministicBytes(view.state()), DeterministicBytes(*state));
  EXPECT_EQ(view.as_of().seconds(), Ts(kAsOf).seconds());
  EXPECT_EQ(view.view_position(), 0u);
}

TEST(CaseView, InfiniteAsOfIsInvalidArgument) {
  EXPECT_THAT(RenderCaseView(v1::PersonState{}, absl::InfiniteFuture()),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace iomhub::projections
