#include "services/live_notifier.h"

#include <vector>

#include "gtest/gtest.h"

namespace iomhub::services {
namespace {

class RecordingWaiter : public LiveWaiter {
 public:
  void Wake(uint64_t committed) override { wakes.push_back(committed); }
  bool Tick(absl::Time, uint64_t) override {
    ++ticks;
    return leave_on_tick;
  }
  std::vector<uint64_t> wakes;
  int ticks = 0;
  bool leave_on_tick = false;
};

TEST(LiveNotifier, CommitWakesEachWaiterOnceAndForgetsIt) {
  LiveNotifier notifier;
  RecordingWaiter a, b;
  notifier.Add(&a);
  notifier.Add(&b);
  notifier.NotifyCommitted(7);
  notifier.NotifyCommitted(9);
  EXPECT_EQ(a.wakes, std::vector<uint64_t>{7});
  EXPECT_EQ(b.wakes, std::vector<uint64_t>{7});
  EXPECT_EQ(notifier.size(), 0u);
}

TEST(LiveNotifier, RemovedWaiterIsNotWoken) {
  LiveNotifier notifier;
  RecordingWaiter a;
  notifier.Add(&a);
  notifier.Remove(&a);
  notifier.NotifyCommitted(3);
  EXPECT_TRUE(a.wakes.empty());
}

TEST(LiveNotifier, TickKeepsWaitersThatStay) {
  LiveNotifier notifier;
  RecordingWaiter stays, leaves;
  leaves.leave_on_tick = true;
  notifier.Add(&stays);
  notifier.Add(&leaves);
  notifier.TickAll(absl::Now(), 1);
  EXPECT_EQ(notifier.size(), 1u);
  notifier.TickAll(absl::Now(), 1);
  EXPECT_EQ(stays.ticks, 2);
  EXPECT_EQ(leaves.ticks, 1);
}

}  // namespace
}  // namespace iomhub::services
