// RocksDbDatabase: the one RocksDB instance under a data directory, shared by
// the event log (RocksDbEventStore) and the view store (RocksDbViewStore),
// and the one path by which either writes to it. Internal to eventstore/.
//
// Opening: refuses a write-ahead log damaged before its end (DATA_LOSS
// naming file and offset) unless options.wal_recovery accepts the loss
// (wal_check.h, FORMAT.md "Recovery on open").
//
// Writing: every write goes through Write(), which keeps the store's
// condition (options.h StoreCondition):
//   - Before writing it checks free space (at most every 50 ms, or every
//     write when space is short): below options.min_free_disk_bytes it
//     refuses with RESOURCE_EXHAUSTED without touching RocksDB, so a full
//     disk normally never reaches RocksDB's write-ahead log.
//   - If RocksDB itself reports no space, writes are refused until
//     space returns and DB::Resume has switched to a new WAL file. RocksDB
//     aborts the process when a WAL writer that saw an error is used again,
//     so when Resume cannot switch (facebook/rocksdb#11643) the database
//     stays refusing writes (kFailed: restart the hub), never writes.
//   - Any other write error: kFailed, every later write refused.
//
// Thread safety: all methods may be called concurrently; writes in the
// normal condition run concurrently (RocksDB groups them).
#ifndef IOMHUB_EVENTSTORE_ROCKSDB_DATABASE_H_
#define IOMHUB_EVENTSTORE_ROCKSDB_DATABASE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/options.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace iomhub::eventstore {

// What only eventstore/ code (and its tests) may give the embedded store.
struct RocksDbHooks {
  // The file system RocksDB and the position marker use, e.g. one that
  // injects ENOSPC in tests. Default: the OS's.
  std::shared_ptr<rocksdb::FileSystem> file_system = nullptr;
  // Closing leaves the disk as a crash would: memtables unflushed (the WAL
  // is replayed on open) and IOMHUB-POSITIONS not brought up to date.
  bool simulate_crash_on_shutdown = false;
};

// The column families, in the order they are opened.
enum class Family { kDefault = 0, kEvents, kStreams, kHeads, kIds, kViews, kCheckpoints, kAudit };

// Positions [first, last] lost in an accepted point-in-time recovery
// (FORMAT.md "Accepted loss"): never given to an event, passed over by reads.
struct LostRange {
  uint64_t first;
  uint64_t last;
};

class RocksDbDatabase;

// The lost-positions records of the `default` family, sorted by first, as
// `read` sees them. DATA_LOSS when one is malformed.
absl::StatusOr<std::vector<LostRange>> ReadLostRanges(RocksDbDatabase& database,
                                                      const rocksdb::ReadOptions& read = {});

class RocksDbDatabase {
 public:
  static absl::StatusOr<std::shared_ptr<RocksDbDatabase>> Open(const EventStoreOptions& options,
                                                               RocksDbHooks hooks = {});
  // Opens an existing database without changing a byte of it (RocksDB's
  // read-only mode: the WAL is replayed in memory), for verifying a stopped
  // hub's data directory or a backup. Every Write is FAILED_PRECONDITION.
  // NOT_FOUND when options.path holds no database.
  static absl::StatusOr<std::shared_ptr<RocksDbDatabase>> OpenReadOnly(
      const EventStoreOptions& options);
  // Flushes every family (unless simulating a crash, or a write failed) and
  // closes. REQUIRES: no other thread uses the database.
  ~RocksDbDatabase();

  rocksdb::DB* db() const { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Family family) const {
    return handles_[static_cast<size_t>(family)];
  }
  rocksdb::FileSystem* fs() const { return fs_; }
  const EventStoreOptions& options() const { return options_; }
  const RocksDbHooks& hooks() const { return hooks_; }
  // Open used point-in-time recovery (options.wal_recovery accepted a loss).
  bool recovered_with_loss() const { return recovered_with_loss_; }
  bool read_only() const { return read_only_; }

  // Whether a write may use the free-space reserve (min_free_disk_bytes):
  // audit records may, so reads go on (and are recorded) while appends are
  // refused for want of space.
  enum class Reserve { kKeep, kMayUse };

  // Writes `batch` (fsynced first when `sync`). RESOURCE_EXHAUSTED when the
  // disk is full (nothing written); INTERNAL after a failed write that left
  // the database refusing writes; OK once written.
  absl::Status Write(rocksdb::WriteBatch* batch, bool sync, Reserve reserve = Reserve::kKeep);

  StoreCondition condition();

  // Flushes every memtable (best effort), so the next open replays no WAL.
  void FlushAll();

 private:
  RocksDbDatabase(const EventStoreOptions& options, RocksDbHooks hooks);
  absl::Status OpenDb();
  // Free space is short: below options_.min_free_disk_bytes. Asks the file
  // system at most every 50 ms while space is plentiful, every call when
  // `fresh` or while it is short.
  bool LowOnSpace(bool fresh = false);
  // Slow path of Write: decides, under the exclusive lock, whether to write.
  absl::Status WriteCarefully(rocksdb::WriteBatch* batch, bool sync, Reserve reserve);
  absl::Status RecordWriteFailure(const rocksdb::Status& s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool TryResume() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void SetConditionLocked(StoreCondition c) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  uint64_t CurrentWalNumber();

  const EventStoreOptions options_;
  const RocksDbHooks hooks_;
  std::unique_ptr<rocksdb::Env> env_;  // wraps hooks_.file_system; null for the default
  rocksdb::FileSystem* fs_ = nullptr;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; closed in dtor
  bool recovered_with_loss_ = false;
  bool read_only_ = false;

  absl::Mutex mu_;
  std::optional<StoreCondition> condition_ ABSL_GUARDED_BY(mu_);  // last reported
  bool rocksdb_no_space_ ABSL_GUARDED_BY(mu_) = false;  // RocksDB refused a write: no space
  absl::Status failure_ ABSL_GUARDED_BY(mu_);           // once set, every write fails with it
  uint64_t failed_wal_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_resume_attempt_ ABSL_GUARDED_BY(mu_);
  // Set by the event listener when a WAL write failed: that WAL file's
  // writer must never be used again.
  std::shared_ptr<std::atomic<bool>> wal_write_failed_ = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int64_t> space_checked_at_ns_{0};
  std::atomic<bool> low_on_space_{false};
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_ROCKSDB_DATABASE_H_
