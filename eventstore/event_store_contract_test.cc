// The EventStore contract suite: the behaviour event_store.h and DESIGN.md
// "Event log contract" promise, checked through the interface alone against
// every implementation — the embedded RocksDB store (EventStore::Open in a
// fresh directory) and InMemoryEventStore. It is what a future backend (a
// replicated log, see DESIGN.md "Beyond one machine") must pass before it
// may sit behind the interface: add a Backend below and run it.
//
// What only the RocksDB store does (reopening, group commit, the commit
// queue, files on disk) is tested in rocksdb_event_store_test.cc and the
// other RocksDB tests. Tests here must not assume how an implementation
// completes an append: `done` may run before AppendAsync returns, or later
// on another thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/ids.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/commit_watermark.h"
#include "eventstore/event_store.h"
#include "eventstore/event_store_test_helpers.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/test_events.h"
#include "eventstore/testing/in_memory_event_store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using testing::AlertEvent;
using testing::ContactEvent;
using ::testing::ElementsAre;
using testing::Events;
using testing::IdsOf;
using testing::PersonStream;
using testing::PositionsOf;
using testing::ReadEverything;
using testing::ScopedTempDir;
using testing::Submit;
using testing::VersionOf;
using testing::VersionsOf;

constexpr uint64_t kFromEnd = UINT64_MAX;

// ---------------------------------------------------------------------------
// Backends: each opens one fresh, empty store per test with the given
// options (limits, clock); it owns whatever the store needs beside it.

class RocksDbBackend {
 public:
  static constexpr char kName[] = "RocksDb";
  std::unique_ptr<EventStore> Open(EventStoreOptions options) {
    options.path = dir_.path();
    absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
    EXPECT_THAT(store, IsOk());
    return store.ok() ? std::move(store).value() : nullptr;
  }

 private:
  ScopedTempDir dir_;
};

class InMemoryBackend {
 public:
  static constexpr char kName[] = "InMemory";
  std::unique_ptr<EventStore> Open(EventStoreOptions options) {
    return std::make_unique<InMemoryEventStore>(std::move(options));
  }
};

using Backends = ::testing::Types<RocksDbBackend, InMemoryBackend>;

struct BackendName {
  template <typename Backend>
  static std::string GetName(int) {
    return Backend::kName;
  }
};

template <typename Backend>
class EventStoreContract : public ::testing::Test {
 protected:
  // A fresh, empty store; call once per test. Null (and the test failed) if
  // it cannot be opened.
  std::unique_ptr<EventStore> NewStore(EventStoreOptions options = {}) {
    return backend_.Open(std::move(options));
  }

 private:
  Backend backend_;
};
TYPED_TEST_SUITE(EventStoreContract, Backends, BackendName);

// ---------------------------------------------------------------------------
// Appending and reading back.

TYPED_TEST(EventStoreContract, AppendedEventsReadBackWithStoreAssignedFields) {
  FakeClock clock(absl::FromUnixSeconds(1800000000) + absl::Milliseconds(250));
  EventStoreOptions options;
  options.clock = &clock;
  auto store = this->NewStore(options);
  ASSERT_NE(store, nullptr);
  const std::string stream = PersonStream(1);
  const std::vector<v1::Event> sent = {ContactEvent("a"), AlertEvent("RULE")};

  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult result, store->Append(stream, Expected::Any(), sent));
  EXPECT_EQ(result.first_position, 1u);
  EXPECT_EQ(result.last_position, 2u);
  EXPECT_EQ(result.last_stream_version, 1u);
  EXPECT_FALSE(result.idempotent_replay);
  EXPECT_EQ(store->CommittedPosition(), 2u);
  EXPECT_EQ(VersionOf(*store, stream), 1u);

  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store->ReadStream(stream, 0, false, 10));
  ASSERT_EQ(read.events.size(), 2u);
  for (size_t i = 0; i < sent.size(); ++i) {
    v1::Event expected = sent[i];
    expected.set_stream(stream);
    expected.set_position(i + 1);
    expected.set_stream_version(i);
    expected.mutable_recorded_at()->set_seconds(1800000000);
    expected.mutable_recorded_at()->set_nanos(250000000);
    EXPECT_TRUE(MessageDifferencer::Equals(read.events[i], expected))
        << read.events[i].DebugString() << "\nvs\n"
        << expected.DebugString();
  }
  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_TRUE(MessageDifferencer::Equals(all[0], read.events[0]));
  EXPECT_TRUE(MessageDifferencer::Equals(all[1], read.events[1]));
}

TYPED_TEST(EventStoreContract, StoreOverridesClientSetPositionVersionAndRecordedAt) {
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  EventStoreOptions options;
  options.clock = &clock;
  auto store = this->NewStore(options);
  ASSERT_NE(store, nullptr);
  v1::Event event = ContactEvent();
  event.set_position(999);
  event.set_stream_version(50);
  event.mutable_recorded_at()->set_seconds(1);

  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {event}), IsOk());
  clock.Advance(absl::Seconds(10));
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {ContactEvent()}), IsOk());

  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].position(), 1u);
  EXPECT_EQ(all[0].stream_version(), 0u);
  EXPECT_EQ(all[0].recorded_at().seconds(), 1800000000);
  EXPECT_EQ(all[0].stream(), PersonStream(1));
  EXPECT_EQ(all[1].recorded_at().seconds(), 1800000010);
}

TYPED_TEST(EventStoreContract, RecordedAtBeforeTheEpochIsAValidTimestamp) {
  FakeClock clock(absl::FromUnixSeconds(-1) + absl::Milliseconds(500));
  EventStoreOptions options;
  options.clock = &clock;
  auto store = this->NewStore(options);
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {ContactEvent()}), IsOk());
  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].recorded_at().seconds(), -1);
  EXPECT_EQ(all[0].recorded_at().nanos(), 500000000);
}

TYPED_TEST(EventStoreContract, PositionsAreGaplessAndVersionsStartAtZeroPerStream) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  const std::vector<std::string> streams = {PersonStream(1), "team-7", "agreements"};
  std::vector<std::vector<std::string>> ids_by_stream(streams.size());
  std::vector<std::string> ids_in_log_order;
  for (int round = 0; round < 6; ++round) {
    for (size_t s = 0; s < streams.size(); ++s) {
      std::vector<v1::Event> events = Events(1 + (round + s) % 3);
      for (const auto& id : IdsOf(events)) {
        ids_by_stream[s].push_back(id);
        ids_in_log_order.push_back(id);
      }
      IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult r,
                                  store->Append(streams[s], Expected::Any(), events));
      EXPECT_EQ(r.last_position, ids_in_log_order.size());
      EXPECT_EQ(r.first_position, ids_in_log_order.size() - events.size() + 1);
      EXPECT_EQ(r.last_stream_version, ids_by_stream[s].size() - 1);
    }
  }

  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), ids_in_log_order.size());
  EXPECT_EQ(IdsOf(all), ids_in_log_order);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].position(), i + 1);
  for (size_t s = 0; s < streams.size(); ++s) {
    IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store->ReadStream(streams[s], 0, false, 1000));
    EXPECT_EQ(IdsOf(read.events), ids_by_stream[s]) << streams[s];
    for (size_t v = 0; v < read.events.size(); ++v) {
      EXPECT_EQ(read.events[v].stream_version(), v);
      EXPECT_EQ(read.events[v].stream(), streams[s]);
    }
    EXPECT_EQ(VersionOf(*store, streams[s]), ids_by_stream[s].size() - 1);
  }
  EXPECT_EQ(store->CommittedPosition(), ids_in_log_order.size());
}

TYPED_TEST(EventStoreContract, MalformedAppendFailsInlineAndWritesNothing) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  auto pending = Submit(*store, "bad stream", Expected::Any(), {ContactEvent()});
  ASSERT_TRUE(pending->done.HasBeenNotified()) << "done must run before AppendAsync returns";
  EXPECT_THAT(pending->result, StatusIs(absl::StatusCode::kInvalidArgument, "character outside"));

  v1::Event no_payload = ContactEvent();
  no_payload.clear_payload();
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {ContactEvent(), no_payload}),
              StatusIs(absl::StatusCode::kInvalidArgument, "payload"));
  EXPECT_EQ(store->CommittedPosition(), 0u);
  EXPECT_EQ(VersionOf(*store, PersonStream(1)), std::nullopt);
}

// ---------------------------------------------------------------------------
// Expected versions.

TYPED_TEST(EventStoreContract, ExpectedAnyAppendsWhateverTheStreamHolds) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  EXPECT_EQ(VersionOf(*store, "team-1"), 1u);
}

TYPED_TEST(EventStoreContract, ExpectedNoStreamFailsOnceTheStreamHasEvents) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult first,
                              store->Append("team-1", Expected::NoStream(), Events(2)));
  EXPECT_EQ(first.last_stream_version, 1u);
  EXPECT_THAT(store->Append("team-1", Expected::NoStream(), Events(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "expected no stream but actual version is 1"));
}

TYPED_TEST(EventStoreContract, ExpectedExistsFailsOnAStreamWithoutEvents) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->Append("team-1", Expected::Exists(), Events(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "expected an existing stream but actual version is no stream"));
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  EXPECT_THAT(store->Append("team-1", Expected::Exists(), Events(1)), IsOk());
}

TYPED_TEST(EventStoreContract, ExpectedExactVersionMustBeTheLastEventsVersion) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->Append("team-1", Expected::Exact(0), Events(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition, "actual version is no stream"));
  ASSERT_THAT(store->Append("team-1", Expected::NoStream(), Events(3)), IsOk());
  EXPECT_THAT(store->Append("team-1", Expected::Exact(1), Events(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "expected version 1 but actual version is 2"));
  EXPECT_THAT(store->Append("team-1", Expected::Exact(3), Events(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition, "actual version is 2"));
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult r,
                              store->Append("team-1", Expected::Exact(2), Events(2)));
  EXPECT_EQ(r.first_position, 4u);
  EXPECT_EQ(r.last_stream_version, 4u);
}

TYPED_TEST(EventStoreContract, VersionConflictWritesNothing) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(2)), IsOk());
  ASSERT_THAT(store->Append("team-2", Expected::Any(), Events(1)), IsOk());
  const std::vector<v1::Event> rejected = Events(3);

  EXPECT_THAT(store->Append("team-1", Expected::Exact(0), rejected),
              StatusIs(absl::StatusCode::kFailedPrecondition, "actual version is 1"));
  EXPECT_THAT(store->Append("team-1", Expected::NoStream(), rejected),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(store->Append("team-3", Expected::Exists(), rejected),
              StatusIs(absl::StatusCode::kFailedPrecondition));

  EXPECT_EQ(store->CommittedPosition(), 3u);
  EXPECT_EQ(VersionOf(*store, "team-1"), 1u);
  EXPECT_EQ(VersionOf(*store, "team-3"), std::nullopt);
  EXPECT_EQ(ReadEverything(*store).size(), 3u);
  // The rejected ids were not claimed: the same events now append as new.
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult r,
                              store->Append("team-1", Expected::Exact(1), rejected));
  EXPECT_FALSE(r.idempotent_replay);
  EXPECT_EQ(r.first_position, 4u);
  EXPECT_EQ(r.last_position, 6u);
}

// ---------------------------------------------------------------------------
// Idempotency.

TYPED_TEST(EventStoreContract, ExactRetryReturnsTheOriginalPositions) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  const std::vector<v1::Event> events = Events(3);
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult original,
                              store->Append(PersonStream(1), Expected::NoStream(), events));
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), Events(2)), IsOk());
  const uint64_t committed = store->CommittedPosition();

  // The expected version is stale by now; an exact retry still succeeds.
  for (Expected expected : {Expected::NoStream(), Expected::Exact(0), Expected::Any()}) {
    IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult retry,
                                store->Append(PersonStream(1), expected, events));
    EXPECT_TRUE(retry.idempotent_replay);
    EXPECT_EQ(retry.first_position, original.first_position);
    EXPECT_EQ(retry.last_position, original.last_position);
    EXPECT_EQ(retry.last_stream_version, original.last_stream_version);
  }
  EXPECT_EQ(original.first_position, 2u);
  EXPECT_EQ(original.last_stream_version, 2u);
  EXPECT_EQ(store->CommittedPosition(), committed);
  EXPECT_EQ(ReadEverything(*store).size(), committed);
}

TYPED_TEST(EventStoreContract, RetryIgnoresStoreAssignedFieldsTheClientSends) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  std::vector<v1::Event> events = Events(2);
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), events), IsOk());
  for (auto& e : events) {
    e.set_position(77);
    e.set_stream_version(88);
    e.mutable_recorded_at()->set_seconds(99);
    e.set_stream(PersonStream(1));
  }
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult retry,
                              store->Append(PersonStream(1), Expected::Any(), events));
  EXPECT_TRUE(retry.idempotent_replay);
  EXPECT_EQ(retry.first_position, 1u);
  EXPECT_EQ(retry.last_position, 2u);
}

TYPED_TEST(EventStoreContract, ReusedIdWithDifferentContentIsAlreadyExists) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  const v1::Event original = ContactEvent("contact-1");
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {original}), IsOk());
  v1::Event changed = original;
  changed.mutable_contact_scheduled()->set_contact_id("contact-2");
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {changed}),
              StatusIs(absl::StatusCode::kAlreadyExists,
                       "event id " + original.event_id() + " is already stored at position 1"));
  changed = original;
  changed.mutable_producer()->set_user_id("someone-else");
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {changed}),
              StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(store->CommittedPosition(), 1u);
}

TYPED_TEST(EventStoreContract, PartiallyOverlappingRetryIsAlreadyExistsAndWritesNothing) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  std::vector<v1::Event> events = Events(2);
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), events), IsOk());
  events.push_back(ContactEvent("new"));
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), events),
              StatusIs(absl::StatusCode::kAlreadyExists, "2 of the 3 event ids"));
  const v1::Event fresh = ContactEvent("fresh");
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {fresh, events[0]}),
              StatusIs(absl::StatusCode::kAlreadyExists, "1 of the 2 event ids"));
  EXPECT_EQ(store->CommittedPosition(), 2u);
  // The new ids were not claimed.
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {events[2], fresh}), IsOk());
}

TYPED_TEST(EventStoreContract, ReorderedRetryIsAlreadyExists) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  const std::vector<v1::Event> events = Events(3);
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), events), IsOk());
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {events[2], events[1], events[0]}),
              StatusIs(absl::StatusCode::kAlreadyExists, "exactly the original append"));
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {events[0], events[2]}),
              StatusIs(absl::StatusCode::kAlreadyExists, "exactly the original append"));
  EXPECT_EQ(store->CommittedPosition(), 3u);
}

TYPED_TEST(EventStoreContract, ReusedIdInAnotherStreamIsAlreadyExists) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  const v1::Event event = ContactEvent();
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {event}), IsOk());
  EXPECT_THAT(store->Append(PersonStream(2), Expected::Any(), {event}),
              StatusIs(absl::StatusCode::kAlreadyExists, event.event_id()));
  EXPECT_EQ(VersionOf(*store, PersonStream(2)), std::nullopt);
  EXPECT_EQ(store->CommittedPosition(), 1u);
}

// Regression (data-safety issue, item 6): an id re-sent in upper case was a
// second event, so a client that changed case defeated idempotency.
TYPED_TEST(EventStoreContract, IdDifferingOnlyInCaseIsTheSameEventStoredInLowerCase) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  v1::Event event = ContactEvent();
  event.set_event_id("123E4567-E89B-12D3-A456-426614174000");
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {event}), IsOk());
  event.set_event_id("123e4567-e89b-12d3-a456-426614174000");
  absl::StatusOr<AppendResult> retry = store->Append(PersonStream(1), Expected::Any(), {event});
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->idempotent_replay);
  event.set_event_id("123e4567-E89B-12d3-A456-426614174000");
  retry = store->Append(PersonStream(1), Expected::NoStream(), {event});
  ASSERT_THAT(retry, IsOk());
  EXPECT_TRUE(retry->idempotent_replay);
  EXPECT_EQ(store->CommittedPosition(), 1u);
  const std::vector<v1::Event> stored = ReadEverything(*store);
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].event_id(), "123e4567-e89b-12d3-a456-426614174000");
}

TYPED_TEST(EventStoreContract, PositionOfEventFindsAStoredIdInAnyCase) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  v1::Event first = ContactEvent();
  first.set_event_id("123e4567-e89b-12d3-a456-426614174000");
  v1::Event second = ContactEvent();
  second.set_event_id("223e4567-e89b-12d3-a456-426614174000");
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {first, second}), IsOk());
  EXPECT_EQ(*store->PositionOfEvent("223E4567-E89B-12D3-A456-426614174000"), 2u);
  EXPECT_EQ(*store->PositionOfEvent("123e4567-e89b-12d3-a456-426614174000"), 1u);
  EXPECT_EQ(*store->PositionOfEvent("323e4567-e89b-12d3-a456-426614174000"), std::nullopt);
}

// ---------------------------------------------------------------------------
// Case-insensitive ids, byte bounds.

// Regression: ReadStream batches were bounded by count only, so 50 events of
// 100 KiB made a 5 MB gRPC message that clients refuse (default max 4 MiB).
TYPED_TEST(EventStoreContract, ReadStreamStopsAtTheByteBoundAndResumes) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  std::vector<v1::Event> events = Events(10);
  for (auto& e : events)
    e.mutable_contact_scheduled()->set_source_system_ref(std::string(1000, 'r'));
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), events), IsOk());
  absl::StatusOr<ReadBatch> read = store->ReadStream(PersonStream(1), 0, false, 100, 2500);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(VersionsOf(read->events), ElementsAre(0, 1, 2));
  EXPECT_EQ(read->next, 3u);
  EXPECT_FALSE(read->end);
  read = store->ReadStream(PersonStream(1), kFromEnd, true, 100, 1);
  ASSERT_THAT(read, IsOk());
  EXPECT_THAT(VersionsOf(read->events), ElementsAre(9));
  EXPECT_EQ(read->next, 8u);
  read = store->ReadStream(PersonStream(1), 3, false, 100, SIZE_MAX);
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->events.size(), 7u);
  EXPECT_TRUE(read->end);
}

TYPED_TEST(EventStoreContract, PersonStreamIdsDifferingOnlyInCaseAreOneStream) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  const std::string lower = "person-5b0f1d2e-7c1a-4f3e-9a53-2f3c6a0d9e11";
  const std::string upper = "person-5B0F1D2E-7C1A-4F3E-9A53-2F3C6A0D9E11";
  ASSERT_THAT(store->Append(upper, Expected::NoStream(), Events(1)), IsOk());
  ASSERT_THAT(store->Append(lower, Expected::Exact(0), Events(1)), IsOk());
  absl::StatusOr<ReadBatch> read = store->ReadStream(upper, 0, false, 10);
  ASSERT_THAT(read, IsOk());
  ASSERT_EQ(read->events.size(), 2u);
  EXPECT_EQ(read->events[0].stream(), lower);
  EXPECT_EQ(read->events[1].stream(), lower);
  EXPECT_EQ(VersionOf(*store, lower), 1u);
}

// ---------------------------------------------------------------------------
// Limits and validation through the store.

TYPED_TEST(EventStoreContract, LimitsComeFromOptions) {
  EventStoreOptions options;
  options.max_events_per_append = 2;
  options.max_event_bytes = 300;
  options.max_append_bytes = 400;
  auto store = this->NewStore(options);
  ASSERT_NE(store, nullptr);

  EXPECT_THAT(
      store->Append("team-1", Expected::Any(), Events(3)),
      StatusIs(absl::StatusCode::kResourceExhausted, "append has 3 events; the limit is 2"));
  v1::Event big = ContactEvent();
  big.mutable_contact_scheduled()->set_source_system_ref(std::string(300, 'x'));
  EXPECT_THAT(store->Append("team-1", Expected::Any(), {big}),
              StatusIs(absl::StatusCode::kResourceExhausted, "the limit is 300"));
  v1::Event half = ContactEvent();
  half.mutable_contact_scheduled()->set_source_system_ref(std::string(150, 'x'));
  ASSERT_LE(half.ByteSizeLong(), 300u);
  v1::Event other_half = half;
  other_half.set_event_id(NewUuid());
  EXPECT_THAT(store->Append("team-1", Expected::Any(), {half, other_half}),
              StatusIs(absl::StatusCode::kResourceExhausted, "the limit is 400"));
  EXPECT_EQ(store->CommittedPosition(), 0u);
  EXPECT_THAT(store->Append("team-1", Expected::Any(), {half}), IsOk());
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(2)), IsOk());
}

// ---------------------------------------------------------------------------
// Concurrency.

TYPED_TEST(EventStoreContract, ConcurrentAppendersGetGaplessPositionsAndReadableAcks) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kAppendsPerThread = 30;
  struct Ack {
    AppendResult result;
    std::vector<std::string> ids;
  };
  std::vector<std::vector<Ack>> acks(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string streams[2] = {PersonStream(2 * t), PersonStream(2 * t + 1)};
      std::optional<uint64_t> heads[2];
      for (int i = 0; i < kAppendsPerThread; ++i) {
        const int s = i % 2;
        const Expected expected =
            heads[s].has_value() ? Expected::Exact(*heads[s]) : Expected::NoStream();
        std::vector<v1::Event> events = Events(1 + i % 3);
        absl::StatusOr<AppendResult> r = store->Append(streams[s], expected, events);
        EXPECT_THAT(r, IsOk());
        if (!r.ok()) return;
        const uint64_t n = events.size();
        EXPECT_EQ(r->last_stream_version, heads[s].has_value() ? *heads[s] + n : n - 1);
        EXPECT_EQ(r->last_position - r->first_position + 1, n);
        heads[s] = r->last_stream_version;
        // Acknowledged means readable, now.
        EXPECT_GE(store->CommittedPosition(), r->last_position);
        absl::StatusOr<ReadBatch> read = store->ReadAll(r->first_position, n);
        EXPECT_THAT(read, IsOk());
        if (read.ok()) {
          EXPECT_EQ(IdsOf(read->events), IdsOf(events));
        }
        acks[t].push_back({*r, IdsOf(events)});
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::vector<std::string> id_at_position(1, "");
  uint64_t total = 0;
  for (const auto& thread_acks : acks) {
    ASSERT_EQ(thread_acks.size(), static_cast<size_t>(kAppendsPerThread));
    for (const Ack& ack : thread_acks) {
      total += ack.ids.size();
      if (id_at_position.size() <= ack.result.last_position) {
        id_at_position.resize(ack.result.last_position + 1);
      }
      for (size_t i = 0; i < ack.ids.size(); ++i) {
        std::string& slot = id_at_position[ack.result.first_position + i];
        EXPECT_EQ(slot, "") << "position " << ack.result.first_position + i << " acked twice";
        slot = ack.ids[i];
      }
    }
  }
  EXPECT_EQ(store->CommittedPosition(), total);
  ASSERT_EQ(id_at_position.size(), total + 1) << "positions beyond the total were acked";
  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), total);
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].position(), i + 1);
    EXPECT_EQ(all[i].event_id(), id_at_position[i + 1]) << "position " << i + 1;
  }
  for (int s = 0; s < 2 * kThreads; ++s) {
    IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store->ReadStream(PersonStream(s), 0, false, 1000));
    for (size_t v = 0; v < read.events.size(); ++v) EXPECT_EQ(read.events[v].stream_version(), v);
    EXPECT_TRUE(read.end);
  }
}

// ---------------------------------------------------------------------------
// Commit listeners, the watermark and shutdown.

TYPED_TEST(EventStoreContract, CommitListenersAreCalledWithTheCommittedPosition) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  absl::Mutex mu;
  std::vector<uint64_t> seen;
  std::vector<uint64_t> committed_when_called;
  const uint64_t id = store->AddCommitListener([&](uint64_t position) {
    absl::MutexLock lock(&mu);
    seen.push_back(position);
    committed_when_called.push_back(store->CommittedPosition());
  });
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult first,
                              store->Append("team-1", Expected::Any(), Events(2)));
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult second,
                              store->Append("team-1", Expected::Any(), Events(3)));
  // Acks run before listeners, so wait for the listener to see the second.
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(
        +[](std::vector<uint64_t>* v) { return v->size() >= 2; }, &seen));
  }
  store->RemoveCommitListener(id);
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  store->Shutdown();

  absl::MutexLock lock(&mu);
  EXPECT_THAT(seen, ElementsAre(first.last_position, second.last_position));
  EXPECT_EQ(seen, committed_when_called);
  EXPECT_THAT(seen, ElementsAre(2, 5));
}

TYPED_TEST(EventStoreContract, AppendAfterShutdownIsUnavailable) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  store->Shutdown();
  store->Shutdown();  // idempotent
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(1)),
              StatusIs(absl::StatusCode::kUnavailable, "shutting down"));
  // Reads still work.
  EXPECT_EQ(ReadEverything(*store).size(), 1u);
}

TYPED_TEST(EventStoreContract, WatermarkIsAdvancedBeforeTheAppendIsAcknowledged) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->watermark().position(), 0u);
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  struct Seen {
    absl::StatusOr<AppendResult> result;
    uint64_t watermark = 0;
    uint64_t committed = 0;
  } seen;
  absl::Notification acknowledged;
  store->AppendAsync("team-1", Expected::Exact(0), Events(3), [&](absl::StatusOr<AppendResult> r) {
    // Watermark first: it is never ahead of the committed position.
    seen.watermark = store->watermark().position();
    seen.committed = store->CommittedPosition();
    seen.result = std::move(r);
    acknowledged.Notify();
  });
  acknowledged.WaitForNotification();
  ASSERT_THAT(seen.result, IsOk());
  EXPECT_EQ(seen.result->last_position, 4u);
  EXPECT_GE(seen.watermark, 4u);
  EXPECT_LE(seen.watermark, seen.committed);
  EXPECT_TRUE(store->watermark().WaitFor(4, absl::Now()));
}

TYPED_TEST(EventStoreContract, WatermarkWaiterIsToldOnceTheLogReachesItsTarget) {
  auto store = this->NewStore();
  ASSERT_NE(store, nullptr);
  class Waiter : public WatermarkWaiter {
   public:
    void WatermarkReached(uint64_t watermark) override {
      reached_at = watermark;
      told.Notify();
    }
    void WatermarkDeadline(uint64_t) override { told.Notify(); }
    absl::Notification told;
    uint64_t reached_at = 0;
  } waiter;
  store->watermark().Watch(&waiter, 3, absl::InfiniteFuture());
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(2)), IsOk());
  ASSERT_THAT(store->Append("team-2", Expected::Any(), Events(2)), IsOk());
  const bool told = waiter.told.WaitForNotificationWithTimeout(absl::Seconds(10));
  store->watermark().Unwatch(&waiter);  // before `waiter` goes, whatever happened
  ASSERT_TRUE(told);
  EXPECT_GE(waiter.reached_at, 3u);
  EXPECT_LE(waiter.reached_at, store->CommittedPosition());
}

// ---------------------------------------------------------------------------
// ReadStream.

constexpr char kReadStream[] = "team-1";  // versions 0..4 at positions 3,4,5,7,8

template <typename Backend>
class EventStoreReadStreamContract : public EventStoreContract<Backend> {
 protected:
  void SetUp() override {
    store_ = this->NewStore();
    ASSERT_NE(store_, nullptr);
    ASSERT_THAT(store_->Append("team-0", Expected::Any(), Events(2)), IsOk());     // 1, 2
    ASSERT_THAT(store_->Append(kReadStream, Expected::Any(), Events(3)), IsOk());  // 3..5
    ASSERT_THAT(store_->Append("team-0", Expected::Any(), Events(1)), IsOk());     // 6
    ASSERT_THAT(store_->Append(kReadStream, Expected::Any(), Events(2)), IsOk());  // 7, 8
  }
  std::unique_ptr<EventStore> store_;
};
TYPED_TEST_SUITE(EventStoreReadStreamContract, Backends, BackendName);

TYPED_TEST(EventStoreReadStreamContract, ForwardsReadsFromAVersionUpToTheLimit) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, this->store_->ReadStream(kReadStream, 1, false, 2));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(1, 2));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(4, 5));
  EXPECT_EQ(read.next, 3u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadStream(kReadStream, read.next, false, 10));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(3, 4));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(7, 8));
  EXPECT_EQ(read.next, 5u);
  EXPECT_TRUE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadStream(kReadStream, 5, false, 10));
  EXPECT_TRUE(read.events.empty());
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 5u);
}

TYPED_TEST(EventStoreReadStreamContract, ForwardsToExactlyTheLastEventIsTheEnd) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, this->store_->ReadStream(kReadStream, 0, false, 5));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 5u);
}

TYPED_TEST(EventStoreReadStreamContract, BackwardsReadsFromTheEndDownToZero) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read,
                              this->store_->ReadStream(kReadStream, kFromEnd, true, 2));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(4, 3));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(8, 7));
  EXPECT_EQ(read.next, 2u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadStream(kReadStream, read.next, true, 10));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(2, 1, 0));
  EXPECT_EQ(read.next, 0u);
  EXPECT_TRUE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadStream(kReadStream, 0, true, 10));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(0));
  EXPECT_TRUE(read.end);
}

TYPED_TEST(EventStoreReadStreamContract, ZeroMaxEventsReadsNothing) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, this->store_->ReadStream(kReadStream, 2, false, 0));
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(read.next, 2u);
  EXPECT_FALSE(read.end);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadStream(kReadStream, 2, true, 0));
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(read.next, 2u);
  EXPECT_FALSE(read.end);
}

TYPED_TEST(EventStoreReadStreamContract, UnknownStreamIsNotFoundAndMalformedIdIsInvalid) {
  EXPECT_THAT(this->store_->ReadStream("team-9", 0, false, 10),
              StatusIs(absl::StatusCode::kNotFound, "team-9"));
  EXPECT_THAT(this->store_->ReadStream("team-9", kFromEnd, true, 10),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(this->store_->ReadStream("team 1", 0, false, 10),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(VersionOf(*this->store_, "team-9"), std::nullopt);
}

// ---------------------------------------------------------------------------
// ReadAll and VisitAll.

bool IsAlert(const v1::Event& e) { return EventTypeName(e) == "AlertRaised"; }

template <typename Backend>
class EventStoreReadAllContract : public EventStoreContract<Backend> {
 protected:
  void SetUp() override {
    store_ = this->NewStore();
    ASSERT_NE(store_, nullptr);
    // Positions 1..10; alerts at 3, 6, 9 and contacts elsewhere.
    for (int i = 1; i <= 10; ++i) {
      ASSERT_THAT(
          store_->Append("team-1", Expected::Any(), {i % 3 == 0 ? AlertEvent() : ContactEvent()}),
          IsOk());
    }
  }
  std::unique_ptr<EventStore> store_;
};
TYPED_TEST_SUITE(EventStoreReadAllContract, Backends, BackendName);

TYPED_TEST(EventStoreReadAllContract, ReadsFromAPositionUpToTheLimit) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, this->store_->ReadAll(0, 4));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(1, 2, 3, 4));
  EXPECT_EQ(read.next, 5u);
  EXPECT_FALSE(read.end);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadAll(read.next, 100));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(5, 6, 7, 8, 9, 10));
  EXPECT_EQ(read.next, 11u);
  EXPECT_TRUE(read.end);
}

TYPED_TEST(EventStoreReadAllContract, ReadingPastTheCommittedPositionIsAnEmptyEnd) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, this->store_->ReadAll(11, 100));
  EXPECT_TRUE(read.events.empty());
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 11u);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadAll(500, 100));
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 500u);
}

TYPED_TEST(EventStoreReadAllContract, FilterReturnsOnlyMatchesAndNextCountsEverythingExamined) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read,
                              this->store_->ReadAll(1, 2, SIZE_MAX, SIZE_MAX, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(3, 6));
  EXPECT_EQ(read.next, 7u);
  EXPECT_FALSE(read.end);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read,
                              this->store_->ReadAll(read.next, 100, SIZE_MAX, SIZE_MAX, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(9));
  EXPECT_EQ(read.next, 11u);
  EXPECT_TRUE(read.end);
}

TYPED_TEST(EventStoreReadAllContract, MaxScanReturnsEarlyWithAnAdvancedNext) {
  auto none = [](const v1::Event&) { return false; };
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, this->store_->ReadAll(1, 100, SIZE_MAX, 4, none));
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(read.next, 5u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadAll(4, 100, SIZE_MAX, 4, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(6));
  EXPECT_EQ(read.next, 8u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadAll(8, 100, SIZE_MAX, 4, none));
  EXPECT_EQ(read.next, 11u);
  EXPECT_TRUE(read.end);
}

TYPED_TEST(EventStoreReadAllContract, MaxBytesStopsAfterTheMatchThatReachesIt) {
  auto all = [](const v1::Event&) { return true; };
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, this->store_->ReadAll(2, 100, 1, SIZE_MAX, all));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(2));
  EXPECT_EQ(read.next, 3u);
  // Filtered-out records do not count towards max_bytes.
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, this->store_->ReadAll(1, 100, 1, SIZE_MAX, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(3));
  EXPECT_EQ(read.next, 4u);
}

TYPED_TEST(EventStoreReadAllContract, VisitAllPassesEachStoredEventSerialized) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch stream, this->store_->ReadStream("team-1", 0, false, 100));
  ASSERT_EQ(stream.events.size(), 10u);
  std::vector<uint64_t> positions;
  IOMHUB_ASSERT_OK_AND_ASSIGN(
      ReadBatch visited,
      this->store_->VisitAll(
          1, 100, SIZE_MAX, SIZE_MAX,
          [&](uint64_t position, absl::string_view bytes) -> absl::StatusOr<bool> {
            positions.push_back(position);
            v1::Event event;
            EXPECT_TRUE(event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
            // The stored event whole: content and store-assigned fields.
            EXPECT_TRUE(MessageDifferencer::Equals(event, stream.events[position - 1]))
                << event.DebugString();
            return true;
          }));
  EXPECT_TRUE(visited.events.empty());
  EXPECT_EQ(visited.next, 11u);
  EXPECT_TRUE(visited.end);
  EXPECT_THAT(positions, ElementsAre(1, 2, 3, 4, 5, 6, 7, 8, 9, 10));
}

TYPED_TEST(EventStoreReadAllContract, AVisitorErrorEndsTheReadWithThatError) {
  int visits = 0;
  auto fail_third = [&](uint64_t position, absl::string_view) -> absl::StatusOr<bool> {
    ++visits;
    if (position == 3) return absl::CancelledError("visitor gave up");
    return true;
  };
  EXPECT_THAT(this->store_->VisitAll(1, 100, SIZE_MAX, SIZE_MAX, fail_third),
              StatusIs(absl::StatusCode::kCancelled, "visitor gave up"));
  EXPECT_EQ(visits, 3);
}

}  // namespace
}  // namespace iomhub::eventstore
