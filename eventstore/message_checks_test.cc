#include "eventstore/message_checks.h"

#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/event_service.pb.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

TEST(MessageChecks, AnEmptyMessageIsFine) {
  EXPECT_THAT(CheckFieldValues(v1::Event()), IsOk());
}

TEST(MessageChecks, UndefinedEnumInARequestIsNamedByField) {
  v1::AppendRequest request;
  request.set_expected_state(static_cast<v1::ExpectedState>(99));
  EXPECT_THAT(CheckFieldValues(request),
              StatusIs(kInvalid, "expected_state: 99 is not a value of iomhub.v1.ExpectedState"));
  request.set_expected_state(v1::EXPECTED_STATE_EXISTS);
  EXPECT_THAT(CheckFieldValues(request), IsOk());
}

TEST(MessageChecks, NestedRepeatedMessagesAreWalked) {
  v1::AppendRequest request;
  request.add_events();
  request.add_events()->mutable_released_from_custody()->mutable_licence_end()->set_seconds(
      -62135596801);
  EXPECT_THAT(CheckFieldValues(request),
              StatusIs(kInvalid, "events[1].released_from_custody.licence_end: timestamp"));
}

TEST(MessageChecks, TimestampBoundsAreRfc3339s) {
  google::protobuf::Timestamp t;
  t.set_seconds(253402300799);
  t.set_nanos(999999999);
  EXPECT_TRUE(IsValidTimestamp(t));
  t.set_seconds(-62135596800);
  t.set_nanos(0);
  EXPECT_TRUE(IsValidTimestamp(t));
  t.set_seconds(-62135596801);
  EXPECT_FALSE(IsValidTimestamp(t));
  t.set_seconds(0);
  t.set_nanos(1000000000);
  EXPECT_FALSE(IsValidTimestamp(t));
}

}  // namespace
}  // namespace iomhub::eventstore
