// A full disk (data-safety issue, item 2): appends are refused with
// RESOURCE_EXHAUSTED and nothing that is not durable is acknowledged; reads
// go on; the store reports the condition, and appends resume by themselves
// once space is freed — no restart. Before the fix the hub aborted (RocksDB's
// own info log asserted after a failed write) and clients saw only
// "UNAVAILABLE: Socket closed". The disk is a FaultInjectionFs that answers
// ENOSPC (RocksDB sees the error) or reports little free space (the store's
// own guard refuses first) on request.
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"  // status_matchers.h needs its CONCAT macro
#include "common/status_matchers.h"
#include "eventstore/audit_log.h"
#include "eventstore/rocksdb_event_store.h"
#include "eventstore/scoped_temp_dir.h"
#include "eventstore/test_events.h"
#include "eventstore/testing/fault_injection_fs.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace iomhub::eventstore {
namespace {

using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;
using testing::ContactEvent;
using testing::FaultInjectionFs;
using ::testing::ElementsAre;
using testing::PersonStream;
using testing::ScopedTempDir;

class Conditions {
 public:
  void Record(StoreCondition c) {
    absl::MutexLock lock(&mu_);
    seen_.push_back(c);
  }
  std::vector<StoreCondition> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  absl::Mutex mu_;
  std::vector<StoreCondition> seen_;
};

class DiskFullTest : public ::testing::TestWithParam<FaultInjectionFs::NoSpace> {
 protected:
  EventStoreOptions Options() {
    return {.path = dir_.path(),
            .condition_observer = [this](StoreCondition c) { conditions_.Record(c); },
            .min_free_disk_bytes = 1 << 20,
            .disk_full_retry_interval = absl::ZeroDuration()};
  }
  ScopedTempDir dir_;
  std::shared_ptr<FaultInjectionFs> fs_ = std::make_shared<FaultInjectionFs>();
  Conditions conditions_;
};

TEST_P(DiskFullTest, AppendsAreRefusedWhileFullAndResumeOnceSpaceIsFreed) {
  std::vector<v1::Event> acknowledged;
  {
    auto store = RocksDbEventStore::OpenRocksDb(Options(), {.file_system = fs_});
    ASSERT_THAT(store, IsOk());
    for (int i = 0; i < 5; ++i) {
      v1::Event e = ContactEvent();
      ASSERT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {e}), IsOk());
      acknowledged.push_back(e);
    }

    fs_->SetNoSpace(GetParam());
    const v1::Event refused = ContactEvent("refused");
    EXPECT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {refused}),
                StatusIs(absl::StatusCode::kResourceExhausted, "disk is full"));
    EXPECT_THAT((*store)->Append(PersonStream(2), Expected::Any(), {ContactEvent()}),
                StatusIs(absl::StatusCode::kResourceExhausted, "nothing was written"));
    EXPECT_GT(fs_->failures(), 0);
    EXPECT_EQ((*store)->CommittedPosition(), 5u);
    // Reads go on while the disk is full.
    absl::StatusOr<ReadBatch> read = (*store)->ReadAll(1, SIZE_MAX);
    ASSERT_THAT(read, IsOk());
    EXPECT_EQ(read->events.size(), 5u);

    fs_->SetNoSpace(FaultInjectionFs::NoSpace::kOff);
    // The retry of the refused append is accepted, with the next position.
    absl::StatusOr<AppendResult> resumed =
        (*store)->Append(PersonStream(1), Expected::Any(), {refused});
    ASSERT_THAT(resumed, IsOk());
    EXPECT_EQ(resumed->first_position, 6u);
    EXPECT_FALSE(resumed->idempotent_replay);
    acknowledged.push_back(refused);
    EXPECT_THAT(conditions_.seen(), ElementsAre(StoreCondition::kWritable, StoreCondition::kDiskFull,
                                                StoreCondition::kWritable));
  }
  // Everything acknowledged is there, once, at its position.
  auto store = EventStore::Open({.path = dir_.path()});
  ASSERT_THAT(store, IsOk());
  absl::StatusOr<ReadBatch> all = (*store)->ReadAll(1, SIZE_MAX);
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->events.size(), acknowledged.size());
  for (size_t i = 0; i < acknowledged.size(); ++i) {
    EXPECT_EQ(all->events[i].event_id(), acknowledged[i].event_id());
    EXPECT_EQ(all->events[i].position(), i + 1);
  }
}

// RocksDB 7.x switches to a new WAL file on Resume only when a memtable
// holds data (facebook/rocksdb#11643, #12998), and aborts the process when
// the failed WAL writer is used again. Right after a clean reopen every
// memtable is empty: before the fix the next append after space was freed
// killed the process. Now the store stays refusing, says to restart, and a
// restart resumes with everything acknowledged.
TEST_P(DiskFullTest, WithNoWalToSwitchToTheStoreRefusesUntilRestartedAndNeverAborts) {
  {
    auto store = RocksDbEventStore::OpenRocksDb(Options(), {.file_system = fs_});
    ASSERT_THAT(store, IsOk());
    ASSERT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()}), IsOk());
  }  // a clean close flushes every memtable
  {
    auto store = RocksDbEventStore::OpenRocksDb(Options(), {.file_system = fs_});
    ASSERT_THAT(store, IsOk());
    fs_->SetNoSpace(GetParam());
    EXPECT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()}),
                StatusIs(absl::StatusCode::kResourceExhausted));
    fs_->SetNoSpace(FaultInjectionFs::NoSpace::kOff);
    for (int i = 0; i < 3; ++i) {
      absl::StatusOr<AppendResult> r =
          (*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()});
      if (r.ok()) {  // RocksDB managed to switch after all: fine too
        EXPECT_EQ(r->first_position, 2u);
        return;
      }
      EXPECT_THAT(r, StatusIs(absl::StatusCode::kInternal, "restarted"));
    }
    EXPECT_EQ(conditions_.seen().back(), StoreCondition::kFailed);
  }
  auto store = RocksDbEventStore::OpenRocksDb(Options(), {.file_system = fs_});
  ASSERT_THAT(store, IsOk());
  absl::StatusOr<AppendResult> after =
      (*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()});
  ASSERT_THAT(after, IsOk());
  EXPECT_GE(after->first_position, 2u);
  absl::StatusOr<ReadBatch> all = (*store)->ReadAll(1, SIZE_MAX);
  ASSERT_THAT(all, IsOk());
  EXPECT_EQ(all->events.front().position(), 1u);
  EXPECT_EQ(all->events.back().position(), after->first_position);
}

// The usual path: the store's own free-space guard refuses before RocksDB
// ever sees ENOSPC, and lets appends through again once space is back.
TEST(DiskFullGuard, LittleFreeSpaceRefusesAppendsBeforeRocksDbFailsAndThenResumes) {
  ScopedTempDir dir;
  auto fs = std::make_shared<FaultInjectionFs>();
  Conditions conditions;
  auto store = RocksDbEventStore::OpenRocksDb(
      {.path = dir.path(),
       .condition_observer = [&](StoreCondition c) { conditions.Record(c); },
       .min_free_disk_bytes = 64 << 20},
      {.file_system = fs});
  ASSERT_THAT(store, IsOk());
  fs->SetFreeSpace(100 << 20);
  ASSERT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()}), IsOk());
  fs->SetFreeSpace(10 << 20);
  absl::SleepFor(absl::Milliseconds(60));  // past the cached reading
  EXPECT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()}),
              StatusIs(absl::StatusCode::kResourceExhausted, "less than 67108864 bytes free"));
  EXPECT_EQ(fs->failures(), 0);  // RocksDB never saw an error
  fs->SetFreeSpace(100 << 20);
  absl::StatusOr<AppendResult> resumed =
      (*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()});
  ASSERT_THAT(resumed, IsOk());
  EXPECT_EQ(resumed->first_position, 2u);
  EXPECT_THAT(conditions.seen(), ElementsAre(StoreCondition::kWritable, StoreCondition::kDiskFull,
                                             StoreCondition::kWritable));
}

// Below the reserve appends are refused, but audit records still go in:
// reads, which must be recorded before they are sent, go on.
TEST(DiskFullGuard, AuditRecordsMayUseTheReserveAppendsMayNot) {
  ScopedTempDir dir;
  auto fs = std::make_shared<FaultInjectionFs>();
  absl::StatusOr<std::shared_ptr<RocksDbDatabase>> database =
      RocksDbDatabase::Open({.path = dir.path(), .min_free_disk_bytes = 64 << 20},
                            {.file_system = fs});
  ASSERT_THAT(database, IsOk());
  absl::StatusOr<std::unique_ptr<RocksDbEventStore>> store =
      RocksDbEventStore::OpenOver(*database);
  ASSERT_THAT(store, IsOk());
  absl::StatusOr<Ed25519Key> key = Ed25519Key::Generate();
  ASSERT_THAT(key, IsOk());
  absl::StatusOr<std::unique_ptr<AuditLog>> audit = AuditLog::OpenOver(
      *database, {.signing_key = std::make_shared<const Ed25519Key>(*key)});
  ASSERT_THAT(audit, IsOk());
  fs->SetFreeSpace(10 << 20);
  absl::SleepFor(absl::Milliseconds(60));  // past the cached reading
  EXPECT_THAT((*store)->Append(PersonStream(1), Expected::Any(), {ContactEvent()}),
              StatusIs(absl::StatusCode::kResourceExhausted));
  v1::AuditRecord record;
  record.set_operation(v1::AUDIT_OPERATION_DISCLOSE);
  EXPECT_THAT((*audit)->Append(record), IsOk());
  EXPECT_EQ((*audit)->HeadSequence(), 1u);
  EXPECT_EQ((*database)->condition(), StoreCondition::kDiskFull);  // appends stay refused
  (*audit)->Close();
}

INSTANTIATE_TEST_SUITE_P(WritesOrSyncsFail, DiskFullTest,
                         ::testing::Values(FaultInjectionFs::NoSpace::kWrites,
                                           FaultInjectionFs::NoSpace::kSyncs),
                         [](const auto& param_info) {
                           return param_info.param == FaultInjectionFs::NoSpace::kWrites ? "Writes"
                                                                                   : "Syncs";
                         });

}  // namespace
}  // namespace iomhub::eventstore
