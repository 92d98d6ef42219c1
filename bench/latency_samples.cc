#include "bench/latency_samples.h"

#include <algorithm>
#include <cmath>

namespace iomhub::bench {

void LatencySamples::Sort() {
  if (sorted_) return;
  std::sort(nanos_.begin(), nanos_.end());
  sorted_ = true;
}

double LatencySamples::PercentileMs(double p) {
  if (nanos_.empty()) return 0;
  Sort();
  // Nearest-rank percentile.
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(nanos_.size())));
  rank = std::clamp<size_t>(rank, 1, nanos_.size());
  return static_cast<double>(nanos_[rank - 1]) / 1e6;
}

double LatencySamples::MaxMs() {
  if (nanos_.empty()) return 0;
  Sort();
  return static_cast<double>(nanos_.back()) / 1e6;
}

std::string Thousands(double value) {
  const long long v = std::llround(value);
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

}  // namespace iomhub::bench
