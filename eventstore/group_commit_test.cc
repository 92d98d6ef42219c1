#include "eventstore/group_commit.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using Queue = GroupCommitQueue<std::string>;

size_t Length(const std::string& s) { return s.size(); }

TEST(GroupCommitQueue, DrainsOldestFirstUpToTheMaxWeight) {
  Queue queue(1000);
  for (std::string item : {"aa", "bb", "c", "ddd", "e"}) {
    ASSERT_EQ(queue.Push(std::move(item), 1), Queue::PushResult::kQueued);
  }
  EXPECT_THAT(queue.DrainBatch(5, Length), ElementsAre("aa", "bb", "c"));
  EXPECT_THAT(queue.DrainBatch(5, Length), ElementsAre("ddd", "e"));
}

TEST(GroupCommitQueue, DrainsAtLeastOneItemEvenOverTheMaxWeight) {
  Queue queue(1000);
  ASSERT_EQ(queue.Push("heavy", 1), Queue::PushResult::kQueued);
  ASSERT_EQ(queue.Push("x", 1), Queue::PushResult::kQueued);
  EXPECT_THAT(queue.DrainBatch(2, Length), ElementsAre("heavy"));
  EXPECT_THAT(queue.DrainBatch(2, Length), ElementsAre("x"));
}

TEST(GroupCommitQueue, PushOverTheByteBoundIsRefusedAndLeavesTheItem) {
  Queue queue(10);
  EXPECT_EQ(queue.Push("a", 6), Queue::PushResult::kQueued);
  EXPECT_EQ(queue.Push("b", 4), Queue::PushResult::kQueued);  // exactly at the bound
  std::string refused = "c";
  EXPECT_EQ(queue.Push(std::move(refused), 1), Queue::PushResult::kFull);
  EXPECT_EQ(refused, "c") << "a refused item must not be moved from";
  // Draining frees the bytes.
  EXPECT_THAT(queue.DrainBatch(100, Length), ElementsAre("a", "b"));
  EXPECT_EQ(queue.Push("c", 10), Queue::PushResult::kQueued);
}

TEST(GroupCommitQueue, EmptyQueueAcceptsAnItemLargerThanTheBound) {
  Queue queue(10);
  EXPECT_EQ(queue.Push("big", 50), Queue::PushResult::kQueued);
  EXPECT_EQ(queue.Push("small", 1), Queue::PushResult::kFull);
}

TEST(GroupCommitQueue, ClosedQueueRefusesPushesButDrainsWhatIsQueued) {
  Queue queue(1000);
  ASSERT_EQ(queue.Push("a", 1), Queue::PushResult::kQueued);
  queue.Close();
  std::string late = "late";
  EXPECT_EQ(queue.Push(std::move(late), 1), Queue::PushResult::kClosed);
  EXPECT_EQ(late, "late");
  EXPECT_THAT(queue.DrainBatch(100, Length), ElementsAre("a"));
  EXPECT_THAT(queue.DrainBatch(100, Length), IsEmpty());
}

TEST(GroupCommitQueue, DrainWaitsForAPushOrClose) {
  Queue queue(1000);
  std::vector<std::string> drained;
  std::thread consumer([&] { drained = queue.DrainBatch(100, Length); });
  ASSERT_EQ(queue.Push("a", 1), Queue::PushResult::kQueued);
  consumer.join();
  EXPECT_THAT(drained, ElementsAre("a"));

  std::thread closed_consumer([&] { drained = queue.DrainBatch(100, Length); });
  queue.Close();
  closed_consumer.join();
  EXPECT_THAT(drained, IsEmpty());
}

}  // namespace
}  // namespace iomhub::eventstore
