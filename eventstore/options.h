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
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_OPTIONS_H_
