#include "clients/simulate/sim_random.h"

#include <cmath>

namespace iomhub::simulate {
namespace {

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

uint64_t SimRandom::Derive(uint64_t seed, absl::string_view label) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a, 64 bits
  for (unsigned char c : label) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return SplitMix64(SplitMix64(seed) ^ h);
}

double SimRandom::Uniform() {
  return static_cast<double>(engine_() >> 11) * (1.0 / 9007199254740992.0);
}

int64_t SimRandom::Between(int64_t lo, int64_t hi) {
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  if (span == 0) return static_cast<int64_t>(engine_());  // the whole range
  // Rejection keeps every value equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
  uint64_t x;
  do {
    x = engine_();
  } while (x >= limit);
  return lo + static_cast<int64_t>(x % span);
}

double SimRandom::Normal() {
  // 1 - Uniform() is in (0, 1], so the logarithm is finite.
  const double u1 = 1.0 - Uniform();
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

double SimRandom::LogNormal(double median, double sigma) {
  return median * std::exp(sigma * Normal());
}

size_t SimRandom::Pick(std::initializer_list<double> weights) {
  double total = 0;
  for (double w : weights) total += w > 0 ? w : 0;
  double x = Uniform() * total;
  size_t i = 0;
  size_t last_positive = 0;
  for (double w : weights) {
    if (w > 0) {
      if (x < w) return i;
      x -= w;
      last_positive = i;
    }
    ++i;
  }
  return last_positive;  // rounding at the very top
}

}  // namespace iomhub::simulate
