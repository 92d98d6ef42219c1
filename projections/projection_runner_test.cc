// The projection runner over the real storage (RocksDB in a temp dir):
// catch-up and follow, resume from the checkpoint, rebuild ≡ incremental,
// shadow rebuild while serving, a poisoned event stops the view visibly,
// read-your-writes through the view's watermark.
#include "projections/projection_runner.h"

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/storage.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/case_view_projection.h"
#include "projections/cohort_view.h"
#include "projections/identifier_index.h"
#include "projections/person_state.h"
#include "projections/testing/synthetic_log.h"

namespace iomhub::projections {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using ::testing::HasSubstr;

using TempDir = ::iomhub::eventstore::testing::ScopedTempDir;

eventstore::Storage Open(const TempDir& dir) {
  absl::StatusOr<eventstore::Storage> storage =
      eventstore::OpenStorage({.path = dir.path(), .sync = false, .min_free_disk_bytes = 0});
  EXPECT_THAT(storage, IsOk());
  return std::move(storage).value();
}

void AppendAll(eventstore::EventStore& log, const std::vector<testing::SyntheticAppend>& appends) {
  for (const auto& a : appends) {
    ASSERT_THAT(log.Append(a.stream, eventstore::Expected::Any(), {a.event}), IsOk());
  }
}

std::unique_ptr<ProjectionRunner> NewRunner(eventstore::Storage& storage,
                                            size_t batch_events = 200) {
  auto runner = std::make_unique<ProjectionRunner>(
      storage.log.get(), storage.views.get(),
      ProjectionRunner::Options{.batch_events = batch_events,
                                .idle_wait = absl::Milliseconds(20),
                                .drop_grace = absl::Milliseconds(50)});
  runner->Add(std::make_unique<CaseViewProjection>());
  runner->Add(std::make_unique<CohortViewProjection>());
  runner->Add(std::make_unique<IdentifierIndexProjection>());
  return runner;
}

// Waits until `name` reflects `position`.
void WaitFor(ProjectionRunner& runner, absl::string_view name, uint64_t position) {
  absl::StatusOr<eventstore::CommitWatermark*> watermark = runner.Watermark(name);
  ASSERT_THAT(watermark, IsOk());
  ASSERT_TRUE((*watermark)->WaitFor(position, absl::Now() + absl::Seconds(30)))
      << name << " stuck at " << (*watermark)->position();
}

void WaitForAll(ProjectionRunner& runner, uint64_t position) {
  for (const char* name : {kCaseView, kCohortView, kIdentifierIndex}) {
    WaitFor(runner, name, position);
  }
}

TEST(ProjectionRunner, CatchesUpWithTheLogAndFollowsIt) {
  TempDir dir;
  eventstore::Storage storage = Open(dir);
  const auto log = testing::SyntheticLog(/*people=*/20, /*events=*/600, /*seed=*/1);
  AppendAll(*storage.log, std::vector(log.begin(), log.begin() + 400));
  auto runner = NewRunner(storage);
  ASSERT_THAT(runner->Start(), IsOk());
  WaitForAll(*runner, 400);
  AppendAll(*storage.log, std::vector(log.begin() + 400, log.end()));
  WaitForAll(*runner, 600);
  absl::StatusOr<ViewStatus> status = runner->Status(kCaseView);
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->state, ViewStatus::State::kLive);
  EXPECT_EQ(status->checkpoint, 600u);

  // Each person's stored state is the fold of their stream.
  absl::StatusOr<std::string> view = runner->PhysicalView(kCaseView);
  ASSERT_THAT(view, IsOk());
  const std::string person = PersonIdOf(log[0].stream);
  absl::StatusOr<v1::PersonState> state = ReadPersonState(*storage.views, *view, person);
  ASSERT_THAT(state, IsOk());
  absl::StatusOr<eventstore::ReadBatch> stream =
      storage.log->ReadStream(log[0].stream, 0, false, SIZE_MAX);
  ASSERT_THAT(stream, IsOk());
  absl::StatusOr<v1::PersonState> folded = FoldPersonState(stream->events);
  ASSERT_THAT(folded, IsOk());
  EXPECT_EQ(state->SerializeAsString(), folded->SerializeAsString());
  EXPECT_EQ(state->events_folded(), stream->events.size());
}

TEST(ProjectionRunner, ARebuildIsByteIdenticalToTheIncrementalRunIncludingAfterAStopMidway) {
  TempDir dir;
  eventstore::Storage storage = Open(dir);
  const auto log = testing::SyntheticLog(/*people=*/50, /*events=*/3000, /*seed=*/7);
  AppendAll(*storage.log, std::vector(log.begin(), log.begin() + 1500));
  {
    // The incremental run is stopped partway (like a crash between batches:
    // state and checkpoint are only ever committed together).
    auto runner = NewRunner(storage, /*batch_events=*/97);
    ASSERT_THAT(runner->Start(), IsOk());
    WaitFor(*runner, kCaseView, 700);
    runner->Stop();
  }
  AppendAll(*storage.log, std::vector(log.begin() + 1500, log.end()));
  auto runner = NewRunner(storage, /*batch_events=*/97);
  ASSERT_THAT(runner->Start(), IsOk());
  WaitForAll(*runner, 3000);
  std::vector<std::string> incremental;
  for (const char* name : {kCaseView, kCohortView, kIdentifierIndex}) {
    absl::StatusOr<std::string> digest = runner->Digest(name);
    ASSERT_THAT(digest, IsOk());
    incremental.push_back(*digest);
  }
  for (const char* name : {kCaseView, kCohortView, kIdentifierIndex}) {
    ASSERT_THAT(runner->Rebuild(name), IsOk());
  }
  for (const char* name : {kCaseView, kCohortView, kIdentifierIndex}) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (absl::Now() < deadline) {
      absl::StatusOr<ViewStatus> s = runner->Status(name);
      ASSERT_THAT(s, IsOk());
      if (!s->rebuilding && s->generation == 2) break;
      absl::SleepFor(absl::Milliseconds(10));
    }
    absl::StatusOr<ViewStatus> s = runner->Status(name);
    ASSERT_THAT(s, IsOk());
    EXPECT_EQ(s->generation, 2u) << name << ": " << s->last_rebuild;
    EXPECT_THAT(s->last_rebuild, HasSubstr("swapped in at position 3000"));
  }
  int i = 0;
  for (const char* name : {kCaseView, kCohortView, kIdentifierIndex}) {
    absl::StatusOr<std::string> digest = runner->Digest(name);
    ASSERT_THAT(digest, IsOk());
    EXPECT_EQ(*digest, incremental[i++]) << name;
  }
}

// A new view over a long log folds each person's stream whole, in several
// passes (each holding only some people): the result must be the same bytes
// as folding event by event.
TEST(ProjectionRunner, FoldingStreamsWholeInPassesEqualsFoldingEventByEvent) {
  const auto log = testing::SyntheticLog(/*people=*/60, /*events=*/3000, /*seed=*/21);
  std::vector<std::string> digests[2];
  for (bool bulk : {true, false}) {
    TempDir dir;
    eventstore::Storage storage = Open(dir);
    AppendAll(*storage.log, log);
    ProjectionRunner runner(storage.log.get(), storage.views.get(),
                            {.batch_events = 113,
                             .idle_wait = absl::Milliseconds(20),
                             .bulk_events_per_pass = 400,  // 8 passes
                             .bulk_fold = bulk});
    runner.Add(std::make_unique<CaseViewProjection>());
    runner.Add(std::make_unique<CohortViewProjection>());
    ASSERT_THAT(runner.Start(), IsOk());
    for (const char* name : {kCaseView, kCohortView}) {
      WaitFor(runner, name, 3000);
      digests[bulk ? 0 : 1].push_back(*runner.Digest(name));
    }
    // Appends after the fold go on event by event.
    const auto more = testing::SyntheticLog(60, 3200, 21);
    AppendAll(*storage.log, std::vector(more.begin() + 3000, more.end()));
    for (const char* name : {kCaseView, kCohortView}) {
      WaitFor(runner, name, 3200);
      digests[bulk ? 0 : 1].push_back(*runner.Digest(name));
    }
  }
  EXPECT_EQ(digests[0], digests[1]);
}

TEST(ProjectionRunner, ViewsResumeFromTheirCheckpointAfterReopen) {
  TempDir dir;
  const auto log = testing::SyntheticLog(20, 400, 3);
  {
    eventstore::Storage storage = Open(dir);
    AppendAll(*storage.log, std::vector(log.begin(), log.begin() + 200));
    auto runner = NewRunner(storage);
    ASSERT_THAT(runner->Start(), IsOk());
    WaitForAll(*runner, 200);
  }
  eventstore::Storage storage = Open(dir);
  AppendAll(*storage.log, std::vector(log.begin() + 200, log.end()));
  auto runner = NewRunner(storage);
  ASSERT_THAT(runner->Start(), IsOk());
  absl::StatusOr<ViewStatus> before = runner->Status(kCaseView);
  ASSERT_THAT(before, IsOk());
  EXPECT_GE(before->checkpoint, 200u);  // not from 0
  WaitForAll(*runner, 400);
  // Equal to a fresh build over the whole log.
  TempDir fresh_dir;
  eventstore::Storage fresh = Open(fresh_dir);
  AppendAll(*fresh.log, log);
  auto fresh_runner = NewRunner(fresh);
  ASSERT_THAT(fresh_runner->Start(), IsOk());
  WaitForAll(*fresh_runner, 400);
  for (const char* name : {kCaseView, kCohortView, kIdentifierIndex}) {
    EXPECT_EQ(*runner->Digest(name), *fresh_runner->Digest(name)) << name;
  }
}

TEST(ProjectionRunner, AShadowRebuildLeavesTheLiveViewServing) {
  TempDir dir;
  eventstore::Storage storage = Open(dir);
  const auto log = testing::SyntheticLog(30, 4000, 11);
  AppendAll(*storage.log, log);
  auto runner = NewRunner(storage, /*batch_events=*/50);
  ASSERT_THAT(runner->Start(), IsOk());
  WaitForAll(*runner, 4000);
  const std::string person = PersonIdOf(log[0].stream);
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, misses{0};
  std::thread reader([&] {
    while (!done.load()) {
      absl::StatusOr<std::string> view = runner->PhysicalView(kCaseView);
      if (!view.ok() || !ReadPersonState(*storage.views, *view, person).ok()) ++misses;
      ++reads;
    }
  });
  ASSERT_THAT(runner->Rebuild(kCaseView), IsOk());
  EXPECT_THAT(runner->Rebuild(kCaseView),
              StatusIs(absl::StatusCode::kFailedPrecondition, "already being rebuilt"));
  // Appends go on during the rebuild and are in the swapped-in copy.
  const auto more = testing::SyntheticLog(30, 4300, 11);
  AppendAll(*storage.log, std::vector(more.begin() + 4000, more.end()));
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline && runner->Status(kCaseView)->generation != 2) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  done.store(true);
  reader.join();
  EXPECT_EQ(runner->Status(kCaseView)->generation, 2u);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(misses.load(), 0);
  WaitFor(*runner, kCaseView, 4300);
  TempDir fresh_dir;
  eventstore::Storage fresh = Open(fresh_dir);
  AppendAll(*fresh.log, more);
  auto fresh_runner = NewRunner(fresh);
  ASSERT_THAT(fresh_runner->Start(), IsOk());
  WaitForAll(*fresh_runner, 4300);
  EXPECT_EQ(*runner->Digest(kCaseView), *fresh_runner->Digest(kCaseView));
}

// Fails on any event whose contact id is "poison".
class PoisonedProjection final : public Projection {
 public:
  absl::string_view name() const override { return "poisoned"; }
  absl::Status Apply(const v1::Event& event, ViewTxn& txn) const override {
    if (event.has_contact_scheduled() && event.contact_scheduled().contact_id() == "poison") {
      return absl::InternalError("cannot make sense of a poisoned contact");
    }
    txn.Put(absl::StrCat("seen/", event.position()), "");
    return absl::OkStatus();
  }
};

TEST(ProjectionRunner, APoisonedEventStopsTheViewVisiblyAtItsPositionAndIsNeverSkipped) {
  TempDir dir;
  eventstore::Storage storage = Open(dir);
  const auto log = testing::SyntheticLog(5, 60, 5);
  AppendAll(*storage.log, std::vector(log.begin(), log.begin() + 30));
  v1::Event poison = log[30].event;
  poison.clear_payload();
  poison.mutable_contact_scheduled()->set_contact_id("poison");
  ASSERT_THAT(storage.log->Append(log[30].stream, eventstore::Expected::Any(), {poison}), IsOk());
  AppendAll(*storage.log, std::vector(log.begin() + 31, log.end()));

  std::vector<ViewStatus> reported;
  absl::Mutex mu;
  ProjectionRunner runner(storage.log.get(), storage.views.get(),
                          {.batch_events = 7,
                           .idle_wait = absl::Milliseconds(20),
                           .observer = [&](const ViewStatus& s) {
                             absl::MutexLock lock(&mu);
                             reported.push_back(s);
                           }});
  runner.Add(std::make_unique<PoisonedProjection>());
  ASSERT_THAT(runner.Start(), IsOk());
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline && runner.Status("poisoned")->state != ViewStatus::State::kFailed) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  absl::StatusOr<ViewStatus> status = runner.Status("poisoned");
  ASSERT_THAT(status, IsOk());
  EXPECT_EQ(status->state, ViewStatus::State::kFailed);
  EXPECT_EQ(status->failed_position, 31u);
  EXPECT_THAT(status->failure, HasSubstr("poisoned contact"));
  EXPECT_EQ(status->checkpoint, 30u);  // everything before it, nothing after
  absl::SleepFor(absl::Milliseconds(100));
  EXPECT_EQ(runner.Status("poisoned")->checkpoint, 30u);
  absl::StatusOr<std::string> view = runner.PhysicalView("poisoned");
  ASSERT_THAT(view, IsOk());
  int seen = 0;
  ASSERT_THAT(storage.views->Scan(*view, "seen/", [&](absl::string_view, absl::string_view) {
    ++seen;
    return true;
  }),
              IsOk());
  EXPECT_EQ(seen, 30);
  absl::MutexLock lock(&mu);
  ASSERT_FALSE(reported.empty());
  EXPECT_EQ(reported.back().state, ViewStatus::State::kFailed);
}

TEST(ProjectionRunner, AViewsWatermarkTellsWhenItReflectsAnAppend) {
  TempDir dir;
  eventstore::Storage storage = Open(dir);
  auto runner = NewRunner(storage);
  ASSERT_THAT(runner->Start(), IsOk());
  const auto log = testing::SyntheticLog(3, 10, 9);
  for (const auto& a : log) {
    absl::StatusOr<eventstore::AppendResult> appended =
        storage.log->Append(a.stream, eventstore::Expected::Any(), {a.event});
    ASSERT_THAT(appended, IsOk());
    absl::StatusOr<eventstore::CommitWatermark*> watermark = runner->Watermark(kCaseView);
    ASSERT_THAT(watermark, IsOk());
    ASSERT_TRUE((*watermark)->WaitFor(appended->last_position, absl::Now() + absl::Seconds(10)));
    absl::StatusOr<v1::PersonState> state =
        ReadPersonState(*storage.views, *runner->PhysicalView(kCaseView), PersonIdOf(a.stream));
    ASSERT_THAT(state, IsOk());
    EXPECT_EQ(state->last_position(), appended->last_position);
  }
  EXPECT_THAT(runner->Watermark("no_such_view"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace iomhub::projections
