// SimRandom: the simulator's own source of randomness, the same on every
// platform for a seed. std::mt19937_64's output sequence is fixed by the
// C++ standard, but std::uniform_*_distribution and friends are not (each
// standard library draws differently), so every distribution the model uses
// is written here on top of the raw 64-bit engine.
//
// Streams are split by name (Derive), so that each person, team and choice
// draws from its own sequence: adding a week to a run, or a person to a team,
// does not reshuffle everyone else's draws.
//
// Thread-compatible: one object per thread.
#ifndef IOMHUB_CLIENTS_SIMULATE_SIM_RANDOM_H_
#define IOMHUB_CLIENTS_SIMULATE_SIM_RANDOM_H_

#include <cstdint>
#include <initializer_list>
#include <random>

#include "absl/strings/string_view.h"

namespace iomhub::simulate {

class SimRandom {
 public:
  explicit SimRandom(uint64_t seed) : engine_(seed) {}

  // The seed of a stream named `label` under `seed` (FNV-1a of the label,
  // mixed with the seed by SplitMix64): stable across platforms and runs.
  static uint64_t Derive(uint64_t seed, absl::string_view label);

  // The next raw 64 bits.
  uint64_t Next() { return engine_(); }
  // Uniform in [0, 1), from the top 53 bits.
  double Uniform();
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  // Uniform integer in [lo, hi] (inclusive), without modulo bias.
  // REQUIRES: lo <= hi.
  int64_t Between(int64_t lo, int64_t hi);
  // True with probability `p` (p <= 0: never; p >= 1: always).
  bool Chance(double p) { return Uniform() < p; }
  // Standard normal (Box-Muller; one value per call).
  double Normal();
  // Log-normal with the given median and log-scale spread `sigma`.
  double LogNormal(double median, double sigma);
  // An index drawn with the given relative weights (which need not sum to
  // 1). REQUIRES: at least one positive weight.
  size_t Pick(std::initializer_list<double> weights);

 private:
  std::mt19937_64 engine_;
};

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_SIM_RANDOM_H_
