// LatencySamples: every latency of one workload, kept exactly (no
// histogram buckets) so percentiles are exact. Not thread-safe: give each
// worker its own and Merge() them at the end.
#ifndef IOMHUB_BENCH_LATENCY_SAMPLES_H_
#define IOMHUB_BENCH_LATENCY_SAMPLES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace iomhub::bench {

class LatencySamples {
 public:
  void Add(absl::Duration d) { nanos_.push_back(absl::ToInt64Nanoseconds(d)); }
  void AddNanos(int64_t n) { nanos_.push_back(n); }
  void Merge(const LatencySamples& other) {
    nanos_.insert(nanos_.end(), other.nanos_.begin(), other.nanos_.end());
  }
  size_t count() const { return nanos_.size(); }

  // The p-th percentile (0 < p <= 100) in milliseconds; 0 when empty.
  // Sorts the samples (non-const for that reason).
  double PercentileMs(double p);
  double MaxMs();

 private:
  void Sort();
  std::vector<int64_t> nanos_;
  bool sorted_ = false;
};

// Formats a rate with thousands separators: 123456.7 -> "123,457".
std::string Thousands(double value);

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_LATENCY_SAMPLES_H_
