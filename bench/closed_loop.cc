#include "bench/closed_loop.h"

#include "absl/strings/str_cat.h"

namespace iomhub::bench {

void SlotTally::Record(absl::Time sent, const grpc::Status& status, int64_t done) {
  latency.Add(absl::Now() - sent);
  if (status.ok()) {
    units += done;
  } else if (errors++ == 0) {
    first_error = absl::StrCat(status.error_code(), " ", status.error_message());
  }
}

ClosedLoop::ClosedLoop(int slots, absl::Duration duration)
    : start_(absl::Now()), deadline_(start_ + duration), active_(slots) {}

void ClosedLoop::Stop() {
  absl::MutexLock lock(&mu_);
  if (--active_ == 0) end_ = absl::Now();
}

LoopOutcome ClosedLoop::Wait(const std::vector<const SlotTally*>& tallies) {
  LoopOutcome out;
  {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](int* active) { return *active == 0; }, &active_));
    out.elapsed = end_ - start_;
  }
  for (const SlotTally* t : tallies) {
    out.units += t->units;
    out.errors += t->errors;
    out.latency.Merge(t->latency);
    if (out.first_error.empty()) out.first_error = t->first_error;
  }
  return out;
}

}  // namespace iomhub::bench
