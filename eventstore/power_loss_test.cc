// Durability against power loss, not only process death: the store's
// workload runs over PowerLossFs, which on a simulated power cut keeps only
// what was synced (or a random prefix beyond it: a torn write). Over many
// runs, every acknowledged event survives at its position, positions stay
// gapless, the indexes agree and the store reopens. The same workload with
// syncing turned off (sync = false, acknowledged before fsync) must lose
// acknowledged events: that variant proves the test can tell.
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/rocksdb_database.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/store_verifier.h"
#include "eventstore/test_events.h"
#include "eventstore/testing/power_loss_fs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using testing::ContactEvent;
using testing::PersonStream;
using testing::PowerLossFs;
using testing::ScopedTempDir;

struct Acked {
  std::string event_id;
  uint64_t position;
};

struct RunResult {
  size_t acknowledged = 0;
  size_t lost = 0;              // acknowledged events not found after the power cut
  uint64_t unsynced_bytes = 0;  // what the power cut threw away
};

// Appends from four writers for `duration`, cuts the power, reopens and
// checks every acknowledged event.
RunResult RunOnce(const std::string& path, bool sync, PowerLossFs::Loss loss,
                  absl::Duration duration, std::mt19937_64& random) {
  RunResult result;
  auto fs = std::make_shared<PowerLossFs>();
  std::vector<Acked> acked;
  {
    RocksDbHooks hooks{.file_system = fs, .simulate_crash_on_shutdown = true};
    absl::StatusOr<std::unique_ptr<RocksDbEventStore>> store =
        RocksDbEventStore::OpenRocksDb({.path = path, .sync = sync}, hooks);
    EXPECT_THAT(store, IsOk());
    if (!store.ok()) return result;
    absl::Mutex mu;
    std::atomic<bool> stop{false};
    std::vector<std::thread> writers;
    for (int w = 0; w < 4; ++w) {
      writers.emplace_back([&, w] {
        for (int i = 0; !stop.load(); ++i) {
          v1::Event e = ContactEvent(absl::StrCat("c-", w, "-", i));
          const std::string id = e.event_id();
          absl::StatusOr<AppendResult> r =
              (*store)->Append(PersonStream(w * 10 + i % 10), Expected::Any(), {e});
          if (!r.ok()) continue;
          absl::MutexLock lock(&mu);
          acked.push_back({id, r->last_position});
        }
      });
    }
    absl::SleepFor(duration);
    // The power goes out while the writers are busy. Every append
    // acknowledged by now had its fsync succeed, so before the cut.
    fs->Cut();
    std::vector<Acked> before_cut;
    {
      absl::MutexLock lock(&mu);
      before_cut = acked;
    }
    result.unsynced_bytes = fs->UnsyncedBytes();
    stop = true;
    for (std::thread& t : writers) t.join();
    acked = std::move(before_cut);
    // The store is not shut down cleanly (no flush, no last position mark).
  }
  fs->PowerLoss(loss, random);
  result.acknowledged = acked.size();

  absl::StatusOr<std::unique_ptr<RocksDbEventStore>> reopened =
      RocksDbEventStore::OpenRocksDb({.path = path, .sync = sync});
  EXPECT_THAT(reopened, IsOk()) << "the store must reopen after a power cut";
  if (!reopened.ok()) return result;
  for (const Acked& a : acked) {
    absl::StatusOr<std::optional<uint64_t>> at = (*reopened)->PositionOfEvent(a.event_id);
    EXPECT_THAT(at, IsOk());
    if (!at.ok() || !at->has_value() || **at != a.position) ++result.lost;
  }
  reopened->reset();
  if (sync) {
    absl::StatusOr<VerifyReport> report = VerifyDataDirectory(path, {});
    EXPECT_THAT(report, IsOk());
    if (report.ok()) {
      EXPECT_TRUE(report->ok()) << report->Summary();
    }
  }
  return result;
}

class PowerLossTest : public ::testing::TestWithParam<PowerLossFs::Loss> {};

TEST_P(PowerLossTest, EveryAcknowledgedEventSurvivesAPowerCut) {
  std::mt19937_64 random(20261206);
  size_t acknowledged = 0;
  uint64_t thrown_away = 0;
  for (int run = 0; run < 8; ++run) {
    ScopedTempDir dir;
    // The store is cut off at a different moment each run.
    const absl::Duration duration = absl::Milliseconds(40 + random() % 200);
    RunResult result = RunOnce(dir.path(), /*sync=*/true, GetParam(), duration, random);
    EXPECT_EQ(result.lost, 0u) << "run " << run << ": acknowledged events lost";
    acknowledged += result.acknowledged;
    thrown_away += result.unsynced_bytes;
    // A second life on the same directory: it keeps appending and losing
    // power the same way.
    RunResult again = RunOnce(dir.path(), /*sync=*/true, GetParam(), duration, random);
    EXPECT_EQ(again.lost, 0u) << "run " << run << " (reopened): acknowledged events lost";
    acknowledged += again.acknowledged;
    thrown_away += again.unsynced_bytes;
  }
  EXPECT_GT(acknowledged, 1000u);
  EXPECT_GT(thrown_away, 0u) << "the cuts must catch writes in flight";
  std::printf(
      "%zu acknowledged appends over 16 power cuts, all present; %llu unsynced bytes "
      "thrown away\n",
      acknowledged, static_cast<unsigned long long>(thrown_away));
}

TEST_P(PowerLossTest, WithoutSyncingAcknowledgedEventsAreLostSoTheTestCanTell) {
  std::mt19937_64 random(7);
  size_t lost = 0;
  size_t acknowledged = 0;
  for (int run = 0; run < 3; ++run) {
    ScopedTempDir dir;
    RunResult result =
        RunOnce(dir.path(), /*sync=*/false, GetParam(), absl::Milliseconds(150), random);
    EXPECT_GT(result.lost, 0u) << "run " << run << ": nothing lost without fsync?";
    lost += result.lost;
    acknowledged += result.acknowledged;
  }
  std::printf("sync off: %zu of %zu acknowledged appends lost to 3 power cuts\n", lost,
              acknowledged);
}

INSTANTIATE_TEST_SUITE_P(Losses, PowerLossTest,
                         ::testing::Values(PowerLossFs::Loss::kUnsyncedDropped,
                                           PowerLossFs::Loss::kRandomPrefixKept),
                         [](const auto& param_info) {
                           return param_info.param == PowerLossFs::Loss::kUnsyncedDropped
                                      ? std::string("UnsyncedDropped")
                                      : std::string("RandomPrefixKept");
                         });

}  // namespace
}  // namespace iomhub::eventstore
