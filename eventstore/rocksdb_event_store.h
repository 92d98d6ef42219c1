// RocksDbEventStore: the embedded EventStore. Layout in FORMAT.md.
//
// One committer thread drains the GroupCommitQueue, checks each append
// against the stored heads and ids (plus what the same batch already
// staged), writes the whole batch as one WriteBatch with sync, then updates
// the committed position, runs the append callbacks and the commit
// listeners. Reads go straight to RocksDB, bounded by the committed position.
// A marker thread records the durable position in IOMHUB-POSITIONS about once
// a second (position_marker.h).
#ifndef IOMHUB_EVENTSTORE_ROCKSDB_EVENT_STORE_H_
#define IOMHUB_EVENTSTORE_ROCKSDB_EVENT_STORE_H_

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "eventstore/event_store.h"
#include "eventstore/group_commit.h"
#include "eventstore/position_marker.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace iomhub::eventstore {

// What only eventstore/ code (and its tests) may give the embedded store.
struct RocksDbHooks {
  // The file system RocksDB and the position marker use, e.g. one that
  // injects ENOSPC or drops unsynced writes in tests. Default: the OS's.
  std::shared_ptr<rocksdb::FileSystem> file_system = nullptr;
  // Shutdown leaves the disk as a crash would: memtables unflushed (the WAL
  // is replayed on open) and IOMHUB-POSITIONS not brought up to date.
  bool simulate_crash_on_shutdown = false;
};

class RocksDbEventStore final : public EventStore {
 public:
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> OpenRocksDb(
      const EventStoreOptions& options, RocksDbHooks hooks = {});
  ~RocksDbEventStore() override;

  void AppendAsync(std::string stream, Expected expected, std::vector<v1::Event> events,
                   AppendCallback done) override;
  using EventStore::ReadStream;
  absl::StatusOr<ReadBatch> ReadStream(const std::string& stream, uint64_t from, bool backwards,
                                       size_t max_events, size_t max_bytes) override;
  absl::StatusOr<ReadBatch> VisitAll(uint64_t from, size_t max_events, size_t max_bytes,
                                     size_t max_scan, RecordVisitor visit) override;
  absl::StatusOr<std::optional<uint64_t>> StreamVersion(const std::string& stream) override;
  uint64_t CommittedPosition() const override { return committed_.load(std::memory_order_acquire); }
  uint64_t AddCommitListener(CommitListener listener) override;
  void RemoveCommitListener(uint64_t id) override;
  void Shutdown() override;

 private:
  // One event as the caller's thread prepared it, so the commit thread only
  // frames bytes: `content` is the event serialized deterministically with
  // its stream set and the store-assigned fields cleared — what idempotency
  // compares, and the record body before the store appends its fields.
  struct PreparedEvent {
    std::string event_id;
    std::string id_key;
    std::string content;
  };
  struct PendingAppend {
    std::string stream;
    Expected expected;
    std::vector<PreparedEvent> events;
    AppendCallback done;
  };
  struct BatchState;

  // Positions [first, last] lost in an accepted point-in-time recovery:
  // never given to an event, passed over by reads.
  struct LostRange {
    uint64_t first;
    uint64_t last;
  };

  RocksDbEventStore(const EventStoreOptions& options, RocksDbHooks hooks);
  absl::Status OpenDatabase();
  absl::Status RecoverPositions();
  void CommitLoop();
  void MarkLoop();
  // Writes a staged batch; on failure sets disk_full_ or write_failure_ and
  // returns the status every append in the batch gets.
  absl::Status WriteBatch(BatchState& state, size_t appends);
  // While the disk is full: whether this batch may try to write again.
  bool MayRetryAfterDiskFull();
  void SetCondition(StoreCondition condition);
  // The first position >= `position` that is not in a lost range.
  uint64_t SkipLost(uint64_t position) const;
  // Checks one append against stored and staged state and, if it passes,
  // stages it into `state`. On error nothing is staged.
  absl::StatusOr<AppendResult> Stage(PendingAppend& append, BatchState& state);
  absl::StatusOr<std::optional<uint64_t>> StagedHead(const std::string& stream,
                                                     const BatchState& state);
  absl::StatusOr<v1::Event> ReadAt(uint64_t position);

  const EventStoreOptions options_;
  const RocksDbHooks hooks_;
  std::unique_ptr<rocksdb::Env> env_;  // wraps hooks_.file_system; null for the default
  rocksdb::FileSystem* fs_ = nullptr;
  std::unique_ptr<PositionMarker> marker_;
  std::vector<LostRange> lost_;  // fixed once Open returns; sorted
  bool recovering_with_loss_ = false;  // Open used point-in-time recovery
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // owned; closed in dtor
  rocksdb::ColumnFamilyHandle* events_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* streams_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* heads_cf_ = nullptr;
  rocksdb::ColumnFamilyHandle* ids_cf_ = nullptr;

  GroupCommitQueue<PendingAppend> queue_;
  std::thread committer_;
  absl::Mutex shutdown_mu_;
  bool shut_down_ ABSL_GUARDED_BY(shutdown_mu_) = false;

  // Written only by the committer thread (and Open before it starts).
  uint64_t last_position_ = 0;
  absl::Status write_failure_;  // once set, every later append fails with it
  bool disk_full_ = false;      // appends refused until a retry writes
  absl::Time last_disk_full_attempt_;
  std::optional<StoreCondition> condition_;  // last reported
  std::atomic<uint64_t> committed_{0};

  std::thread marker_thread_;
  absl::Notification stop_marking_;

  absl::Mutex listeners_mu_;
  uint64_t next_listener_id_ ABSL_GUARDED_BY(listeners_mu_) = 1;
  std::map<uint64_t, CommitListener> listeners_ ABSL_GUARDED_BY(listeners_mu_);
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_ROCKSDB_EVENT_STORE_H_
