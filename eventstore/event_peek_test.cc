#include "eventstore/event_peek.h"

#include "eventstore/record_codec.h"
#include "gtest/gtest.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {
namespace {

TEST(EventPeek, FindsStreamAndPayloadWithoutParsing) {
  v1::Event event;
  event.set_event_id("123e4567-e89b-12d3-a456-426614174000");
  event.set_stream("person-123e4567-e89b-12d3-a456-426614174000");
  event.set_position(42);
  event.mutable_producer()->set_organisation("Gwent Police");
  event.mutable_contact_scheduled()->set_contact_id("c-1");
  const std::string bytes = SerializeDeterministic(event);
  auto peek = PeekEvent(bytes);
  ASSERT_TRUE(peek.ok()) << peek.status();
  EXPECT_EQ(peek->stream, event.stream());
  EXPECT_EQ(peek->payload_field, v1::Event::kContactScheduledFieldNumber);
  EXPECT_EQ(peek->producer_agency, 0);  // unset
}

TEST(EventPeek, FindsTheProducingAgency) {
  v1::Event event;
  event.set_stream("person-123e4567-e89b-12d3-a456-426614174000");
  event.mutable_producer()->set_organisation("Cardiff Council Housing");
  event.mutable_producer()->set_agency(v1::AGENCY_KIND_HOUSING);
  event.mutable_producer()->set_user_id("ho-3");
  event.mutable_accommodation_status_changed()->set_status(v1::ACCOMMODATION_STATUS_TEMPORARY);
  const std::string bytes = SerializeDeterministic(event);
  auto peek = PeekEvent(bytes);
  ASSERT_TRUE(peek.ok()) << peek.status();
  EXPECT_EQ(peek->producer_agency, v1::AGENCY_KIND_HOUSING);
  EXPECT_EQ(peek->payload_field, v1::Event::kAccommodationStatusChangedFieldNumber);
}

TEST(EventPeek, EventWithoutPayloadHasFieldZero) {
  v1::Event event;
  event.set_stream("team-1");
  const std::string bytes = SerializeDeterministic(event);  // the peek points into it
  auto peek = PeekEvent(bytes);
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ(peek->payload_field, 0);
  EXPECT_EQ(peek->stream, "team-1");
}

TEST(EventPeek, TruncatedBytesAreDataLoss) {
  v1::Event event;
  event.set_stream("team-1");
  event.mutable_alert_raised()->set_rule("CONTACTS_BELOW_PLAN");
  std::string bytes = SerializeDeterministic(event);
  bytes.resize(bytes.size() - 3);
  EXPECT_EQ(PeekEvent(bytes).status().code(), absl::StatusCode::kDataLoss);
}

TEST(EventPeek, PayloadFieldForTypeMatchesTheOneof) {
  EXPECT_EQ(PayloadFieldForType("ContactScheduled"), v1::Event::kContactScheduledFieldNumber);
  EXPECT_EQ(PayloadFieldForType("AlertRaised"), v1::Event::kAlertRaisedFieldNumber);
  EXPECT_EQ(PayloadFieldForType("Producer"), 0);
  EXPECT_EQ(PayloadFieldForType("NoSuchEvent"), 0);
}

}  // namespace
}  // namespace iomhub::eventstore
