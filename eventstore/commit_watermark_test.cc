// CommitWatermark: level-triggered notification of a rising position.
#include "eventstore/commit_watermark.h"

#include <atomic>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

// Records its callbacks; Wait() blocks until one arrived.
class Recorder : public WatermarkWaiter {
 public:
  void WatermarkReached(uint64_t watermark) override {
    absl::MutexLock lock(&mu_);
    reached_.push_back(watermark);
  }
  void WatermarkDeadline(uint64_t watermark) override {
    absl::MutexLock lock(&mu_);
    deadlines_.push_back(watermark);
  }
  bool WaitForCallbacks(size_t n, absl::Duration timeout = absl::Seconds(10)) {
    absl::MutexLock lock(&mu_);
    std::pair<Recorder*, size_t> args(this, n);
    return mu_.AwaitWithTimeout(
        absl::Condition(
            +[](std::pair<Recorder*, size_t>* a) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return a->first->reached_.size() + a->first->deadlines_.size() >= a->second;
            },
            &args),
        timeout);
  }
  std::vector<uint64_t> reached() {
    absl::MutexLock lock(&mu_);
    return reached_;
  }
  std::vector<uint64_t> deadlines() {
    absl::MutexLock lock(&mu_);
    return deadlines_;
  }

 private:
  absl::Mutex mu_;
  std::vector<uint64_t> reached_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> deadlines_ ABSL_GUARDED_BY(mu_);
};

TEST(CommitWatermark, AWaiterForAPositionAlreadyReachedIsToldAtOnce) {
  CommitWatermark watermark(10);
  Recorder recorder;
  watermark.Watch(&recorder, 7, absl::InfiniteFuture());
  ASSERT_TRUE(recorder.WaitForCallbacks(1));
  EXPECT_THAT(recorder.reached(), ::testing::ElementsAre(10));
  watermark.Unwatch(&recorder);
}

TEST(CommitWatermark, AWaiterIsToldOnceWhenTheTargetIsReachedHoweverManyAdvances) {
  CommitWatermark watermark(0);
  Recorder recorder;
  watermark.Watch(&recorder, 5, absl::InfiniteFuture());
  for (uint64_t p = 1; p <= 4; ++p) watermark.Advance(p);
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_TRUE(recorder.reached().empty());
  watermark.Advance(9);
  watermark.Advance(12);
  ASSERT_TRUE(recorder.WaitForCallbacks(1));
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_EQ(recorder.reached().size(), 1u);
  EXPECT_GE(recorder.reached()[0], 9u);
  EXPECT_EQ(watermark.waiters(), 0u);
  watermark.Unwatch(&recorder);
}

TEST(CommitWatermark, TheDeadlineFiresWhenTheTargetIsNotReached) {
  CommitWatermark watermark(3);
  Recorder recorder;
  watermark.Watch(&recorder, 4, absl::Now() + absl::Milliseconds(30));
  ASSERT_TRUE(recorder.WaitForCallbacks(1));
  EXPECT_THAT(recorder.deadlines(), ::testing::ElementsAre(3));
  EXPECT_TRUE(recorder.reached().empty());
  watermark.Unwatch(&recorder);
}

TEST(CommitWatermark, AdvanceNeverLowersIt) {
  CommitWatermark watermark(8);
  watermark.Advance(5);
  EXPECT_EQ(watermark.position(), 8u);
  watermark.Advance(9);
  EXPECT_EQ(watermark.position(), 9u);
}

TEST(CommitWatermark, WaitForReturnsOnceReachedOrAtTheDeadline) {
  CommitWatermark watermark(0);
  EXPECT_FALSE(watermark.WaitFor(1, absl::Now() + absl::Milliseconds(20)));
  std::thread advancer([&] {
    absl::SleepFor(absl::Milliseconds(20));
    watermark.Advance(3);
  });
  EXPECT_TRUE(watermark.WaitFor(2, absl::Now() + absl::Seconds(10)));
  advancer.join();
  EXPECT_TRUE(watermark.WaitFor(3, absl::InfinitePast()));
}

TEST(CommitWatermark, WatchReplacesTheWaitersEarlierRegistration) {
  CommitWatermark watermark(0);
  Recorder recorder;
  watermark.Watch(&recorder, 100, absl::InfiniteFuture());
  watermark.Watch(&recorder, 2, absl::InfiniteFuture());
  EXPECT_EQ(watermark.waiters(), 1u);
  watermark.Advance(2);
  ASSERT_TRUE(recorder.WaitForCallbacks(1));
  watermark.Advance(200);
  absl::SleepFor(absl::Milliseconds(20));
  EXPECT_EQ(recorder.reached().size(), 1u);
  watermark.Unwatch(&recorder);
}

// A waiter whose callback is slow: Unwatch must wait for it to return.
class SlowWaiter : public WatermarkWaiter {
 public:
  void WatermarkReached(uint64_t) override {
    entered.Notify();
    absl::SleepFor(absl::Milliseconds(50));
    done.store(true);
  }
  void WatermarkDeadline(uint64_t) override {}
  absl::Notification entered;
  std::atomic<bool> done{false};
};

TEST(CommitWatermark, UnwatchWaitsForARunningCallback) {
  CommitWatermark watermark(1);
  SlowWaiter waiter;
  watermark.Watch(&waiter, 1, absl::InfiniteFuture());
  waiter.entered.WaitForNotification();
  watermark.Unwatch(&waiter);
  EXPECT_TRUE(waiter.done.load());
}

// Re-registering from inside the callback (as a subscription does) works,
// and Unwatch from inside it does not deadlock.
class ChainWaiter : public WatermarkWaiter {
 public:
  explicit ChainWaiter(CommitWatermark* w) : watermark(w) {}
  void WatermarkReached(uint64_t position) override {
    if (++calls < 3) {
      watermark->Watch(this, position + 1, absl::InfiniteFuture());
    } else {
      watermark->Unwatch(this);
      finished.Notify();
    }
  }
  void WatermarkDeadline(uint64_t) override {}
  CommitWatermark* watermark;
  std::atomic<int> calls{0};
  absl::Notification finished;
};

TEST(CommitWatermark, ACallbackMayWatchAgainOrUnwatchItself) {
  CommitWatermark watermark(0);
  ChainWaiter waiter(&watermark);
  watermark.Watch(&waiter, 1, absl::InfiniteFuture());
  std::thread advancer([&] {
    for (uint64_t p = 1; p <= 10 && !waiter.finished.HasBeenNotified(); ++p) {
      watermark.Advance(p);
      absl::SleepFor(absl::Milliseconds(5));
    }
  });
  EXPECT_TRUE(waiter.finished.WaitForNotificationWithTimeout(absl::Seconds(10)));
  advancer.join();
  EXPECT_EQ(waiter.calls.load(), 3);
  EXPECT_EQ(watermark.waiters(), 0u);
}

TEST(CommitWatermark, ManyWaitersAreAllTold) {
  CommitWatermark watermark(0);
  std::vector<std::unique_ptr<Recorder>> recorders;
  for (int i = 0; i < 300; ++i) {
    recorders.push_back(std::make_unique<Recorder>());
    watermark.Watch(recorders.back().get(), 1 + i % 7, absl::InfiniteFuture());
  }
  watermark.Advance(7);
  for (auto& r : recorders) ASSERT_TRUE(r->WaitForCallbacks(1));
  for (auto& r : recorders) watermark.Unwatch(r.get());
}

}  // namespace
}  // namespace iomhub::eventstore
