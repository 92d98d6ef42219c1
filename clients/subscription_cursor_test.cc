#include "clients/subscription_cursor.h"

#include "clients/iomctl/subscribe_command.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::clients {
namespace {

using iomctl::MakeSubscribeRequest;
using ::testing::ElementsAre;
using ::testing::Optional;

v1::SubscribeResponse Batch(std::initializer_list<uint64_t> positions, uint64_t checkpoint) {
  v1::SubscribeResponse response;
  for (uint64_t p : positions) response.mutable_events()->add_events()->set_position(p);
  response.mutable_events()->set_checkpoint(checkpoint);
  return response;
}

v1::SubscribeResponse Heartbeat(uint64_t head, uint64_t checkpoint) {
  v1::SubscribeResponse response;
  response.mutable_heartbeat()->set_head_position(head);
  response.mutable_heartbeat()->set_checkpoint(checkpoint);
  return response;
}

TEST(SubscriptionCursor, FromNowResendsTheInitialRequestUntilItLearnsAPosition) {
  v1::SubscribeRequest initial = MakeSubscribeRequest({.types = {"ContactScheduled"}});
  ASSERT_TRUE(initial.from_now());
  SubscriptionCursor cursor(initial);
  EXPECT_EQ(cursor.checkpoint(), std::nullopt);
  EXPECT_TRUE(cursor.NextRequest().from_now());

  cursor.Observe(Heartbeat(/*head=*/40, /*checkpoint=*/40));
  v1::SubscribeRequest next = cursor.NextRequest();
  EXPECT_EQ(next.start_case(), v1::SubscribeRequest::kAfterPosition);
  EXPECT_EQ(next.after_position(), 40u);
  EXPECT_THAT(next.event_types(), ElementsAre("ContactScheduled"));  // filters kept
}

TEST(SubscriptionCursor, ResumesAfterTheGreatestPositionSeen) {
  SubscriptionCursor cursor(MakeSubscribeRequest({.after_position = 10}));
  EXPECT_THAT(cursor.checkpoint(), Optional(10u));
  cursor.Observe(Batch({11, 12, 15}, /*checkpoint=*/15));
  EXPECT_THAT(cursor.checkpoint(), Optional(15u));
  // Filtered-out positions 16..20 were examined: the batch checkpoint says so.
  cursor.Observe(Batch({}, /*checkpoint=*/20));
  EXPECT_THAT(cursor.checkpoint(), Optional(20u));
  // A hub that sends no batch checkpoint still moves the cursor by position.
  cursor.Observe(Batch({21, 22}, /*checkpoint=*/0));
  EXPECT_THAT(cursor.checkpoint(), Optional(22u));
  // The head is not a checkpoint: events up to 30 may not have been examined.
  cursor.Observe(Heartbeat(/*head=*/30, /*checkpoint=*/25));
  EXPECT_EQ(cursor.NextRequest().after_position(), 25u);
}

TEST(SubscriptionCursor, NeverMovesBackwards) {
  SubscriptionCursor cursor(MakeSubscribeRequest({.after_position = 50}));
  cursor.Observe(Heartbeat(/*head=*/60, /*checkpoint=*/7));
  EXPECT_THAT(cursor.checkpoint(), Optional(50u));
}

TEST(SubscriptionCursor, FromStartIsAfterPositionZero) {
  SubscriptionCursor cursor(MakeSubscribeRequest({.from_start = true}));
  EXPECT_THAT(cursor.checkpoint(), Optional(0u));
  EXPECT_EQ(cursor.NextRequest().start_case(), v1::SubscribeRequest::kAfterPosition);
  EXPECT_EQ(cursor.NextRequest().after_position(), 0u);
}

TEST(MakeSubscribeRequest, CarriesFiltersAndHeartbeatInterval) {
  v1::SubscribeRequest request = MakeSubscribeRequest(
      {.from_start = true, .streams = {"person-a", "person-b"}, .heartbeat_interval_ms = 250});
  EXPECT_TRUE(request.from_start());
  EXPECT_THAT(request.streams(), ElementsAre("person-a", "person-b"));
  EXPECT_EQ(request.heartbeat_interval_ms(), 250u);
}

TEST(ReconnectBackoff, DoublesFrom100MillisecondsUpTo5Seconds) {
  ReconnectBackoff backoff;
  std::vector<absl::Duration> delays;
  for (int i = 0; i < 9; ++i) delays.push_back(backoff.Next());
  EXPECT_THAT(delays, ElementsAre(absl::Milliseconds(100), absl::Milliseconds(200),
                                  absl::Milliseconds(400), absl::Milliseconds(800),
                                  absl::Milliseconds(1600), absl::Milliseconds(3200),
                                  absl::Seconds(5), absl::Seconds(5), absl::Seconds(5)));
  backoff.Reset();
  EXPECT_EQ(backoff.Next(), absl::Milliseconds(100));
}

}  // namespace
}  // namespace iomhub::clients
