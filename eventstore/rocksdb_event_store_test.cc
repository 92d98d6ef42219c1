// What only the embedded RocksDB store does, beyond the EventStore contract
// (which event_store_contract_test.cc checks against every implementation):
// group commit (several appends staged into one WriteBatch, the bounded
// commit queue, the commit observer), Shutdown draining the queue, reopening
// a directory (durability, positions and idempotency continuing), and
// opening itself. Each test works in its own fresh directory.
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
#include "eventstore/event_store_test_helpers.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/test_events.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using testing::ContactEvent;
using testing::Events;
using testing::IdsOf;
using testing::Pending;
using testing::PersonStream;
using testing::PositionsOf;
using testing::ReadEverything;
using testing::ScopedTempDir;
using testing::Submit;
using testing::VersionOf;
using testing::VersionsOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

EventStoreOptions OptionsFor(const ScopedTempDir& dir) { return {.path = dir.path()}; }

std::unique_ptr<EventStore> MustOpen(const EventStoreOptions& options) {
  absl::StatusOr<std::unique_ptr<EventStore>> store = EventStore::Open(options);
  EXPECT_THAT(store, IsOk());
  return store.ok() ? std::move(store).value() : nullptr;
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
// The commit queue.

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

// ---------------------------------------------------------------------------
// Shutdown drains the queue.

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

}  // namespace
}  // namespace iomhub::eventstore
