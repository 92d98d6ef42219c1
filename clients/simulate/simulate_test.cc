// The simulation model without a hub: the same seed gives the same
// scenario byte for byte, another seed another one; a large run's measured
// rates fall in the bands model_rates.h and docs/simulation.md state; and
// the scenario keeps the rules the hub enforces (who sends what, one
// appointment a day, consent before a health or employment referral).
#include <map>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "clients/simulate/model_rates.h"
#include "clients/simulate/scenario_stats.h"
#include "clients/simulate/sim_calendar.h"
#include "clients/simulate/sim_random.h"
#include "clients/simulate/simulation.h"
#include "common/timestamps.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::simulate {
namespace {

const Partnership& Shipped() {
  static const Partnership* p = [] {
    absl::StatusOr<Partnership> loaded =
        Partnership::Load(IOMHUB_SOURCE_DIR "/deploy/config/teams.textproto");
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new Partnership(*std::move(loaded));
  }();
  return *p;
}

Scenario Generate(uint64_t seed, int weeks, int people) {
  absl::StatusOr<Scenario> s = Simulate(
      Shipped(),
      {.seed = seed, .weeks = weeks, .people = people, .start = absl::CivilDay(2026, 9, 7)});
  EXPECT_TRUE(s.ok()) << s.status();
  return s.ok() ? *std::move(s) : Scenario{};
}

// One large run, shared by the rate tests.
const ScenarioStats& LargeRun() {
  static const ScenarioStats* stats =
      new ScenarioStats(Measure(Generate(2026, 12, 3000), Shipped()));
  return *stats;
}

TEST(SimRandom, SameSeedSameDrawsAndStreamsDiffer) {
  SimRandom a(SimRandom::Derive(7, "x")), b(SimRandom::Derive(7, "x")),
      c(SimRandom::Derive(7, "y"));
  bool differ = false;
  for (int i = 0; i < 100; ++i) {
    const int64_t n = a.Between(1, 6);
    EXPECT_EQ(n, b.Between(1, 6));
    EXPECT_GE(n, 1);
    EXPECT_LE(n, 6);
    differ |= c.Next() != a.Next();
    b.Next();
  }
  EXPECT_TRUE(differ);
  // The engine's sequence is fixed by the standard: a known value.
  EXPECT_EQ(SimRandom(5489).Next(), 14514284786278117030ULL);
}

TEST(SimCalendar, KnowsTheBankHolidaysOfEnglandAndWales) {
  for (absl::CivilDay d :
       {absl::CivilDay(2026, 4, 3), absl::CivilDay(2026, 4, 6), absl::CivilDay(2026, 5, 4),
        absl::CivilDay(2026, 5, 25), absl::CivilDay(2026, 8, 31), absl::CivilDay(2026, 12, 28),
        absl::CivilDay(2027, 12, 27), absl::CivilDay(2028, 1, 3)}) {
    EXPECT_TRUE(IsBankHoliday(d)) << d;
  }
  EXPECT_FALSE(IsBankHoliday(absl::CivilDay(2026, 12, 26)));  // a Saturday; the 28th is
  EXPECT_EQ(AddWorkingDays(absl::CivilDay(2026, 12, 24), 1), absl::CivilDay(2026, 12, 29));
  EXPECT_EQ(WorkingDaysBetween(absl::CivilDay(2026, 12, 24), absl::CivilDay(2026, 12, 29)), 1);
}

TEST(Simulation, SameSeedGivesTheSameScenario) {
  const Scenario a = Generate(7, 3, 200);
  const Scenario b = Generate(7, 3, 200);
  ASSERT_FALSE(a.steps.empty());
  EXPECT_EQ(Digest(a), Digest(b));
  EXPECT_EQ(a.steps.size(), b.steps.size());
}

TEST(Simulation, AnotherSeedGivesAnotherScenario) {
  EXPECT_NE(Digest(Generate(7, 3, 200)), Digest(Generate(8, 3, 200)));
}

TEST(Simulation, DefaultPeopleFollowTeamCapacitiesAndSomeTeamsAreOver) {
  const std::vector<int> sizes =
      TeamSizes(Shipped(), {.seed = 1, .start = absl::CivilDay(2026, 9, 7)});
  int total = 0, capacity = 0, over = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    total += sizes[i];
    capacity += Shipped().teams()[i].capacity;
    over += sizes[i] > static_cast<int>(Shipped().teams()[i].capacity);
  }
  EXPECT_NEAR(total, capacity, capacity * 0.15);
  EXPECT_GT(over, 0);
  EXPECT_LT(over, static_cast<int>(sizes.size()));
  const std::vector<int> fixed =
      TeamSizes(Shipped(), {.seed = 1, .people = 60, .start = absl::CivilDay(2026, 9, 7)});
  EXPECT_EQ(std::accumulate(fixed.begin(), fixed.end(), 0), 60);
}

TEST(Simulation, RefusesAStartThatIsNotAMonday) {
  EXPECT_FALSE(Simulate(Shipped(), {.start = absl::CivilDay(2026, 9, 8)}).ok());
}

TEST(SimulationRates, PeopleByCohortStrandAndAgeAreInTheirBands) {
  const ScenarioStats& s = LargeRun();
  const double n = static_cast<double>(s.people);
  EXPECT_TRUE(rates::kFixedPeopleShare.Contains(s.fixed / n)) << s.fixed / n;
  EXPECT_TRUE(rates::kY2aPeopleShare.Contains(s.y2a / n)) << s.y2a / n;
  EXPECT_TRUE(rates::kWisdomPeopleShare.Contains(s.wisdom / n)) << s.wisdom / n;
  EXPECT_TRUE(rates::kYoungPeopleShare.Contains(s.young / n)) << s.young / n;
}

TEST(SimulationRates, ContactsKeptAreInTheirBands) {
  const ScenarioStats& s = LargeRun();
  EXPECT_TRUE(rates::kKeptUrbanAdult.Contains(s.kept_urban_adult.rate()))
      << s.kept_urban_adult.rate();
  EXPECT_TRUE(rates::kKeptUrbanYoung.Contains(s.kept_urban_young.rate()))
      << s.kept_urban_young.rate();
  EXPECT_TRUE(rates::kKeptRuralAdult.Contains(s.kept_rural_adult.rate()))
      << s.kept_rural_adult.rate();
  EXPECT_TRUE(rates::kKeptRuralYoung.Contains(s.kept_rural_young.rate()))
      << s.kept_rural_young.rate();
  // Worse for the young and for rural travel.
  EXPECT_LT(s.kept_urban_young.rate(), s.kept_urban_adult.rate());
  EXPECT_LT(s.kept_rural_adult.rate(), s.kept_urban_adult.rate());
}

TEST(SimulationRates, FixedPeopleAreOfferedTheirPlan) {
  const ScenarioStats& s = LargeRun();
  EXPECT_TRUE(rates::kFixedOfferedPerWeek.Contains(s.FixedOfferedPerWeek()))
      << s.FixedOfferedPerWeek();
}

TEST(SimulationRates, ReferralAnswerTimesAreInTheirBands) {
  const ScenarioStats& s = LargeRun();
  EXPECT_TRUE(rates::kHousingMedian.Contains(s.MedianAnswerDays("housing")))
      << s.MedianAnswerDays("housing");
  EXPECT_TRUE(rates::kSubstanceMisuseMedian.Contains(s.MedianAnswerDays("substance misuse")))
      << s.MedianAnswerDays("substance misuse");
  EXPECT_TRUE(rates::kMentalHealthMedian.Contains(s.MedianAnswerDays("mental health")))
      << s.MedianAnswerDays("mental health");
  EXPECT_TRUE(rates::kEmploymentMedian.Contains(s.MedianAnswerDays("employment")))
      << s.MedianAnswerDays("employment");
}

TEST(SimulationRates, PoliceAndProbationSometimesDisagreeAndEscalate) {
  const ScenarioStats& s = LargeRun();
  ASSERT_GT(s.positions_differ.of, 100u);
  EXPECT_TRUE(rates::kPositionsDifferShare.Contains(s.positions_differ.rate()))
      << s.positions_differ.rate();
  EXPECT_GT(s.escalations, 0u);
  EXPECT_LE(s.escalations, s.positions_differ.hits);
}

TEST(SimulationRules, EachAgencySendsOnlyWhatItProducesAndAppointmentsNeverOverlap) {
  const Scenario scenario = Generate(11, 6, 600);
  // DOMAIN.md "Who may produce what" (deploy/config/producers.textproto).
  const std::map<std::string, std::set<std::string>> only = {
      {"housing",
       {"ReferralOutcomeRecorded", "ContactOutcomeRecorded", "ContactScheduled",
        "AccommodationStatusChanged"}},
      {"health",
       {"ReferralOutcomeRecorded", "ContactOutcomeRecorded", "ContactScheduled",
        "TreatmentEngagementChanged", "ConsentRecorded", "ConsentWithdrawn"}},
      {"employment",
       {"ReferralOutcomeRecorded", "ContactOutcomeRecorded", "ContactScheduled",
        "EmploymentStatusChanged", "ConsentRecorded", "ConsentWithdrawn"}},
      {"prison", {"ReceivedIntoCustody", "ReleasedFromCustody", "IdentifierLinked"}}};
  std::map<std::string, std::set<absl::CivilDay>> days;
  std::set<std::string> consents;
  for (const Step& step : scenario.steps) {
    const std::string agency = AgencyOfRole(step.sender.role);
    for (const v1::Event& e : step.events) {
      const std::string type = EventTypeName(e);
      if (auto it = only.find(agency); it != only.end()) {
        EXPECT_TRUE(it->second.contains(type)) << agency << " sends " << type;
      }
      if (type == "PositionRecorded" || type == "DecisionEscalated") {
        EXPECT_THAT(step.sender.role, testing::AnyOf("sergeant", "senior_probation_officer"));
      }
      if (e.has_contact_scheduled()) {
        const absl::CivilDay day = LondonDay(ToTime(e.contact_scheduled().scheduled_for()));
        EXPECT_TRUE(days[e.stream()].insert(day).second) << e.stream() << " " << day;
        EXPECT_LT(step.at, ToTime(e.contact_scheduled().scheduled_for()));
      }
      if (e.has_consent_recorded()) consents.insert(e.consent_recorded().consent_id());
      if (e.has_referral_sent() && e.referral_sent().service() != v1::SERVICE_KIND_HOUSING) {
        EXPECT_TRUE(consents.contains(e.referral_sent().consent_ref()))
            << "referral " << e.referral_sent().referral_id() << " before its consent";
      }
    }
  }
}

}  // namespace
}  // namespace iomhub::simulate
