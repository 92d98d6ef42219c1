// What Open does with a log that lost or damaged acknowledged events behind
// the store's back (data-safety issue, item 1): it refuses with DATA_LOSS
// naming what is wrong and what to do, unless the operator explicitly
// accepts the loss, and then no acknowledged position is ever reused. Each
// test leaves the store as a crash would (hooks.simulate_crash_on_shutdown:
// the WAL holds the events), damages its files, and reopens it.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/position_marker.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/test_events.h"
#include "eventstore/wal_check.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using testing::ContactEvent;
using ::testing::HasSubstr;
using testing::PersonStream;
using testing::ScopedTempDir;

RocksDbHooks Crash() { return {.simulate_crash_on_shutdown = true}; }

std::vector<std::string> Files(const std::string& dir, const std::string& extension) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() == extension) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Appends `n` one-event appends, each acknowledged, and "crashes". Returns
// the events as stored. `mark_interval` is how often the durable position is
// recorded (long: the marker stays where Open left it).
std::vector<v1::Event> AppendAndCrash(const std::string& path, int n,
                                      absl::Duration mark_interval = absl::Hours(1)) {
  std::vector<v1::Event> sent;
  auto store = RocksDbEventStore::OpenRocksDb(
      {.path = path, .acknowledged_mark_interval = mark_interval}, Crash());
  EXPECT_THAT(store, IsOk());
  if (!store.ok()) return sent;
  for (int i = 0; i < n; ++i) {
    v1::Event e = ContactEvent(absl::StrCat("contact-", i));
    e.mutable_contact_scheduled()->set_source_system_ref(std::string(200, 'r'));
    EXPECT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {e}), IsOk());
    sent.push_back(e);
  }
  if (mark_interval < absl::Hours(1)) {  // wait until the marker caught up
    const absl::Time deadline = absl::Now() + absl::Seconds(10);
    while (absl::Now() < deadline) {
      auto marks = PositionMarker::Read(rocksdb::FileSystem::Default().get(), path);
      if (marks.ok() && marks->has_value() && (*marks)->acknowledged_through == uint64_t(n)) break;
      absl::SleepFor(absl::Milliseconds(5));
    }
  }
  return sent;
}

uint64_t CountEvents(EventStore& store) {
  absl::StatusOr<ReadBatch> all = store.ReadAll(1, SIZE_MAX);
  EXPECT_THAT(all, IsOk());
  return all.ok() ? all->events.size() : 0;
}

// Regression (data-safety issue, item 1): with one byte flipped in the
// middle of the WAL the store opened without a word, with half the
// acknowledged events gone, and gave their positions to new events.
TEST(Recovery, DamagedWalRefusesToOpenNamingTheFileAndOffset) {
  ScopedTempDir dir;
  AppendAndCrash(dir.path(), 300);
  const std::vector<std::string> logs = Files(dir.path(), ".log");
  ASSERT_EQ(logs.size(), 1u);
  std::string wal = ReadBytes(logs[0]);
  wal[wal.size() / 2] ^= 0x01;
  WriteBytes(logs[0], wal);

  absl::StatusOr<std::optional<WalDamage>> damage = FindWalDamage(dir.path());
  ASSERT_THAT(damage, IsOk());
  ASSERT_TRUE(damage->has_value());
  EXPECT_EQ((*damage)->file, logs[0]);
  EXPECT_LE((*damage)->offset, wal.size() / 2);

  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open({.path = dir.path()});
  ASSERT_THAT(reopened, StatusIs(absl::StatusCode::kDataLoss));
  const std::string message(reopened.status().message());
  EXPECT_THAT(message, HasSubstr(logs[0]));
  EXPECT_THAT(message, HasSubstr(absl::StrCat("byte offset ", (*damage)->offset)));
  EXPECT_THAT(message, HasSubstr("restore the data directory from a backup"));
  EXPECT_THAT(message, HasSubstr("--recover_wal=point_in_time"));
  // Refusing changed nothing: it refuses again.
  EXPECT_THAT(EventStore::Open({.path = dir.path()}), StatusIs(absl::StatusCode::kDataLoss));
}

TEST(Recovery, AcceptedPointInTimeRecoveryNeverReusesAnAcknowledgedPosition) {
  ScopedTempDir dir;
  const std::vector<v1::Event> sent = AppendAndCrash(dir.path(), 300);
  const std::string log = Files(dir.path(), ".log").at(0);
  std::string wal = ReadBytes(log);
  wal[wal.size() / 2] ^= 0x01;
  WriteBytes(log, wal);

  uint64_t kept = 0;
  {
    auto store = EventStore::Open({.path = dir.path(), .wal_recovery = WalRecovery::kPointInTime});
    ASSERT_THAT(store, IsOk());
    kept = CountEvents(**store);
    EXPECT_GT(kept, 0u);
    EXPECT_LT(kept, 300u);
    // Whatever was lost, no new event takes an acknowledged position.
    absl::StatusOr<AppendResult> next =
        (*store)->Append(PersonStream(2), Expected::Any(), {ContactEvent("after")});
    ASSERT_THAT(next, IsOk());
    EXPECT_GT(next->first_position, 300u);
    // A partner re-sending a lost event stores it again (the loss was accepted).
    absl::StatusOr<AppendResult> resent =
        (*store)->Append(PersonStream(1), Expected::Any(), {sent[299]});
    ASSERT_THAT(resent, IsOk());
    EXPECT_FALSE(resent->idempotent_replay);
    EXPECT_GT(resent->first_position, next->first_position);
    // Reads pass over the lost positions without calling them a gap.
    absl::StatusOr<ReadBatch> all = (*store)->ReadAll(1, SIZE_MAX);
    ASSERT_THAT(all, IsOk());
    ASSERT_EQ(all->events.size(), kept + 2);
    EXPECT_EQ(all->events[kept - 1].position(), kept);
    EXPECT_EQ(all->events[kept].position(), next->first_position);
    absl::StatusOr<ReadBatch> from_lost = (*store)->ReadAll(kept + 1, SIZE_MAX);
    ASSERT_THAT(from_lost, IsOk());
    ASSERT_EQ(from_lost->events.size(), 2u);
    EXPECT_EQ(from_lost->events[0].position(), next->first_position);
  }
  // The lost range is durable: a plain reopen continues above it.
  auto store = EventStore::Open({.path = dir.path()});
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ(CountEvents(**store), kept + 2);
  absl::StatusOr<AppendResult> later =
      (*store)->Append(PersonStream(2), Expected::Any(), {ContactEvent("later")});
  ASSERT_THAT(later, IsOk());
  EXPECT_GT(later->first_position, 300u);
}

TEST(Recovery, TornFinalWriteIsDroppedQuietly) {
  ScopedTempDir dir;
  AppendAndCrash(dir.path(), 50);
  const std::string log = Files(dir.path(), ".log").at(0);
  std::filesystem::resize_file(log, std::filesystem::file_size(log) - 10);
  auto store = EventStore::Open({.path = dir.path()});
  ASSERT_THAT(store, IsOk());
  EXPECT_EQ(CountEvents(**store), 49u);
  EXPECT_EQ((*store)->CommittedPosition(), 49u);
}

TEST(Recovery, LogEndingBeforeAnAcknowledgedPositionRefusesToOpen) {
  ScopedTempDir dir;
  AppendAndCrash(dir.path(), 40, /*mark_interval=*/absl::Milliseconds(5));
  for (const std::string& log : Files(dir.path(), ".log")) std::filesystem::remove(log);
  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open({.path = dir.path()});
  ASSERT_THAT(reopened, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(reopened.status().message()),
              AllOf(HasSubstr("ends at position 0 but position 40 was acknowledged"),
                    HasSubstr(kPositionMarkerFile), HasSubstr("from a backup")));

  // Accepting the loss continues above every acknowledged position.
  auto store = EventStore::Open({.path = dir.path(), .wal_recovery = WalRecovery::kPointInTime});
  ASSERT_THAT(store, IsOk());
  absl::StatusOr<AppendResult> next =
      (*store)->Append(PersonStream(2), Expected::Any(), {ContactEvent("after")});
  ASSERT_THAT(next, IsOk());
  EXPECT_GT(next->first_position, 40u);
}

TEST(Recovery, DeletedTableFileRefusesToOpenWithDataLoss) {
  ScopedTempDir dir;
  {
    auto store = EventStore::Open({.path = dir.path()});
    ASSERT_THAT(store, IsOk());
    for (int i = 0; i < 20; ++i) {
      ASSERT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()}), IsOk());
    }
  }  // a clean close flushes every family to .sst files
  const std::vector<std::string> tables = Files(dir.path(), ".sst");
  ASSERT_FALSE(tables.empty());
  std::filesystem::remove(tables[0]);
  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open({.path = dir.path()});
  ASSERT_THAT(reopened, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(reopened.status().message()),
              AllOf(HasSubstr(std::filesystem::path(tables[0]).stem().string()),
                    HasSubstr("Restore the data directory from a backup")));
}

TEST(Recovery, DamagedManifestRefusesToOpenWithDataLoss) {
  ScopedTempDir dir;
  AppendAndCrash(dir.path(), 20);
  std::string manifest;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("MANIFEST-", 0) == 0) manifest = entry.path();
  }
  ASSERT_FALSE(manifest.empty());
  std::string bytes = ReadBytes(manifest);
  bytes[bytes.size() / 2] ^= 0x01;
  WriteBytes(manifest, bytes);
  absl::StatusOr<std::unique_ptr<EventStore>> reopened = EventStore::Open({.path = dir.path()});
  ASSERT_THAT(reopened, StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(std::string(reopened.status().message()),
              AllOf(HasSubstr("MANIFEST"), HasSubstr("Restore the data directory from a backup")));
  // Accepting WAL loss does not paper over a damaged MANIFEST.
  EXPECT_THAT(EventStore::Open({.path = dir.path(), .wal_recovery = WalRecovery::kPointInTime}),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(Recovery, DamagedPositionMarkerIsDataLoss) {
  ScopedTempDir dir;
  { ASSERT_THAT(EventStore::Open({.path = dir.path()}), IsOk()); }
  const std::string marker = absl::StrCat(dir.path(), "/", kPositionMarkerFile);
  std::string bytes = ReadBytes(marker);
  ASSERT_EQ(bytes.size(), 28u);
  bytes[12] ^= 0x01;
  WriteBytes(marker, bytes);
  EXPECT_THAT(EventStore::Open({.path = dir.path()}),
              StatusIs(absl::StatusCode::kDataLoss, "IOMHUB-POSITIONS is damaged"));
}

TEST(WalCheck, CleanLogHasNoDamageAndATornTailIsNotDamage) {
  ScopedTempDir dir;
  AppendAndCrash(dir.path(), 20);
  const std::string log = Files(dir.path(), ".log").at(0);
  EXPECT_THAT(FindWalDamage(dir.path()), IsOk());
  EXPECT_FALSE(FindWalDamage(dir.path())->has_value());
  const std::string bytes = ReadBytes(log);
  for (size_t cut : {size_t{1}, size_t{5}, size_t{50}}) {
    EXPECT_FALSE(FindWalDamageInBytes(bytes.substr(0, bytes.size() - cut), log).has_value())
        << cut;
  }
  std::string flipped = bytes;
  flipped[20] ^= 0x10;
  std::optional<WalDamage> damage = FindWalDamageInBytes(flipped, log);
  ASSERT_TRUE(damage.has_value());
  EXPECT_EQ(damage->offset, 0u);
  EXPECT_EQ(damage->reason, "checksum mismatch");
}

}  // namespace
}  // namespace iomhub::eventstore
