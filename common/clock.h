// Clock: the one source of "now" so tests can control time.
// Thread-safe: implementations must allow concurrent calls.
#ifndef IOMHUB_COMMON_CLOCK_H_
#define IOMHUB_COMMON_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace iomhub {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
  // The process-wide real clock. Never null; never destroyed.
  static Clock* Real();
};

// A clock tests set by hand.
class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub

#endif  // IOMHUB_COMMON_CLOCK_H_
