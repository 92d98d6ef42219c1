#include "services/read_executor.h"

#include <atomic>

#include "absl/synchronization/blocking_counter.h"
#include "gtest/gtest.h"

namespace iomhub::services {
namespace {

TEST(ReadExecutor, RunsEveryTask) {
  ReadExecutor executor(2);
  std::atomic<int> sum{0};
  absl::BlockingCounter done(100);
  for (int i = 1; i <= 100; ++i) {
    executor.Schedule([&, i] {
      sum += i;
      done.DecrementCount();
    });
  }
  done.Wait();
  EXPECT_EQ(sum.load(), 5050);
}

TEST(ReadExecutor, ShutdownRunsQueuedTasksAndLaterTasksInline) {
  std::atomic<int> ran{0};
  ReadExecutor executor(1);
  for (int i = 0; i < 50; ++i) executor.Schedule([&] { ++ran; });
  executor.Shutdown();
  EXPECT_EQ(ran.load(), 50);
  executor.Schedule([&] { ++ran; });
  EXPECT_EQ(ran.load(), 51);
}

}  // namespace
}  // namespace iomhub::services
