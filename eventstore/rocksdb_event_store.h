// RocksDbEventStore: the embedded EventStore. Layout in FORMAT.md.
//
// One committer thread drains the GroupCommitQueue, checks each append
// against the stored heads and ids (plus what the same batch already
// staged), writes the whole batch as one WriteBatch with sync, then updates
// the committed position, runs the append callbacks and the commit
// listeners. Reads go straight to RocksDB, bounded by the committed position.
#ifndef IOMHUB_EVENTSTORE_ROCKSDB_EVENT_STORE_H_
#define IOMHUB_EVENTSTORE_ROCKSDB_EVENT_STORE_H_

#include <atomic>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "eventstore/group_commit.h"
#include "rocksdb/db.h"

namespace iomhub::eventstore {

class RocksDbEventStore final : public EventStore {
 public:
  static absl::StatusOr<std::unique_ptr<RocksDbEventStore>> OpenRocksDb(
      const EventStoreOptions& options);
  ~RocksDbEventStore() override;

  void AppendAsync(std::string stream, Expected expected, std::vector<v1::Event> events,
                   AppendCallback done) override;
  absl::StatusOr<ReadBatch> ReadStream(const std::string& stream, uint64_t from, bool backwards,
                                       size_t max_events) override;
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

  explicit RocksDbEventStore(const EventStoreOptions& options);
  void CommitLoop();
  // Checks one append against stored and staged state and, if it passes,
  // stages it into `state`. On error nothing is staged.
  absl::StatusOr<AppendResult> Stage(PendingAppend& append, BatchState& state);
  absl::StatusOr<std::optional<uint64_t>> StagedHead(const std::string& stream,
                                                     const BatchState& state);
  absl::StatusOr<v1::Event> ReadAt(uint64_t position);

  const EventStoreOptions options_;
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
  std::atomic<uint64_t> committed_{0};

  absl::Mutex listeners_mu_;
  uint64_t next_listener_id_ ABSL_GUARDED_BY(listeners_mu_) = 1;
  std::map<uint64_t, CommitListener> listeners_ ABSL_GUARDED_BY(listeners_mu_);
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_ROCKSDB_EVENT_STORE_H_
