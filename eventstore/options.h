// Options for opening an EventStore. Build with designated initializers:
//   EventStoreOptions{.path = dir, .sync = true}
#ifndef IOMHUB_EVENTSTORE_OPTIONS_H_
#define IOMHUB_EVENTSTORE_OPTIONS_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/time/time.h"

#include "common/clock.h"

namespace iomhub::eventstore {

// What one group commit did, for metrics.
struct CommitStats {
  size_t events = 0;          // events written by the WriteBatch
  size_t appends = 0;         // append calls in the batch, including refused ones
  absl::Duration write_time;  // WriteBatch + fsync
};

// What the store can do, reported to EventStoreOptions::condition_observer
// whenever it changes.
enum class StoreCondition {
  kWritable,  // appends are accepted
  kDiskFull,  // appends are refused with RESOURCE_EXHAUSTED until space is freed
  kFailed,    // a write failed for another reason; appends are refused until reopened
};

// How Open treats a write-ahead log that is damaged before its end (a record
// that fails its checksum with more log after it), or a log that ends before
// a position the store had acknowledged.
enum class WalRecovery {
  // Refuse to open with DATA_LOSS naming the file and offset: acknowledged
  // events may be behind the damage. An incomplete record at the very end of
  // the log (a torn write that was never acknowledged) is dropped quietly.
  kRefuseDamage,
  // The operator accepts the loss: open with what precedes the first bad
  // record, record the lost positions so they are never given to another
  // event, and log what was lost. Default: never; only on explicit request.
  kPointInTime,
};

struct EventStoreOptions {
  // Directory holding the log; created if missing. Required.
  std::string path = "";
  // fsync each group commit before acknowledging it. false acknowledges once
  // the write is in the OS page cache: a machine crash can lose it.
  // Development only. Default: true.
  bool sync = true;
  // Largest single event, serialized. Default: 1 MiB.
  size_t max_event_bytes = 1 << 20;
  // Most events in one Append. Default: 1000.
  size_t max_events_per_append = 1000;
  // Largest Append, all events serialized. Default: 4 MiB.
  size_t max_append_bytes = 4 << 20;
  // Bytes of appends waiting for the committer before new appends are refused
  // with RESOURCE_EXHAUSTED. Default: 256 MiB.
  size_t max_pending_bytes = 256 << 20;
  // Most events the committer writes in one WriteBatch (one fsync).
  // Default: 20000.
  size_t max_events_per_commit = 20000;
  // RocksDB block cache size. Default: 128 MiB.
  size_t block_cache_bytes = 128 << 20;
  // Source of recorded_at. Not owned; must outlive the store. Default: real.
  Clock* clock = Clock::Real();
  // Called on the commit thread after each successful WriteBatch, before the
  // appends are acknowledged. Must be cheap and must not block. Default: none.
  std::function<void(const CommitStats&)> commit_observer = nullptr;
  // Called (on the commit thread, or in Open) when the store's condition
  // changes, and once from Open with kWritable. Must not block. Default: none.
  std::function<void(StoreCondition)> condition_observer = nullptr;
  // See WalRecovery. Default: kRefuseDamage.
  WalRecovery wal_recovery = WalRecovery::kRefuseDamage;
  // Appends (and view commits) are refused with RESOURCE_EXHAUSTED while
  // the data directory's file system has less than this free, so a full
  // disk normally never reaches RocksDB (whose flushes and compactions need
  // headroom too). 0 turns the check off. Default: 256 MiB.
  uint64_t min_free_disk_bytes = uint64_t{256} << 20;
  // After RocksDB itself failed a write for lack of space, how often a write
  // may try to resume (writes in between are refused at once). Default: 1 s.
  absl::Duration disk_full_retry_interval = absl::Seconds(1);
  // How often the durable position is recorded in IOMHUB-POSITIONS (see
  // position_marker.h): a log that lost more than this much of its end is
  // detected on open. Default: 1 s.
  absl::Duration acknowledged_mark_interval = absl::Seconds(1);
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_OPTIONS_H_
