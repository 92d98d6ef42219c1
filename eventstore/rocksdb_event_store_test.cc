// Behaviour of the embedded EventStore through its public interface: the
// contract in event_store.h and DESIGN.md "Event log contract". Each test
// works in its own fresh directory.
#include "eventstore/rocksdb_event_store.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/event_store.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/test_events.h"
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
using ::testing::HasSubstr;
using testing::PersonStream;
using testing::ScopedTempDir;

constexpr uint64_t kFromEnd = UINT64_MAX;

EventStoreOptions OptionsFor(const ScopedTempDir& dir) { return {.path = dir.path()}; }

std::unique_ptr<EventStore> MustOpen(const EventStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  EXPECT_THAT(store, IsOk());
  return store.ok() ? std::move(store).value() : nullptr;
}

std::vector<v1::Event> Events(int n) {
  std::vector<v1::Event> events;
  for (int i = 0; i < n; ++i) events.push_back(ContactEvent("contact-" + std::to_string(i)));
  return events;
}

std::vector<std::string> IdsOf(const std::vector<v1::Event>& events) {
  std::vector<std::string> ids;
  for (const auto& e : events) ids.push_back(e.event_id());
  return ids;
}

std::vector<uint64_t> PositionsOf(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.position());
  return out;
}

std::vector<uint64_t> VersionsOf(const std::vector<v1::Event>& events) {
  std::vector<uint64_t> out;
  for (const auto& e : events) out.push_back(e.stream_version());
  return out;
}

// The stream's version, or nullopt; fails the test on an error.
std::optional<uint64_t> VersionOf(EventStore& store, const std::string& stream) {
  absl::StatusOr<std::optional<uint64_t>> version = store.StreamVersion(stream);
  EXPECT_THAT(version, IsOk());
  return version.ok() ? *version : std::nullopt;
}

// Everything committed, in log order.
std::vector<v1::Event> ReadEverything(EventStore& store) {
  absl::StatusOr<ReadBatch> batch = store.ReadAll(1, SIZE_MAX);
  EXPECT_THAT(batch, IsOk());
  if (!batch.ok()) return {};
  EXPECT_TRUE(batch->end);
  return batch->events;
}

// An append whose completion is observed later.
struct Pending {
  absl::Notification done;
  absl::StatusOr<AppendResult> result;
};

std::unique_ptr<Pending> Submit(EventStore& store, const std::string& stream, Expected expected,
                                std::vector<v1::Event> events) {
  auto pending = std::make_unique<Pending>();
  store.AppendAsync(stream, expected, std::move(events),
                    [p = pending.get()](absl::StatusOr<AppendResult> r) {
                      p->result = std::move(r);
                      p->done.Notify();
                    });
  return pending;
}

// Holds the commit thread inside the callback of its own one-event append
// (to stream "gate", taking the next position), so appends submitted
// meanwhile queue up and are staged together in the next batch once
// released. This is how the tests control group commit without sleeping.
class CommitterGate {
 public:
  explicit CommitterGate(EventStore& store) {
    store.AppendAsync("gate", Expected::Any(), {ContactEvent("gate")},
                      [this](absl::StatusOr<AppendResult> r) {
                        result_ = std::move(r);
                        entered_.Notify();
                        release_.WaitForNotification();
                      });
    entered_.WaitForNotification();
  }
  ~CommitterGate() { Release(); }

  void Release() {
    if (!release_.HasBeenNotified()) release_.Notify();
  }
  const absl::StatusOr<AppendResult>& result() const { return result_; }

 private:
  absl::StatusOr<AppendResult> result_;
  absl::Notification entered_;
  absl::Notification release_;
};

// ---------------------------------------------------------------------------
// Appending and reading back.

TEST(EventStore, AppendedEventsReadBackWithStoreAssignedFields) {
  ScopedTempDir dir;
  FakeClock clock(absl::FromUnixSeconds(1800000000) + absl::Milliseconds(250));
  EventStoreOptions options = OptionsFor(dir);
  options.clock = &clock;
  auto store = MustOpen(options);
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

TEST(EventStore, StoreOverridesClientSetPositionVersionAndRecordedAt) {
  ScopedTempDir dir;
  FakeClock clock(absl::FromUnixSeconds(1800000000));
  EventStoreOptions options = OptionsFor(dir);
  options.clock = &clock;
  auto store = MustOpen(options);
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

TEST(EventStore, RecordedAtBeforeTheEpochIsAValidTimestamp) {
  ScopedTempDir dir;
  FakeClock clock(absl::FromUnixSeconds(-1) + absl::Milliseconds(500));
  EventStoreOptions options = OptionsFor(dir);
  options.clock = &clock;
  auto store = MustOpen(options);
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), {ContactEvent()}), IsOk());
  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].recorded_at().seconds(), -1);
  EXPECT_EQ(all[0].recorded_at().nanos(), 500000000);
}

TEST(EventStore, PositionsAreGaplessAndVersionsStartAtZeroPerStream) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, MalformedAppendFailsInlineAndWritesNothing) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, ExpectedAnyAppendsWhateverTheStreamHolds) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  EXPECT_EQ(VersionOf(*store, "team-1"), 1u);
}

TEST(EventStore, ExpectedNoStreamFailsOnceTheStreamHasEvents) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult first,
                              store->Append("team-1", Expected::NoStream(), Events(2)));
  EXPECT_EQ(first.last_stream_version, 1u);
  EXPECT_THAT(store->Append("team-1", Expected::NoStream(), Events(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "expected no stream but actual version is 1"));
}

TEST(EventStore, ExpectedExistsFailsOnAStreamWithoutEvents) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->Append("team-1", Expected::Exists(), Events(1)),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       "expected an existing stream but actual version is no stream"));
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  EXPECT_THAT(store->Append("team-1", Expected::Exists(), Events(1)), IsOk());
}

TEST(EventStore, ExpectedExactVersionMustBeTheLastEventsVersion) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, VersionConflictWritesNothing) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, ExactRetryReturnsTheOriginalPositions) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, RetryIgnoresStoreAssignedFieldsTheClientSends) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, ReusedIdWithDifferentContentIsAlreadyExists) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, PartiallyOverlappingRetryIsAlreadyExistsAndWritesNothing) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, ReorderedRetryIsAlreadyExists) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  const std::vector<v1::Event> events = Events(3);
  ASSERT_THAT(store->Append(PersonStream(1), Expected::Any(), events), IsOk());
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {events[2], events[1], events[0]}),
              StatusIs(absl::StatusCode::kAlreadyExists, "exactly the original append"));
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {events[0], events[2]}),
              StatusIs(absl::StatusCode::kAlreadyExists, "exactly the original append"));
  EXPECT_EQ(store->CommittedPosition(), 3u);
}

TEST(EventStore, ReusedIdInAnotherStreamIsAlreadyExists) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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
TEST(EventStore, IdDifferingOnlyInCaseIsTheSameEventStoredInLowerCase) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

// Regression: ReadStream batches were bounded by count only, so 50 events of
// 100 KiB made a 5 MB gRPC message that clients refuse (default max 4 MiB).
TEST(EventStore, ReadStreamStopsAtTheByteBoundAndResumes) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  std::vector<v1::Event> events = Events(10);
  for (auto& e : events) e.mutable_contact_scheduled()->set_source_system_ref(std::string(1000, 'r'));
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

TEST(EventStore, PersonStreamIdsDifferingOnlyInCaseAreOneStream) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, IdempotencySurvivesReopen) {
  ScopedTempDir dir;
  const std::vector<v1::Event> events = Events(2);
  {
    auto store = MustOpen(OptionsFor(dir));
    ASSERT_NE(store, nullptr);
    ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
    ASSERT_THAT(store->Append(PersonStream(1), Expected::NoStream(), events), IsOk());
  }
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult retry,
                              store->Append(PersonStream(1), Expected::NoStream(), events));
  EXPECT_TRUE(retry.idempotent_replay);
  EXPECT_EQ(retry.first_position, 2u);
  EXPECT_EQ(retry.last_position, 3u);
  EXPECT_EQ(retry.last_stream_version, 1u);
  v1::Event changed = events[1];
  changed.mutable_contact_scheduled()->set_duration_minutes(45);
  EXPECT_THAT(store->Append(PersonStream(1), Expected::Any(), {changed}),
              StatusIs(absl::StatusCode::kAlreadyExists, "position 3"));
  EXPECT_EQ(store->CommittedPosition(), 3u);
}

// ---------------------------------------------------------------------------
// Limits.

TEST(EventStore, LimitsComeFromOptions) {
  ScopedTempDir dir;
  EventStoreOptions options = OptionsFor(dir);
  options.max_events_per_append = 2;
  options.max_event_bytes = 300;
  options.max_append_bytes = 400;
  auto store = MustOpen(options);
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

TEST(EventStore, FullCommitQueueIsResourceExhausted) {
  ScopedTempDir dir;
  EventStoreOptions options = OptionsFor(dir);
  options.max_pending_bytes = 1;  // one append at a time may wait
  auto store = MustOpen(options);
  ASSERT_NE(store, nullptr);
  CommitterGate gate(*store);
  auto queued = Submit(*store, "team-1", Expected::Any(), Events(1));
  auto refused = Submit(*store, "team-1", Expected::Any(), Events(1));
  ASSERT_TRUE(refused->done.HasBeenNotified());
  EXPECT_THAT(refused->result,
              StatusIs(absl::StatusCode::kResourceExhausted, "commit queue is full"));
  EXPECT_FALSE(queued->done.HasBeenNotified());
  gate.Release();
  queued->done.WaitForNotification();
  EXPECT_THAT(queued->result, IsOk());
  EXPECT_EQ(VersionOf(*store, "team-1"), 0u);
}

// ---------------------------------------------------------------------------
// Group commit.

TEST(EventStore, QueuedAppendsShareCommitsUpToMaxEventsPerCommit) {
  ScopedTempDir dir;
  EventStoreOptions options = OptionsFor(dir);
  options.max_events_per_commit = 2;
  auto store = MustOpen(options);
  ASSERT_NE(store, nullptr);
  absl::Mutex mu;
  std::vector<uint64_t> commits;
  store->AddCommitListener([&](uint64_t position) {
    absl::MutexLock lock(&mu);
    commits.push_back(position);
  });

  auto gate = std::make_unique<CommitterGate>(*store);
  std::vector<std::unique_ptr<Pending>> queued;
  for (int i = 0; i < 5; ++i)
    queued.push_back(Submit(*store, "team-1", Expected::Any(), Events(1)));
  gate->Release();
  for (auto& p : queued) p->done.WaitForNotification();
  store->Shutdown();  // joins the committer: every listener call has happened

  for (size_t i = 0; i < queued.size(); ++i) {
    ASSERT_THAT(queued[i]->result, IsOk());
    EXPECT_EQ(queued[i]->result->first_position, i + 2);
  }
  absl::MutexLock lock(&mu);
  // The gate's commit alone, then batches of two events, then the rest.
  EXPECT_THAT(commits, ElementsAre(1, 3, 5, 6));
}

TEST(EventStore, CommitObserverSeesEachGroupCommitsEventsAndAppends) {
  ScopedTempDir dir;
  EventStoreOptions options = OptionsFor(dir);
  absl::Mutex mu;
  std::vector<CommitStats> commits;
  options.commit_observer = [&](const CommitStats& stats) {
    absl::MutexLock lock(&mu);
    commits.push_back(stats);
  };
  auto store = MustOpen(options);
  ASSERT_NE(store, nullptr);

  auto gate = std::make_unique<CommitterGate>(*store);
  std::vector<std::unique_ptr<Pending>> queued;
  queued.push_back(Submit(*store, "team-1", Expected::Any(), Events(3)));
  queued.push_back(Submit(*store, "team-2", Expected::NoStream(), Events(2)));
  queued.push_back(Submit(*store, "team-1", Expected::NoStream(), Events(4)));  // refused
  gate->Release();
  for (auto& p : queued) p->done.WaitForNotification();
  store->Shutdown();

  absl::MutexLock lock(&mu);
  ASSERT_EQ(commits.size(), 2u);
  EXPECT_EQ(commits[0].events, 1u);  // the gate's own append
  EXPECT_EQ(commits[0].appends, 1u);
  EXPECT_EQ(commits[1].events, 5u);
  EXPECT_EQ(commits[1].appends, 3u);
  EXPECT_GE(commits[1].write_time, absl::ZeroDuration());
}

TEST(EventStore, AppendsStagedInOneBatchSeeEachOther) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  const std::string s1 = PersonStream(1);
  const std::vector<v1::Event> first = Events(2);
  const std::vector<v1::Event> conflicting = Events(1);
  v1::Event reused_id = ContactEvent("other content");
  reused_id.set_event_id(first[1].event_id());

  auto gate = std::make_unique<CommitterGate>(*store);              // position 1
  auto a = Submit(*store, s1, Expected::NoStream(), first);         // 2, 3
  auto b = Submit(*store, s1, Expected::NoStream(), conflicting);   // conflict with a
  auto c = Submit(*store, s1, Expected::Exact(1), Events(1));       // 4
  auto d = Submit(*store, s1, Expected::NoStream(), first);         // replay of a
  auto e = Submit(*store, "team-1", Expected::Any(), conflicting);  // 5: b claimed nothing
  auto f = Submit(*store, "team-2", Expected::Any(), {reused_id});  // id staged by a
  gate->Release();
  for (auto* p : {a.get(), b.get(), c.get(), d.get(), e.get(), f.get()}) {
    p->done.WaitForNotification();
  }

  ASSERT_THAT(a->result, IsOk());
  EXPECT_EQ(a->result->first_position, 2u);
  EXPECT_THAT(b->result, StatusIs(absl::StatusCode::kFailedPrecondition, "actual version is 1"));
  ASSERT_THAT(c->result, IsOk());
  EXPECT_EQ(c->result->first_position, 4u);
  EXPECT_EQ(c->result->last_stream_version, 2u);
  ASSERT_THAT(d->result, IsOk());
  EXPECT_TRUE(d->result->idempotent_replay);
  EXPECT_EQ(d->result->first_position, 2u);
  EXPECT_EQ(d->result->last_position, 3u);
  ASSERT_THAT(e->result, IsOk());
  EXPECT_EQ(e->result->first_position, 5u);
  EXPECT_THAT(f->result, StatusIs(absl::StatusCode::kAlreadyExists, "position 3"));

  const std::vector<v1::Event> all = ReadEverything(*store);
  EXPECT_THAT(PositionsOf(all), ElementsAre(1, 2, 3, 4, 5));
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch stream, store->ReadStream(s1, 0, false, 10));
  EXPECT_THAT(VersionsOf(stream.events), ElementsAre(0, 1, 2));
  EXPECT_THAT(PositionsOf(stream.events), ElementsAre(2, 3, 4));
}

TEST(EventStore, ConcurrentAppendersGetGaplessPositionsAndReadableAcks) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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
// Commit listeners and shutdown.

TEST(EventStore, CommitListenersAreCalledWithTheCommittedPosition) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
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

TEST(EventStore, AppendAfterShutdownIsUnavailable) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(1)), IsOk());
  store->Shutdown();
  store->Shutdown();  // idempotent
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(1)),
              StatusIs(absl::StatusCode::kUnavailable, "shutting down"));
  // Reads still work.
  EXPECT_EQ(ReadEverything(*store).size(), 1u);
}

TEST(EventStore, ShutdownCommitsQueuedAppendsAndRefusesLaterOnes) {
  ScopedTempDir dir;
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  auto gate = std::make_unique<CommitterGate>(*store);
  std::vector<std::unique_ptr<Pending>> queued;
  queued.push_back(Submit(*store, "team-1", Expected::Any(), Events(1)));

  std::thread shutdown([&] { store->Shutdown(); });
  // Keep appending until the store refuses: everything queued before that
  // must still be committed by Shutdown.
  while (true) {
    auto probe = Submit(*store, "team-1", Expected::Any(), Events(1));
    if (probe->done.HasBeenNotified()) {
      ASSERT_THAT(probe->result, StatusIs(absl::StatusCode::kUnavailable));
      break;
    }
    queued.push_back(std::move(probe));
    std::this_thread::yield();
  }
  gate->Release();
  shutdown.join();

  for (size_t i = 0; i < queued.size(); ++i) {
    ASSERT_TRUE(queued[i]->done.HasBeenNotified()) << i;
    ASSERT_THAT(queued[i]->result, IsOk());
    EXPECT_EQ(queued[i]->result->first_position, i + 2);
  }
  EXPECT_EQ(store->CommittedPosition(), queued.size() + 1);
  EXPECT_EQ(ReadEverything(*store).size(), queued.size() + 1);
  EXPECT_THAT(store->Append("team-1", Expected::Any(), Events(1)),
              StatusIs(absl::StatusCode::kUnavailable));
}

// ---------------------------------------------------------------------------
// Reopening.

TEST(EventStore, AcknowledgedAppendSurvivesReopen) {
  ScopedTempDir dir;
  std::vector<std::string> ids;
  {
    auto store = MustOpen(OptionsFor(dir));
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 4; ++i) {
      std::vector<v1::Event> events = Events(2);
      for (const auto& id : IdsOf(events)) ids.push_back(id);
      ASSERT_THAT(store->Append(i % 2 == 0 ? "team-1" : "team-2", Expected::Any(), events), IsOk());
    }
  }
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedPosition(), 8u);
  EXPECT_EQ(IdsOf(ReadEverything(*store)), ids);
  EXPECT_EQ(VersionOf(*store, "team-1"), 3u);
}

TEST(EventStore, PositionsAndVersionsContinueAfterReopen) {
  ScopedTempDir dir;
  for (int session = 0; session < 3; ++session) {
    auto store = MustOpen(OptionsFor(dir));
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->CommittedPosition(), static_cast<uint64_t>(3 * session));
    const Expected expected =
        session == 0 ? Expected::NoStream() : Expected::Exact(2 * session - 1);
    IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult r, store->Append("team-1", expected, Events(2)));
    EXPECT_EQ(r.first_position, 3u * session + 1);
    EXPECT_EQ(r.last_stream_version, 2u * session + 1);
    IOMHUB_ASSERT_OK_AND_ASSIGN(r, store->Append("team-2", Expected::Any(), Events(1)));
    EXPECT_EQ(r.last_position, 3u * session + 3);
    EXPECT_EQ(r.last_stream_version, static_cast<uint64_t>(session));
  }
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), 9u);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].position(), i + 1);
}

TEST(EventStore, LastPositionIsRecoveredBeyondOneKeyByte) {
  ScopedTempDir dir;
  {
    auto store = MustOpen(OptionsFor(dir));
    ASSERT_NE(store, nullptr);
    ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(700)), IsOk());
  }
  auto store = MustOpen(OptionsFor(dir));
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedPosition(), 700u);
  IOMHUB_ASSERT_OK_AND_ASSIGN(AppendResult r,
                              store->Append("team-1", Expected::Exact(699), Events(1)));
  EXPECT_EQ(r.first_position, 701u);
  const std::vector<v1::Event> all = ReadEverything(*store);
  ASSERT_EQ(all.size(), 701u);
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i].position(), i + 1);
}

TEST(EventStore, NonDurableModeKeepsEventsAcrossACleanShutdown) {
  ScopedTempDir dir;
  EventStoreOptions options = OptionsFor(dir);
  options.sync = false;
  {
    auto store = MustOpen(options);
    ASSERT_NE(store, nullptr);
    ASSERT_THAT(store->Append("team-1", Expected::Any(), Events(3)), IsOk());
  }
  auto store = MustOpen(options);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->CommittedPosition(), 3u);
  EXPECT_EQ(ReadEverything(*store).size(), 3u);
}

TEST(EventStore, OpeningALockedDirectoryFailsWithoutCrashing) {
  ScopedTempDir dir;
  for (bool sync : {true, false}) {
    EventStoreOptions options = OptionsFor(dir);
    options.sync = sync;
    auto store = MustOpen(options);
    ASSERT_NE(store, nullptr);
    absl::StatusOr<std::unique_ptr<EventStore>> second = EventStore::Open(options);
    EXPECT_FALSE(second.ok());
    EXPECT_THAT(std::string(second.status().message()), HasSubstr(dir.path()));
  }
}

TEST(EventStore, OpenRejectsBadOptions) {
  EXPECT_THAT(EventStore::Open({.path = ""}),
              StatusIs(absl::StatusCode::kInvalidArgument, "path is empty"));
  ScopedTempDir dir;
  EventStoreOptions options = OptionsFor(dir);
  options.clock = nullptr;
  EXPECT_THAT(EventStore::Open(options), StatusIs(absl::StatusCode::kInvalidArgument, "clock"));
}

// ---------------------------------------------------------------------------
// ReadStream.

class ReadStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = MustOpen(OptionsFor(dir_));
    ASSERT_NE(store_, nullptr);
    ASSERT_THAT(store_->Append("team-0", Expected::Any(), Events(2)), IsOk());  // 1, 2
    ASSERT_THAT(store_->Append(kStream, Expected::Any(), Events(3)), IsOk());   // 3..5
    ASSERT_THAT(store_->Append("team-0", Expected::Any(), Events(1)), IsOk());  // 6
    ASSERT_THAT(store_->Append(kStream, Expected::Any(), Events(2)), IsOk());   // 7, 8
  }
  static constexpr char kStream[] = "team-1";  // versions 0..4 at positions 3,4,5,7,8
  ScopedTempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(ReadStreamTest, ForwardsReadsFromAVersionUpToTheLimit) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadStream(kStream, 1, false, 2));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(1, 2));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(4, 5));
  EXPECT_EQ(read.next, 3u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadStream(kStream, read.next, false, 10));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(3, 4));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(7, 8));
  EXPECT_EQ(read.next, 5u);
  EXPECT_TRUE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadStream(kStream, 5, false, 10));
  EXPECT_TRUE(read.events.empty());
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 5u);
}

TEST_F(ReadStreamTest, ForwardsToExactlyTheLastEventIsTheEnd) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadStream(kStream, 0, false, 5));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(0, 1, 2, 3, 4));
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 5u);
}

TEST_F(ReadStreamTest, BackwardsReadsFromTheEndDownToZero) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadStream(kStream, kFromEnd, true, 2));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(4, 3));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(8, 7));
  EXPECT_EQ(read.next, 2u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadStream(kStream, read.next, true, 10));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(2, 1, 0));
  EXPECT_EQ(read.next, 0u);
  EXPECT_TRUE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadStream(kStream, 0, true, 10));
  EXPECT_THAT(VersionsOf(read.events), ElementsAre(0));
  EXPECT_TRUE(read.end);
}

TEST_F(ReadStreamTest, ZeroMaxEventsReadsNothing) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadStream(kStream, 2, false, 0));
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(read.next, 2u);
  EXPECT_FALSE(read.end);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadStream(kStream, 2, true, 0));
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(read.next, 2u);
  EXPECT_FALSE(read.end);
}

TEST_F(ReadStreamTest, UnknownStreamIsNotFoundAndMalformedIdIsInvalid) {
  EXPECT_THAT(store_->ReadStream("team-9", 0, false, 10),
              StatusIs(absl::StatusCode::kNotFound, "team-9"));
  EXPECT_THAT(store_->ReadStream("team-9", kFromEnd, true, 10),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(store_->ReadStream("team 1", 0, false, 10),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(VersionOf(*store_, "team-9"), std::nullopt);
}

// ---------------------------------------------------------------------------
// ReadAll.

class ReadAllTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = MustOpen(OptionsFor(dir_));
    ASSERT_NE(store_, nullptr);
    // Positions 1..10; alerts at 3, 6, 9 and contacts elsewhere.
    for (int i = 1; i <= 10; ++i) {
      ASSERT_THAT(
          store_->Append("team-1", Expected::Any(), {i % 3 == 0 ? AlertEvent() : ContactEvent()}),
          IsOk());
    }
  }
  static bool IsAlert(const v1::Event& e) { return EventTypeName(e) == "AlertRaised"; }
  ScopedTempDir dir_;
  std::unique_ptr<EventStore> store_;
};

TEST_F(ReadAllTest, ReadsFromAPositionUpToTheLimit) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadAll(0, 4));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(1, 2, 3, 4));
  EXPECT_EQ(read.next, 5u);
  EXPECT_FALSE(read.end);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadAll(read.next, 100));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(5, 6, 7, 8, 9, 10));
  EXPECT_EQ(read.next, 11u);
  EXPECT_TRUE(read.end);
}

TEST_F(ReadAllTest, ReadingPastTheCommittedPositionIsAnEmptyEnd) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadAll(11, 100));
  EXPECT_TRUE(read.events.empty());
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 11u);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadAll(500, 100));
  EXPECT_TRUE(read.end);
  EXPECT_EQ(read.next, 500u);
}

TEST_F(ReadAllTest, FilterReturnsOnlyMatchesAndNextCountsEverythingExamined) {
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadAll(1, 2, SIZE_MAX, SIZE_MAX, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(3, 6));
  EXPECT_EQ(read.next, 7u);
  EXPECT_FALSE(read.end);
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadAll(read.next, 100, SIZE_MAX, SIZE_MAX, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(9));
  EXPECT_EQ(read.next, 11u);
  EXPECT_TRUE(read.end);
}

TEST_F(ReadAllTest, MaxScanReturnsEarlyWithAnAdvancedNext) {
  auto none = [](const v1::Event&) { return false; };
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadAll(1, 100, SIZE_MAX, 4, none));
  EXPECT_TRUE(read.events.empty());
  EXPECT_EQ(read.next, 5u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadAll(4, 100, SIZE_MAX, 4, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(6));
  EXPECT_EQ(read.next, 8u);
  EXPECT_FALSE(read.end);

  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadAll(8, 100, SIZE_MAX, 4, none));
  EXPECT_EQ(read.next, 11u);
  EXPECT_TRUE(read.end);
}

TEST_F(ReadAllTest, MaxBytesStopsAfterTheMatchThatReachesIt) {
  auto all = [](const v1::Event&) { return true; };
  IOMHUB_ASSERT_OK_AND_ASSIGN(ReadBatch read, store_->ReadAll(2, 100, 1, SIZE_MAX, all));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(2));
  EXPECT_EQ(read.next, 3u);
  // Filtered-out records do not count towards max_bytes.
  IOMHUB_ASSERT_OK_AND_ASSIGN(read, store_->ReadAll(1, 100, 1, SIZE_MAX, IsAlert));
  EXPECT_THAT(PositionsOf(read.events), ElementsAre(3));
  EXPECT_EQ(read.next, 4u);
}

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

}  // namespace
}  // namespace iomhub::eventstore
