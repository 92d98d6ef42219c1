// The event type registry (event_types.h) and the thin functions over it.
#include "eventstore/event_types.h"

#include <algorithm>
#include <string>

#include "eventstore/event_peek.h"
#include "eventstore/event_store.h"
#include "eventstore/test_events.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "iomhub/v1/envelope.pb.h"

namespace iomhub::eventstore {
namespace {

using testing::AlertEvent;
using testing::ContactEvent;
using ::testing::Contains;
using ::testing::Not;

TEST(EventStore, EventTypeNamesArePayloadMessageNames) {
  EXPECT_EQ(EventTypeName(ContactEvent()), "ContactScheduled");
  EXPECT_EQ(EventTypeName(AlertEvent()), "AlertRaised");
  EXPECT_EQ(EventTypeName(v1::Event()), "");
  EXPECT_TRUE(IsKnownEventType("ContactScheduled"));
  EXPECT_TRUE(IsKnownEventType("NominalReferred"));
  EXPECT_FALSE(IsKnownEventType("contact_scheduled"));
  EXPECT_FALSE(IsKnownEventType(""));
  EXPECT_FALSE(IsKnownEventType("Event"));
}

TEST(EventTypes, EveryPayloadMemberIsATypeBothWays) {
  const google::protobuf::OneofDescriptor* payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  ASSERT_NE(payload, nullptr);
  const EventTypes& types = EventTypes::Get();
  ASSERT_EQ(types.names().size(), static_cast<size_t>(payload->field_count()));
  for (int i = 0; i < payload->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = payload->field(i);
    const std::string& name = field->message_type()->name();
    EXPECT_EQ(types.FieldForName(name), field->number()) << name;
    EXPECT_EQ(types.NameForField(field->number()), name) << field->number();
    EXPECT_EQ(PayloadFieldForType(name), field->number()) << name;
    EXPECT_TRUE(IsKnownEventType(name)) << name;
  }
}

TEST(EventTypes, NamesAreSortedAndUnique) {
  const std::vector<std::string>& names = EventTypes::Get().names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
  EXPECT_THAT(names, Contains("ContactScheduled"));
  EXPECT_THAT(names, Contains("ConsentWithdrawn"));
}

TEST(EventTypes, EnvelopeFieldsAndUnknownNumbersAreNoType) {
  const EventTypes& types = EventTypes::Get();
  EXPECT_EQ(types.NameForField(0), "");
  EXPECT_EQ(types.NameForField(v1::Event::kProducerFieldNumber), "");  // a message, not a payload
  EXPECT_EQ(types.NameForField(v1::Event::kStreamFieldNumber), "");
  EXPECT_EQ(types.NameForField(99999), "");
  EXPECT_EQ(types.FieldForName("Producer"), 0);
  EXPECT_EQ(types.FieldForName("contactscheduled"), 0);
  EXPECT_THAT(types.names(), Not(Contains("Producer")));
}

TEST(EventTypes, TheRegistryIsBuiltOnce) { EXPECT_EQ(&EventTypes::Get(), &EventTypes::Get()); }

}  // namespace
}  // namespace iomhub::eventstore
