// Simulate: the model of a simulated Welsh IOM partnership over a period —
// each team's cohort sized to its caseload capacity (some teams over it, as
// practitioners report), most people already on IOM when the period starts
// (set up by steps dated before it), the rest referred during it, and each
// person's timeline (person_timeline.h). Deterministic: the scenario is a
// function of the options and the teams file only (Digest proves it); all
// randomness comes from SimRandom streams derived from the seed, and every
// id is a name-based UUID of the run key and the item.
//
// Pure; thread-safe.
#ifndef IOMHUB_CLIENTS_SIMULATE_SIMULATION_H_
#define IOMHUB_CLIENTS_SIMULATE_SIMULATION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "clients/simulate/partnership.h"
#include "clients/simulate/scenario.h"

namespace iomhub::simulate {

struct SimulationOptions {
  // Chooses the run: the same seed (and options) gives the same scenario.
  // Default: 1.
  uint64_t seed = 1;
  // Length of the period in ISO weeks, 1..104. Default: 8.
  int weeks = 8;
  // People in all, shared between teams by capacity; 0: each team sized to
  // its own capacity (uniformly 85%..115% of it). Default: 0.
  int people = 0;
  // The Monday the period starts. Required.
  absl::CivilDay start;
};

// INVALID_ARGUMENT: weeks out of range, a negative people count, or a start
// that is not a Monday.
absl::StatusOr<Scenario> Simulate(const Partnership& partnership, const SimulationOptions& options);

// The default start: the Monday that makes a period of `weeks` weeks end
// with the ISO week of `today`.
absl::CivilDay DefaultStart(absl::CivilDay today, int weeks);

// The people each team gets under `options` (in the teams' order).
std::vector<int> TeamSizes(const Partnership& partnership, const SimulationOptions& options);

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_SIMULATION_H_
