#include "clients/simulate/simulation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "clients/simulate/model_rates.h"
#include "clients/simulate/person_timeline.h"
#include "clients/simulate/sim_calendar.h"
#include "common/ids.h"
#include "common/sha256.h"

namespace iomhub::simulate {
namespace {

std::string RunKey(const Partnership& partnership, const SimulationOptions& o) {
  Sha256 teams;
  std::string bytes;
  partnership.config().SerializeToString(&bytes);
  teams.Update(bytes);
  return absl::StrCat("seed=", o.seed, ";weeks=", o.weeks, ";people=", o.people,
                      ";start=", absl::FormatCivilTime(o.start),
                      ";teams=", teams.FinishHex().substr(0, 16));
}

}  // namespace

absl::CivilDay DefaultStart(absl::CivilDay today, int weeks) {
  return MondayOf(today) - 7 * (std::max(1, weeks) - 1);
}

std::vector<int> TeamSizes(const Partnership& partnership, const SimulationOptions& options) {
  SimRandom rng(SimRandom::Derive(options.seed, "teams"));
  std::vector<double> wanted;
  for (const TeamInfo& t : partnership.teams()) {
    wanted.push_back(t.capacity * rng.Uniform(rates::kMinCapacityFill, rates::kMaxCapacityFill));
  }
  std::vector<int> sizes(wanted.size());
  if (options.people <= 0) {
    for (size_t i = 0; i < wanted.size(); ++i) sizes[i] = static_cast<int>(std::lround(wanted[i]));
    return sizes;
  }
  // Shares of the total by largest remainder, so they sum to it exactly.
  const double total = std::accumulate(wanted.begin(), wanted.end(), 0.0);
  std::vector<std::pair<double, size_t>> remainders;
  int given = 0;
  for (size_t i = 0; i < wanted.size(); ++i) {
    const double share = options.people * wanted[i] / total;
    sizes[i] = static_cast<int>(share);
    given += sizes[i];
    remainders.push_back({share - sizes[i], i});
  }
  std::stable_sort(remainders.begin(), remainders.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t k = 0; given < options.people; ++k, ++given) {
    ++sizes[remainders[k % remainders.size()].second];
  }
  return sizes;
}

absl::StatusOr<Scenario> Simulate(const Partnership& partnership,
                                  const SimulationOptions& options) {
  if (options.weeks < 1 || options.weeks > 104) {
    return absl::InvalidArgumentError(absl::StrCat("weeks must be 1..104, not ", options.weeks));
  }
  if (options.people < 0) return absl::InvalidArgumentError("people must not be negative");
  if (absl::GetWeekday(options.start) != absl::Weekday::monday) {
    return absl::InvalidArgumentError(
        absl::StrCat("the start ", absl::FormatCivilTime(options.start), " is not a Monday"));
  }
  Scenario scenario;
  scenario.start = AtLondon(options.start, 0);
  scenario.end = AtLondon(options.start + 7 * options.weeks, 0);
  scenario.run_key = RunKey(partnership, options);
  const uint64_t identifier_offset = SimRandom::Derive(options.seed, "identifiers") % 1000000;
  const std::vector<int> sizes = TeamSizes(partnership, options);
  std::vector<std::vector<Step>> timelines;
  uint32_t index = 0;
  for (size_t t = 0; t < partnership.teams().size(); ++t) {
    const TeamInfo& team = partnership.teams()[t];
    const int existing = static_cast<int>(std::lround(sizes[t] * rates::kExistingShare));
    for (int j = 0; j < sizes[t]; ++j, ++index) {
      SimRandom rng(
          SimRandom::Derive(options.seed, absl::StrCat("person/", team.team.id(), "/", j)));
      const bool is_existing = j < existing;
      // People already on IOM were referred up to 60 weeks before the start
      // (Y2A within 20 weeks: they are young adults now); the others during
      // the period.
      const int64_t lookback = rng.Between(14, 420);
      const absl::CivilDay day =
          is_existing ? NextWorkingDay(options.start - lookback)
                      : NextWorkingDay(options.start + rng.Between(0, 7 * options.weeks - 1));
      const absl::Time referred_at = AtLondon(day, 0) + absl::Minutes(rng.Between(540, 1019));
      const std::string person_id = NameBasedUuid(
          kIomhubNamespace, absl::StrCat("simulate/", scenario.run_key, "/person/", index));
      PersonProfile profile = MakeProfile(rng, index, person_id, team, t, options.start,
                                          is_existing, referred_at, identifier_offset);
      profile.team_over_capacity = sizes[t] > static_cast<int>(team.capacity);
      if (profile.existing && profile.strand == v1::STRAND_Y2A && lookback > 140) {
        profile.referred_at =
            AtLondon(NextWorkingDay(options.start - (14 + lookback % 127)), 10, 30);
      }
      scenario.people.push_back(PersonInfo{.person_id = person_id,
                                           .team = t,
                                           .age = profile.age,
                                           .cohort = profile.cohort,
                                           .strand = profile.strand,
                                           .existing = is_existing});
      std::vector<Step> steps =
          PersonTimeline(std::move(profile), options.start, options.weeks, rng).Build();
      // Ids in the person's time order: the same run makes the same ids, so
      // sending it again appends nothing new (the hub answers idempotently).
      uint64_t n = 0;
      for (Step& step : steps) {
        for (v1::Event& e : step.events) {
          e.set_event_id(NameBasedUuid(
              kIomhubNamespace, absl::StrCat("simulate/", scenario.run_key, "/", index, "/", n++)));
        }
      }
      timelines.push_back(std::move(steps));
    }
  }
  size_t total = 0;
  for (const auto& t : timelines) total += t.size();
  scenario.steps.reserve(total);
  for (auto& t : timelines) {
    for (Step& s : t) scenario.steps.push_back(std::move(s));
  }
  // Each person's steps are already in time order; this keeps it.
  std::stable_sort(scenario.steps.begin(), scenario.steps.end(), [](const Step& a, const Step& b) {
    return a.at != b.at ? a.at < b.at : a.person < b.person;
  });
  return scenario;
}

}  // namespace iomhub::simulate
