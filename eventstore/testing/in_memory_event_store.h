// InMemoryEventStore: the whole EventStore contract (event_store.h) held in
// memory, for tests of the layers above eventstore/ and as the second
// implementation the contract suite (event_store_contract_test.cc) runs
// against. Nothing is durable: the log lives and dies with the object.
//
// Same behaviour as the RocksDB store where the contract speaks: validation
// by ValidateAppend, person stream ids and event ids in lower case,
// positions gapless from 1 and versions from 0, expected versions and
// idempotency decided by append_checks.h (same codes, same messages),
// recorded_at from options.clock, the size and count limits of the options,
// the watermark advanced before an append is acknowledged, Shutdown
// refusing later appends with UNAVAILABLE.
//
// Differences a test may rely on:
//   - AppendAsync completes synchronously: `done` has run, on the calling
//     thread, before AppendAsync returns (so `done` must not wait for
//     anything the caller does after the call). Each append is its own
//     commit, with its own recorded_at; the commit listeners then run on
//     the same thread. Listeners see the committed position rise: each call
//     carries a position higher than the previous call's.
//   - No commit queue: max_pending_bytes and max_events_per_commit are
//     ignored, and RESOURCE_EXHAUSTED comes only from the size limits.
//     options.path, sync, block_cache_bytes and the disk and WAL options
//     are ignored; commit_observer sees each append as one commit;
//     condition_observer is told kWritable once, by the constructor.
//   - Nothing is ever damaged: no read returns DATA_LOSS, no write INTERNAL.
//   - The bytes VisitAll passes are the stored event serialized
//     deterministically: they parse to the same event as the RocksDB
//     store's, but need not be byte-identical to its records.
//
// Thread safety: all methods may be called concurrently (one absl::Mutex).
// Read visitors and append callbacks are called without it held, so they
// may call back into the store; commit listeners may not append (as the
// contract says).
#ifndef IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_EVENT_STORE_H_
#define IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_EVENT_STORE_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/commit_listeners.h"
#include "eventstore/event_store.h"
#include "eventstore/options.h"

namespace iomhub::eventstore {

class InMemoryEventStore final : public EventStore {
 public:
  // REQUIRES: options.clock is not null (it is by default) and outlives the
  // store.
  explicit InMemoryEventStore(EventStoreOptions options = {});
  ~InMemoryEventStore() override;

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
  // Refuses later appends with UNAVAILABLE and waits for appends already
  // accepted to finish (their callbacks and listeners included), so it must
  // not be called from an append callback or a commit listener. Idempotent.
  void Shutdown() override;

 private:
  // One event as stored. Immutable once in the log.
  struct StoredEvent {
    std::string bytes;    // the whole event, serialized deterministically
    std::string content;  // EventContent: what idempotency compares
    uint64_t stream_version = 0;
  };

  // An event of an append, ready to store: its stream canonical, its id in
  // lower case, its content computed (without the lock).
  struct PreparedEvent {
    v1::Event event;
    std::string content;
  };

  // Checks and, if it passes, stores one append of canonical `stream`,
  // then advances the committed position and the watermark.
  absl::StatusOr<AppendResult> Commit(const std::string& stream, Expected expected,
                                      std::vector<PreparedEvent>& events)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Calls the listeners with the committed position, unless an earlier call
  // already carried it.
  void NotifyListeners();

  const EventStoreOptions options_;

  mutable absl::Mutex mu_;
  // Invariant: log_[p - 1] is the event at position p; positions are never
  // reused. A deque, so elements never move: readers keep pointers to
  // stored events after dropping mu_.
  std::deque<StoredEvent> log_ ABSL_GUARDED_BY(mu_);
  // Canonical stream id → the position of each version, in version order.
  absl::flat_hash_map<std::string, std::vector<uint64_t>> streams_ ABSL_GUARDED_BY(mu_);
  // Lower-case event id → position.
  absl::flat_hash_map<std::string, uint64_t> ids_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  int appends_in_flight_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<uint64_t> committed_{0};
  CommitWatermark watermark_;

  CommitListeners listeners_;
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_TESTING_IN_MEMORY_EVENT_STORE_H_
