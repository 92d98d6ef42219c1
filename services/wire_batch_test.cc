#include "services/wire_batch.h"

#include "gtest/gtest.h"
#include "iomhub/v1/event_service.pb.h"
#include "iomhub/v1/subscription_service.pb.h"

namespace iomhub::services {
namespace {

v1::Event MakeEvent(uint64_t position) {
  v1::Event e;
  e.set_event_id("123e4567-e89b-12d3-a456-42661417400" + std::to_string(position % 10));
  e.set_stream("team-1");
  e.set_position(position);
  e.mutable_alert_raised()->set_rule("REVIEW_OVERDUE");
  return e;
}

TEST(WireBatch, EventsParseAsAReadResponse) {
  WireBatch batch;
  for (uint64_t p = 1; p <= 3; ++p) batch.AddEvent(MakeEvent(p).SerializeAsString());
  EXPECT_EQ(batch.events(), 3u);
  v1::ReadResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(batch.data()));
  ASSERT_EQ(parsed.events_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(parsed.events(i).SerializeAsString(), MakeEvent(i + 1).SerializeAsString());
  }
}

TEST(WireBatch, WrappedEventBatchParsesAsASubscribeResponse) {
  WireBatch batch;
  batch.AddEvent(MakeEvent(7).SerializeAsString());
  batch.AddVarint(v1::EventBatch::kCheckpointFieldNumber, 9);
  v1::SubscribeResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(batch.WrappedAs(v1::SubscribeResponse::kEventsFieldNumber)));
  ASSERT_TRUE(parsed.has_events());
  ASSERT_EQ(parsed.events().events_size(), 1);
  EXPECT_EQ(parsed.events().events(0).position(), 7u);
  EXPECT_EQ(parsed.events().checkpoint(), 9u);
}

TEST(WireBatch, ByteBufferHoldsTheSameBytes) {
  WireBatch batch;
  batch.AddEvent(MakeEvent(1).SerializeAsString());
  grpc::ByteBuffer buffer = batch.ToByteBuffer();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(buffer.Dump(&slices).ok());
  std::string joined;
  for (const auto& s : slices) joined.append(reinterpret_cast<const char*>(s.begin()), s.size());
  EXPECT_EQ(joined, batch.data());
}

}  // namespace
}  // namespace iomhub::services
