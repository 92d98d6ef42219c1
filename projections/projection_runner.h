// ProjectionRunner: keeps every projection's view up to date with the log.
//
// Each projection has a worker thread: it reads the log from the view's
// checkpoint (ReadAll order), applies the events the projection wants, and
// commits the view's changes with the new checkpoint in one batch
// (ViewTxn::Commit), then waits on the log's watermark for more. A restart,
// even after SIGKILL, resumes from the checkpoint: effects happen once.
//
// A projection that fails on an event stops there, visibly — state kFailed
// with the failing position and error, reported to the observer (metrics,
// health) and by Status() — and is never skipped past it. The events before
// it are committed.
//
// Rebuild(name) builds a new generation of the view from position 1 in a
// shadow copy while the live one keeps serving; once the copy has caught up
// it pauses the live worker, catches up to the live checkpoint, and swaps:
// readers move to the new copy, the old one is dropped a little later. The
// current generation of each view is kept in the view store (view "_runner").
//
// Views are stored as "<name>@<generation>"; readers ask PhysicalView(name).
// Each projection's checkpoint is also a CommitWatermark, for
// read-your-writes queries (wait until the view reflects position P).
//
// Thread-safe. Start once; Stop (or the destructor) joins every thread.
#ifndef IOMHUB_PROJECTIONS_PROJECTION_RUNNER_H_
#define IOMHUB_PROJECTIONS_PROJECTION_RUNNER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "eventstore/commit_watermark.h"
#include "eventstore/event_store.h"
#include "eventstore/view_store.h"
#include "projections/projection.h"

namespace iomhub::projections {

struct ViewStatus {
  enum class State { kCatchingUp, kLive, kFailed };
  std::string name;
  State state = State::kCatchingUp;
  uint64_t checkpoint = 0;  // every position up to here is reflected
  uint64_t generation = 0;
  // kFailed: the event it stopped at, and why.
  uint64_t failed_position = 0;
  std::string failure;
  // A rebuild in progress, and how far it got.
  bool rebuilding = false;
  uint64_t rebuild_checkpoint = 0;
  // How the last rebuild ended ("" before any), e.g. "generation 3 swapped
  // in at position 120000 after 1.2s" or the error that stopped it.
  std::string last_rebuild;
};

std::string StateName(ViewStatus::State state);  // "catching_up", "live", "failed"

class ProjectionRunner {
 public:
  struct Options {
    // Most events examined per batch (one ViewTxn::Commit). Default: 2000.
    size_t batch_events = 2000;
    // Most bytes of events read per batch. Default: 8 MiB.
    size_t batch_bytes = 8 << 20;
    // How long an idle worker sleeps between checks for Stop. New events
    // wake it at once. Default: 100 ms.
    absl::Duration idle_wait = absl::Milliseconds(100);
    // How long a swapped-out generation stays readable before it is
    // dropped (readers that looked up its name just before the swap).
    // Default: 2 s.
    absl::Duration drop_grace = absl::Seconds(2);
    // A rebuild of a view partitioned by stream folds each stream whole, in
    // passes over the log that each hold about this many events' worth of
    // state in memory (case_view: roughly 200 MB at the default). Fewer,
    // larger passes read the log fewer times. Default: 500,000.
    size_t bulk_events_per_pass = 500000;
    // Whether such views fold streams whole when built from position 1 (a
    // rebuild, or a new view over a log of at least a quarter pass). false:
    // always event by event (tests compare the two). Default: true.
    bool bulk_fold = true;
    // Called after each commit and state change, from the worker threads.
    // Must be cheap and thread-safe. Default: none.
    std::function<void(const ViewStatus&)> observer = nullptr;
  };

  // `log` and `views` are not owned and must outlive the runner.
  ProjectionRunner(eventstore::EventStore* log, eventstore::ViewStore* views, Options options);
  ~ProjectionRunner();

  // REQUIRES: before Start; names unique.
  void Add(std::unique_ptr<Projection> projection);

  // Loads each view's generation and checkpoint and starts the workers.
  absl::Status Start();
  // Stops every worker and rebuild (they finish their batch). Idempotent.
  void Stop();

  std::vector<ViewStatus> Statuses() const;
  // NOT_FOUND for an unknown view.
  absl::StatusOr<ViewStatus> Status(absl::string_view name) const;

  // The view's current physical name in the view store. NOT_FOUND.
  absl::StatusOr<std::string> PhysicalView(absl::string_view name) const;
  // The view's checkpoint as a watermark. NOT_FOUND. Lives as the runner.
  absl::StatusOr<eventstore::CommitWatermark*> Watermark(absl::string_view name);

  // Starts a shadow rebuild and returns. NOT_FOUND for an unknown view,
  // FAILED_PRECONDITION if one is already running or the runner is stopped.
  absl::Status Rebuild(absl::string_view name);

  // Lowercase hex SHA-256 of the view's current content (every key and
  // value in order, length-prefixed): equal digests mean byte-identical
  // views. NOT_FOUND.
  absl::StatusOr<std::string> Digest(absl::string_view name);

 private:
  struct Slot;
  struct BatchResult {
    uint64_t checkpoint = 0;        // committed checkpoint after the batch
    bool end = false;               // reached the committed head
    absl::Status failure;           // the projection failed (poison)
    uint64_t failed_position = 0;
    absl::Status commit_error;      // the view could not be written (retry)
  };

  BatchResult ApplyBatch(const Projection& projection, const std::string& view,
                         uint64_t checkpoint, uint64_t stop_before = UINT64_MAX);
  // Rebuild's first phase for a PartitionedByStream projection: folds every
  // stream up to `head` into the empty `view`, each person once, then sets
  // its checkpoint to `head`.
  BatchResult BulkFold(Slot* slot, const std::string& view, uint64_t head);
  void RunLive(Slot* slot);
  void RunRebuild(Slot* slot, uint64_t generation);
  void Report(Slot* slot);
  ViewStatus StatusOf(const Slot& slot) const;
  Slot* Find(absl::string_view name) const;
  bool stopping() const { return stop_.HasBeenNotified(); }

  eventstore::EventStore* const log_;
  eventstore::ViewStore* const views_;
  const Options options_;
  std::vector<std::unique_ptr<Slot>> slots_;
  absl::Notification stop_;
  bool started_ = false;
};

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_PROJECTION_RUNNER_H_
