// The dashboard view and its figures: what a team's people and weeks add up
// to, and that small numbers never leave unsuppressed.
#include <map>

#include "common/status_matchers.h"
#include "eventstore/testing/in_memory_view_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/dashboard_figures.h"
#include "projections/dashboard_suppression.h"
#include "projections/dashboard_view.h"
#include "projections/test_person_stream.h"

namespace iomhub::projections {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::projections::testing::TestPersonStream;
using ::iomhub::projections::testing::Ts;
using ::iomhub::testing::IsOk;

v1::Team Newport() {
  v1::Team t;
  t.set_id("gwent-newport");
  t.set_name("Newport IOM");
  t.set_area_id("gwent");
  t.set_setting(v1::SETTING_URBAN);
  t.set_co_location(v1::CO_LOCATION_CO_LOCATED);
  t.mutable_staffing()->set_police_officers(5);
  t.mutable_staffing()->set_probation_officers(5);
  t.mutable_staffing()->set_caseload_capacity(80);
  return t;
}

class DashboardTest : public ::testing::Test {
 protected:
  // Twelve people in Newport from early November 2026: 1–8 Fixed (plan 3 a
  // week), 9–12 Flex Y2A; 1–7 aged 22 and in settled accommodation, 8–12
  // aged 40 and of no fixed abode. Fixed people are offered 3 contacts in
  // each of ISO weeks 46 and 47, keep 2 and miss 1.
  void SetUp() override {
    for (int n = 1; n <= 12; ++n) {
      TestPersonStream& s = people_.emplace_back(n, 1000 * n);
      v1::NominalReferred* r = s.Next(London(2026, 11, 2))->mutable_nominal_referred();
      r->set_team_id("gwent-newport");
      *r->mutable_date_of_birth() = Ts(London(n <= 7 ? 2004 : 1986, 6, 1));
      v1::CohortSelected* c = s.Next(London(2026, 11, 2, 10))->mutable_cohort_selected();
      c->set_team_id("gwent-newport");
      c->set_cohort(n <= 8 ? v1::COHORT_FIXED : v1::COHORT_FLEX);
      c->set_strand(n <= 8 ? v1::STRAND_NEIGHBOURHOOD_CRIME : v1::STRAND_Y2A);
      c->set_lead_practitioner(n % 2 == 0 ? "PO-1" : "PO-2");
      s.Next(London(2026, 11, 2, 11))->mutable_contact_plan_set()->set_min_contacts_per_week(3);
      s.Next(London(2026, 11, 3))
          ->mutable_accommodation_status_changed()
          ->set_status(n <= 7 ? v1::ACCOMMODATION_STATUS_SETTLED
                              : v1::ACCOMMODATION_STATUS_NO_FIXED_ABODE);
      if (n > 8) continue;
      for (int week = 0; week < 2; ++week) {
        for (int i = 0; i < 3; ++i) {
          const std::string id = absl::StrCat("c-", week, "-", i);
          const absl::Time at = London(2026, 11, 9 + 7 * week + i, 10);
          v1::ContactScheduled* sc = s.Next(at - absl::Hours(48))->mutable_contact_scheduled();
          sc->set_contact_id(id);
          sc->set_mode(v1::CONTACT_MODE_OFFICE);
          *sc->mutable_scheduled_for() = Ts(at);
          v1::ContactOutcomeRecorded* o = s.Next(at)->mutable_contact_outcome_recorded();
          o->set_contact_id(id);
          o->set_outcome(i < 2 ? v1::CONTACT_OUTCOME_ATTENDED_COMPLIED
                               : v1::CONTACT_OUTCOME_UNACCEPTABLE_ABSENCE);
        }
      }
    }
  }

  void Fold() {
    ViewTxn txn(&views_, "dash");
    for (const TestPersonStream& s : people_) {
      for (size_t i = 0; i < s.size(); ++i) {
        eventstore::EventPeek peek;
        peek.stream = s.Get(i).stream();
        peek.payload_field = static_cast<int>(s.Get(i).payload_case());
        if (!projection_.Wants(peek)) continue;
        ASSERT_THAT(projection_.Apply(s.Get(i), txn), IsOk());
      }
    }
    ASSERT_THAT(txn.Commit(++commits_), IsOk());
  }

  v1::GetDashboardResponse Dashboard(const v1::Team& team, int weeks = 2) {
    absl::StatusOr<TeamDashboardData> data = ReadTeamDashboard(views_, "dash", team.id());
    EXPECT_THAT(data, IsOk());
    v1::GetDashboardResponse r;
    r.set_scope(team.name());
    EXPECT_THAT(BuildDashboard({{team, *std::move(data)}}, {},
                               {.as_of = London(2026, 11, 20), .weeks = weeks}, &r),
                IsOk());
    return r;
  }

  eventstore::InMemoryViewStore views_;
  DashboardViewProjection projection_;
  std::deque<TestPersonStream> people_;
  uint64_t commits_ = 0;
};

const v1::DashboardTable& TableOf(const v1::GetDashboardResponse& r, const std::string& id) {
  for (const v1::DashboardTable& t : r.tables()) {
    if (t.id() == id) return t;
  }
  ADD_FAILURE() << "no table " << id;
  static const v1::DashboardTable none;
  return none;
}

// "17" for a shown cell, "<5" for a suppressed one, by key.
std::map<std::string, std::string> Shown(const v1::DashboardTable& t) {
  std::map<std::string, std::string> out;
  for (const v1::DashboardCell& c : t.cells()) {
    out[c.key()] = c.suppressed() ? "<5" : absl::StrCat(c.value());
  }
  if (t.has_total()) out["total"] = t.total().suppressed() ? "<5" : absl::StrCat(t.total().value());
  return out;
}

using Cells = std::map<std::string, std::string>;

TEST_F(DashboardTest, PeopleAreCountedByCohortAgeAndAccommodationWithSmallCountsSuppressed) {
  Fold();
  const v1::GetDashboardResponse r = Dashboard(Newport());
  EXPECT_EQ(r.from_week(), "2026-W46");
  EXPECT_EQ(r.to_week(), "2026-W47");
  EXPECT_EQ(Shown(TableOf(r, "people_by_cohort")),
            (Cells{{"FIXED", "8"}, {"FLEX", "<5"}, {"FREE", "<5"}, {"total", "12"}}));
  EXPECT_EQ(
      Shown(TableOf(r, "age_bands")),
      (Cells{{"18-24", "7"}, {"25-34", "<5"}, {"35-44", "5"}, {"45+", "<5"}, {"total", "12"}}));
  EXPECT_EQ(Shown(TableOf(r, "accommodation_status"))["SETTLED"], "7");
  EXPECT_EQ(Shown(TableOf(r, "accommodation_status"))["NO_FIXED_ABODE"], "5");
  EXPECT_EQ(Shown(TableOf(r, "needs"))["HOUSING"], "5");
  // Nobody's accommodation is unrecorded: no "not recorded" cell, which
  // would be suppressed and take the smallest real one (5) with it.
  EXPECT_EQ(Shown(TableOf(r, "accommodation_status")).count("UNSPECIFIED"), 0u);
}

TEST_F(DashboardTest, ContactsPerPersonWeekAgainstPlanAndMissedRate) {
  Fold();
  const v1::GetDashboardResponse r = Dashboard(Newport());
  EXPECT_EQ(Shown(TableOf(r, "contacts_fixed")), (Cells{{"offered", "3"}, {"kept", "2"}}));
  EXPECT_EQ(TableOf(r, "contacts_fixed").cells(0).reference(), 3);
  // 16 missed of 48 with an outcome.
  EXPECT_EQ(Shown(TableOf(r, "compliance"))["missed"], "33.3");
  EXPECT_EQ(Shown(TableOf(r, "kept_by_setting"))["URBAN"], "66.7");
  // A one-week window that holds only week 47 counts half the contacts.
  const v1::GetDashboardResponse last = Dashboard(Newport(), 1);
  EXPECT_EQ(Shown(TableOf(last, "contacts_fixed")), (Cells{{"offered", "3"}, {"kept", "2"}}));
}

TEST_F(DashboardTest, ARescheduledContactCountsInItsNewWeekOnly) {
  v1::ContactScheduled* moved = people_[0].Next(London(2026, 11, 8))->mutable_contact_scheduled();
  moved->set_contact_id("c-0-0");  // was week 46, attended; now week 48, no outcome yet
  moved->set_mode(v1::CONTACT_MODE_OFFICE);
  *moved->mutable_scheduled_for() = Ts(London(2026, 11, 23, 10));
  Fold();
  const v1::GetDashboardResponse r = Dashboard(Newport());
  // 47 offered over 16 person-weeks, 31 kept.
  EXPECT_EQ(Shown(TableOf(r, "contacts_fixed")), (Cells{{"offered", "2.9"}, {"kept", "1.9"}}));
}

TEST_F(DashboardTest, WeeksInCustodyAreNoFixedPersonWeeks) {
  // Person 1 is in custody from Monday of week 47: 15 person-weeks, and
  // the 3 contacts they were offered that week still count.
  people_[0].Next(London(2026, 11, 16, 0, 30))->mutable_received_into_custody();
  Fold();
  const v1::GetDashboardResponse r = Dashboard(Newport());
  EXPECT_EQ(Shown(TableOf(r, "contacts_fixed")), (Cells{{"offered", "3.2"}, {"kept", "2.1"}}));
}

TEST_F(DashboardTest, ATeamChangeMovesThePersonAndTheirWeeksFromThenOn) {
  v1::TeamChanged* moved = people_[11].Next(London(2026, 11, 18))->mutable_team_changed();
  moved->set_from_team_id("gwent-newport");
  moved->set_to_team_id("gwent-caerphilly");
  Fold();
  EXPECT_EQ(Shown(TableOf(Dashboard(Newport()), "people_by_cohort"))["total"], "11");
  v1::Team caerphilly = Newport();
  caerphilly.set_id("gwent-caerphilly");
  const v1::GetDashboardResponse there = Dashboard(caerphilly);
  EXPECT_EQ(Shown(TableOf(there, "people_by_cohort"))["total"], "<5");
  EXPECT_TRUE(TableOf(there, "caseload_by_team").cells(0).suppressed());
}

TEST_F(DashboardTest, TrendsAreEachWeeksShareOfThePeopleOnIom) {
  Fold();
  const v1::GetDashboardResponse r = Dashboard(Newport());
  // 7 of 12 settled in both weeks.
  EXPECT_EQ(Shown(TableOf(r, "accommodation_trend")),
            (Cells{{"2026-W46", "58.3"}, {"2026-W47", "58.3"}}));
  // Nobody's employment is recorded: 0 in work is a small count.
  EXPECT_EQ(Shown(TableOf(r, "employment_trend")), (Cells{{"2026-W46", "<5"}, {"2026-W47", "<5"}}));
}

TEST(DashboardSuppression, SmallCountsRatesOnThemAndLoneSuppressedCellsNeverShow) {
  EXPECT_TRUE(CountCell("a", "A", 4).suppressed());
  EXPECT_EQ(CountCell("a", "A", 4).value(), 0);
  EXPECT_TRUE(CountCell("a", "A", 0).suppressed());
  EXPECT_FALSE(CountCell("a", "A", 5).suppressed());
  EXPECT_TRUE(RateCell("r", "R", 4, 100, RateKind::kShare).suppressed());
  EXPECT_TRUE(RateCell("r", "R", 96, 100, RateKind::kShare).suppressed());  // 4 outside
  EXPECT_FALSE(RateCell("r", "R", 96, 100, RateKind::kAverage).suppressed());
  EXPECT_TRUE(RateCell("r", "R", 40, 4, RateKind::kAverage).suppressed());
  EXPECT_EQ(RateCell("r", "R", 1, 3 * 5, RateKind::kAverage).value(), 0);

  v1::DashboardTable t;
  *t.add_cells() = CountCell("a", "A", 20);
  *t.add_cells() = CountCell("b", "B", 3);
  *t.add_cells() = CountCell("c", "C", 9);
  *t.mutable_total() = CountCell("total", "Total", 32);
  ProtectTotal(t);
  // b alone would be 32 − 20 − 9; c, the smallest other, goes with it.
  EXPECT_EQ(Shown(t), (Cells{{"a", "20"}, {"b", "<5"}, {"c", "<5"}, {"total", "32"}}));

  v1::DashboardTable single;
  *single.add_cells() = CountCell("a", "A", 3);
  *single.mutable_total() = CountCell("total", "Total", 7);
  ProtectTotal(single);
  EXPECT_TRUE(single.total().suppressed());
}

}  // namespace
}  // namespace iomhub::projections
