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
#include "eventstore/commit_listeners.h"
#include "eventstore/event_store.h"
#include "eventstore/group_commit.h"
#include "eventstore/position_marker.h"
#include "eventstore/rocksdb_database.h"
#include "rocksdb/db.h"

namespace iomhub::eventstore {

class RocksDbEventStore final : public EventStore {
 public:
  // Opens the database under options.path and the log over it.
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> OpenRocksDb(
      const EventStoreOptions& options, RocksDbHooks hooks = {});
  // The log over an open database (shared with a RocksDbViewStore).
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> OpenOver(
      std::shared_ptr<RocksDbDatabase> database);
  ~RocksDbEventStore() override;

  void AppendAsync(std::string stream, Expected expected, std::vector<v1::Event> events,
                   AppendCallback done) override;
  using EventStore::ReadStream;
  absl::StatusOr<ReadBatch> ReadStream(const std::string& stream, uint64_t from, bool backwards,
                                       size_t max_events, size_t max_bytes) override;
  absl::StatusOr<ReadBatch> VisitAll(uint64_t from, size_t max_events, size_t max_bytes,
                                     size_t max_scan, RecordVisitor visit) override;
  absl::StatusOr<std::optional<uint64_t>> StreamVersion(const std::string& stream) override;
  absl::StatusOr<std::optional<uint64_t>> PositionOfEvent(absl::string_view event_id) override;
  uint64_t CommittedPosition() const override { return committed_.load(std::memory_order_acquire); }
  CommitWatermark& watermark() override { return watermark_; }
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

  explicit RocksDbEventStore(std::shared_ptr<RocksDbDatabase> database);
  absl::Status RecoverPositions();
  void CommitLoop();
  void MarkLoop();
  // Writes a staged batch; returns the status every append in the batch
  // gets when it fails (and sets write_failure_ for a lasting failure).
  absl::Status WriteBatch(BatchState& state, size_t appends);
  // The first position >= `position` that is not in a lost range.
  uint64_t SkipLost(uint64_t position) const;
  // Checks one append against stored and staged state and, if it passes,
  // stages it into `state`. On error nothing is staged.
  absl::StatusOr<AppendResult> Stage(PendingAppend& append, BatchState& state);
  absl::StatusOr<std::optional<uint64_t>> StagedHead(const std::string& stream,
                                                     const BatchState& state);
  absl::StatusOr<v1::Event> ReadAt(uint64_t position);

  const std::shared_ptr<RocksDbDatabase> database_;
  const EventStoreOptions& options_;  // database_'s
  rocksdb::DB* const db_;             // database_'s
  std::unique_ptr<PositionMarker> marker_;
  std::vector<LostRange> lost_;  // fixed once Open returns; sorted
  rocksdb::ColumnFamilyHandle* default_cf_ = nullptr;
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
  std::atomic<uint64_t> committed_{0};
  CommitWatermark watermark_;

  std::thread marker_thread_;
  absl::Notification stop_marking_;

  CommitListeners listeners_;
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_ROCKSDB_EVENT_STORE_H_
