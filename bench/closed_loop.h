// The bookkeeping of a closed loop of gRPC calls, shared by the benches
// that keep N calls in flight until a deadline (grpc_bench's appends,
// noop_calls' ceiling): each slot records its calls in a SlotTally and,
// finding the loop over, stops; Wait returns when the last slot stopped.
#ifndef IOMHUB_BENCH_CLOSED_LOOP_H_
#define IOMHUB_BENCH_CLOSED_LOOP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/latency_samples.h"
#include "grpcpp/support/status.h"

namespace iomhub::bench {

// One slot's calls. Touched by one call at a time (the slot's own).
struct SlotTally {
  int64_t units = 0;  // what succeeded: events appended, calls answered
  int64_t errors = 0;
  std::string first_error;
  LatencySamples latency;

  // A call sent at `sent` ended with `status`; `units` count if it succeeded.
  void Record(absl::Time sent, const grpc::Status& status, int64_t units);
};

struct LoopOutcome {
  int64_t units = 0;
  int64_t errors = 0;
  std::string first_error;
  absl::Duration elapsed;
  LatencySamples latency;
};

class ClosedLoop {
 public:
  // `slots` slots, each calling until `duration` from now has passed.
  ClosedLoop(int slots, absl::Duration duration);

  bool Expired() const { return absl::Now() >= deadline_; }
  // A slot has stopped.
  void Stop();
  // Waits until every slot has stopped; then sums `tallies`.
  LoopOutcome Wait(const std::vector<const SlotTally*>& tallies);

 private:
  const absl::Time start_;
  const absl::Time deadline_;
  absl::Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_);
  absl::Time end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::bench

#endif  // IOMHUB_BENCH_CLOSED_LOOP_H_
