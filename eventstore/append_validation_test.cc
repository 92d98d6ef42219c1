#include "eventstore/append_validation.h"

#include <string>
#include <vector>

#include "common/status_matchers.h"
#include "eventstore/test_events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::AllOf;
using testing::ContactEvent;
using ::testing::HasSubstr;
using testing::PersonStream;

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
constexpr absl::StatusCode kExhausted = absl::StatusCode::kResourceExhausted;

const EventStoreOptions kDefaults{};

absl::Status Validate(const std::string& stream, const std::vector<v1::Event>& events,
                      const EventStoreOptions& limits = kDefaults) {
  return ValidateAppend(stream, events, limits);
}

// One valid event with `mutate` applied, as the second event of an append so
// the message must point at index 1.
absl::Status ValidateMutated(void (*mutate)(v1::Event&)) {
  std::vector<v1::Event> events = {ContactEvent(), ContactEvent()};
  mutate(events[1]);
  return Validate(PersonStream(1), events);
}

TEST(AppendValidation, WellFormedAppendIsOk) {
  EXPECT_THAT(Validate(PersonStream(1), {ContactEvent(), testing::AlertEvent()}), IsOk());
  EXPECT_THAT(Validate("team-gwent-1", {ContactEvent()}), IsOk());
  EXPECT_THAT(Validate("agreements", {ContactEvent()}), IsOk());
  v1::Event with_stream = ContactEvent();
  with_stream.set_stream(PersonStream(1));
  EXPECT_THAT(Validate(PersonStream(1), {with_stream}), IsOk());
}

TEST(AppendValidation, EmptyStreamIdIsInvalid) {
  EXPECT_THAT(Validate("", {ContactEvent()}), StatusIs(kInvalid, "stream id is empty"));
  EXPECT_THAT(ValidateStreamId(""), StatusIs(kInvalid, "stream id is empty"));
}

TEST(AppendValidation, StreamIdWithCharacterOutsideTheAlphabetIsInvalid) {
  const std::vector<std::string> streams = {"team 1",
                                            "team/1",
                                            "team\n1",
                                            std::string("team\0001", 6),
                                            "t\xc3\xa9"
                                            "am",
                                            "team#1"};
  for (const std::string& stream : streams) {
    EXPECT_THAT(Validate(stream, {ContactEvent()}), StatusIs(kInvalid, "character outside"))
        << stream;
  }
  EXPECT_THAT(ValidateStreamId("a.b_c:d@e-f0"), IsOk());
}

TEST(AppendValidation, OverlongStreamIdIsInvalid) {
  EXPECT_THAT(ValidateStreamId(std::string(kMaxStreamIdBytes, 'a')), IsOk());
  EXPECT_THAT(ValidateStreamId(std::string(kMaxStreamIdBytes + 1, 'a')),
              StatusIs(kInvalid, "201 bytes; the limit is 200"));
}

TEST(AppendValidation, PersonStreamMustEndInAUuid) {
  for (const std::string stream :
       {"person-", "person-123", "person-bob", "person-123e4567-e89b-12d3-a456-42661417400",
        "person-123e4567-e89b-12d3-a456-426614174000-x"}) {
    EXPECT_THAT(Validate(stream, {ContactEvent()}), StatusIs(kInvalid, "must be person-<uuid>"))
        << stream;
  }
  EXPECT_THAT(ValidateStreamId("person-123E4567-E89B-12D3-A456-426614174000"), IsOk());
}

TEST(AppendValidation, EmptyAppendIsInvalid) {
  EXPECT_THAT(Validate(PersonStream(1), {}), StatusIs(kInvalid, "append has no events"));
}

TEST(AppendValidation, TooManyEventsIsResourceExhausted) {
  EventStoreOptions limits;
  limits.max_events_per_append = 3;
  std::vector<v1::Event> events = {ContactEvent(), ContactEvent(), ContactEvent()};
  EXPECT_THAT(Validate(PersonStream(1), events, limits), IsOk());
  events.push_back(ContactEvent());
  EXPECT_THAT(Validate(PersonStream(1), events, limits),
              StatusIs(kExhausted, "append has 4 events; the limit is 3"));
}

TEST(AppendValidation, DefaultLimitIsOneThousandEvents) {
  std::vector<v1::Event> events(1000, ContactEvent());
  for (auto& e : events) e.set_event_id(NewUuid());
  EXPECT_THAT(Validate(PersonStream(1), events), IsOk());
  events.push_back(ContactEvent());
  EXPECT_THAT(Validate(PersonStream(1), events), StatusIs(kExhausted, "the limit is 1000"));
}

TEST(AppendValidation, OversizedEventIsResourceExhaustedAndNamed) {
  std::vector<v1::Event> events = {ContactEvent(), ContactEvent()};
  events[1].mutable_contact_scheduled()->set_source_system_ref(std::string(300, 'x'));
  EventStoreOptions limits;
  limits.max_event_bytes = 200;
  const absl::Status status = Validate(PersonStream(1), events, limits);
  EXPECT_THAT(status, StatusIs(kExhausted, "the limit is 200"));
  EXPECT_THAT(std::string(status.message()),
              AllOf(HasSubstr("event 1 (" + events[1].event_id() + ")"),
                    HasSubstr(std::to_string(CountedEventBytes(events[1])) + " bytes")));
  EXPECT_THAT(Validate(PersonStream(1), {events[0]}, limits), IsOk());
}

TEST(AppendValidation, OversizedAppendIsResourceExhausted) {
  std::vector<v1::Event> events = {ContactEvent(), ContactEvent(), ContactEvent()};
  size_t total = 0;
  for (const auto& e : events) total += CountedEventBytes(e);
  EventStoreOptions limits;
  limits.max_append_bytes = total;
  EXPECT_THAT(Validate(PersonStream(1), events, limits), IsOk());
  limits.max_append_bytes = total - 1;
  EXPECT_THAT(Validate(PersonStream(1), events, limits),
              StatusIs(kExhausted, "append is " + std::to_string(total) + " bytes; the limit is " +
                                       std::to_string(total - 1)));
}

TEST(AppendValidation, MissingEventIdIsInvalid) {
  EXPECT_THAT(ValidateMutated([](v1::Event& e) { e.clear_event_id(); }),
              StatusIs(kInvalid, "event 1: event_id is missing"));
}

TEST(AppendValidation, MalformedEventIdIsInvalid) {
  for (const std::string id : {"42", "not-a-uuid", "123e4567e89b12d3a456426614174000",
                               "{123e4567-e89b-12d3-a456-426614174000}"}) {
    std::vector<v1::Event> events = {ContactEvent()};
    events[0].set_event_id(id);
    EXPECT_THAT(Validate(PersonStream(1), events),
                StatusIs(kInvalid, "event 0 (" + id + "): event_id must be a UUID"));
  }
}

TEST(AppendValidation, DuplicateEventIdInOneAppendIsInvalid) {
  std::vector<v1::Event> events = {ContactEvent(), ContactEvent(), ContactEvent()};
  events[2].set_event_id(events[0].event_id());
  EXPECT_THAT(Validate(PersonStream(1), events),
              StatusIs(kInvalid, "event 2 (" + events[0].event_id() +
                                     "): event_id appears twice in one append"));
}

TEST(AppendValidation, EventIdsDifferingOnlyInCaseAreDuplicates) {
  std::vector<v1::Event> events = {ContactEvent(), ContactEvent()};
  events[0].set_event_id("123e4567-e89b-12d3-a456-426614174000");
  events[1].set_event_id("123E4567-E89B-12D3-A456-426614174000");
  EXPECT_THAT(Validate(PersonStream(1), events), StatusIs(kInvalid, "appears twice"));
}

TEST(AppendValidation, UnsetPayloadIsInvalid) {
  EXPECT_THAT(ValidateMutated([](v1::Event& e) { e.clear_payload(); }),
              StatusIs(kInvalid, "payload is not set"));
}

TEST(AppendValidation, EventStreamDifferingFromAppendStreamIsInvalid) {
  std::vector<v1::Event> events = {ContactEvent()};
  events[0].set_stream(PersonStream(2));
  EXPECT_THAT(Validate(PersonStream(1), events),
              StatusIs(kInvalid, "event stream \"" + PersonStream(2) +
                                     "\" differs from the append's stream \"" + PersonStream(1)));
}

TEST(AppendValidation, MissingOccurredAtIsInvalid) {
  EXPECT_THAT(ValidateMutated([](v1::Event& e) { e.clear_occurred_at(); }),
              StatusIs(kInvalid, "occurred_at is required"));
}

TEST(AppendValidation, OutOfRangeTimestampIsInvalid) {
  // Just past 9999-12-31T23:59:59Z, before 0001-01-01, and bad nanos.
  EXPECT_THAT(
      ValidateMutated([](v1::Event& e) { e.mutable_occurred_at()->set_seconds(253402300800); }),
      StatusIs(kInvalid, "event 1 ("));
  EXPECT_THAT(
      ValidateMutated([](v1::Event& e) { e.mutable_occurred_at()->set_seconds(253402300800); }),
      StatusIs(kInvalid, "occurred_at: timestamp"));
  EXPECT_THAT(
      ValidateMutated([](v1::Event& e) { e.mutable_occurred_at()->set_seconds(-62135596801); }),
      StatusIs(kInvalid, "occurred_at: timestamp"));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) { e.mutable_occurred_at()->set_nanos(-1); }),
              StatusIs(kInvalid, "occurred_at: timestamp"));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) { e.mutable_occurred_at()->set_nanos(1000000000); }),
              StatusIs(kInvalid, "occurred_at: timestamp"));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) { e.mutable_recorded_at()->set_nanos(-5); }),
              StatusIs(kInvalid, "recorded_at: timestamp"));
  // The extremes themselves are valid.
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.mutable_occurred_at()->set_seconds(253402300799);
                e.mutable_occurred_at()->set_nanos(999999999);
              }),
              IsOk());
  EXPECT_THAT(
      ValidateMutated([](v1::Event& e) { e.mutable_occurred_at()->set_seconds(-62135596800); }),
      IsOk());
}

TEST(AppendValidation, ReportsTheFirstProblemInEventOrder) {
  std::vector<v1::Event> events = {ContactEvent(), ContactEvent(), ContactEvent()};
  events[1].clear_occurred_at();
  events[2].clear_payload();
  EXPECT_THAT(Validate(PersonStream(1), events),
              StatusIs(kInvalid, "event 1 (" + events[1].event_id() + "): occurred_at"));
}

// Regression (data-safety issue, item 5): a payload timestamp in year 10000
// was stored, and afterwards no client could print the event as JSON.
TEST(AppendValidation, OutOfRangeTimestampInsideAPayloadIsInvalidAndNamed) {
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.mutable_contact_scheduled()->mutable_scheduled_for()->set_seconds(253402300800);
              }),
              StatusIs(kInvalid, "event 1 ("));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.mutable_contact_scheduled()->mutable_scheduled_for()->set_seconds(253402300800);
              }),
              StatusIs(kInvalid, "contact_scheduled.scheduled_for: timestamp {seconds: 253402300800"));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.mutable_warning_issued()->mutable_liable_until()->set_nanos(-1);
              }),
              StatusIs(kInvalid, "warning_issued.liable_until"));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.mutable_contact_scheduled()->mutable_scheduled_for()->set_seconds(253402300799);
              }),
              IsOk());
}

// Regression (data-safety issue, item 4): proto3 keeps undefined enum
// numbers, so 99 in a payload was stored as if it meant something.
TEST(AppendValidation, UndefinedEnumValueInAPayloadIsInvalidAndNamed) {
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.mutable_contact_scheduled()->set_mode(static_cast<v1::ContactMode>(99));
              }),
              StatusIs(kInvalid, "contact_scheduled.mode: 99 is not a value of iomhub.v1.ContactMode"));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                auto* plan = e.mutable_contact_plan_set();
                plan->add_countable_modes(v1::CONTACT_MODE_OFFICE);
                plan->add_countable_modes(static_cast<v1::ContactMode>(42));
              }),
              StatusIs(kInvalid, "contact_plan_set.countable_modes[1]: 42"));
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.set_handling(static_cast<v1::HandlingMarking>(7));
              }),
              StatusIs(kInvalid, "handling: 7 is not a value of iomhub.v1.HandlingMarking"));
}

TEST(AppendValidation, NilUuidIsNeitherAnEventIdNorAPerson) {
  EXPECT_THAT(ValidateMutated([](v1::Event& e) {
                e.set_event_id("00000000-0000-0000-0000-000000000000");
              }),
              StatusIs(kInvalid, "event_id is the nil UUID"));
  EXPECT_THAT(ValidateStreamId("person-00000000-0000-0000-0000-000000000000"),
              StatusIs(kInvalid, "nil UUID"));
}

TEST(AppendValidation, PersonStreamIdsAreCanonicalInLowerCase) {
  EXPECT_THAT(ValidateStreamId("person-5B0F1D2E-7C1A-4F3E-9A53-2F3C6A0D9E11"), IsOk());
  EXPECT_EQ(CanonicalStreamId("person-5B0F1D2E-7C1A-4F3E-9A53-2F3C6A0D9E11"),
            "person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11");
  EXPECT_EQ(CanonicalStreamId("team-Gwent-Newport"), "team-Gwent-Newport");
  v1::Event e = ContactEvent();
  e.set_stream("person-5B0F1D2E-7C1A-4F3E-9A53-2F3C6A0D9E11");
  EXPECT_THAT(Validate("person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11", {e}), IsOk());
}

// Regression (data-safety issue, item 8): a client-serialized event of
// exactly 1,048,576 bytes was refused as "1048662 bytes", because the limit
// counted the stream and producer the hub adds.
TEST(AppendValidation, EventLimitCountsWhatTheClientSerializedNotTheHubsFields) {
  v1::Event e = ContactEvent();
  e.clear_producer();
  e.mutable_contact_scheduled()->set_source_system_ref("");
  // Grow a string field until the event serializes to exactly 1 MiB (length
  // prefixes grow with it, so converge rather than compute).
  const size_t target = size_t{1} << 20;
  size_t n = target - e.ByteSizeLong();
  for (int i = 0; i < 4 && e.ByteSizeLong() != target; ++i) {
    e.mutable_contact_scheduled()->set_source_system_ref(std::string(n, 'r'));
    n += target - e.ByteSizeLong();
  }
  ASSERT_EQ(e.ByteSizeLong(), target);
  v1::Event as_stored = e;
  as_stored.set_stream(PersonStream(1));
  as_stored.mutable_producer()->set_system("gwent-niche");
  as_stored.mutable_producer()->set_user_id("pc-4521");
  EXPECT_EQ(CountedEventBytes(as_stored), size_t{1} << 20);
  EXPECT_THAT(Validate(PersonStream(1), {as_stored}), IsOk());
  as_stored.mutable_contact_scheduled()->mutable_source_system_ref()->push_back('r');
  EXPECT_THAT(Validate(PersonStream(1), {as_stored}),
              StatusIs(kExhausted, "is 1048577 bytes; the limit is 1048576"));
}

}  // namespace
}  // namespace iomhub::eventstore
