#include "projections/projection_runner.h"

#include <algorithm>
#include <cstdio>

#include "absl/hash/hash.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/sha256.h"
#include "eventstore/event_peek.h"

namespace iomhub::projections {
namespace {

// Where each view's current generation is kept: key "gen/<name>".
constexpr char kRunnerView[] = "_runner";

std::string PhysicalName(absl::string_view name, uint64_t generation) {
  return absl::StrCat(name, "@", generation);
}

}  // namespace

bool Projection::Wants(const eventstore::EventPeek& event) const {
  return IsPersonStream(event.stream);
}

constexpr absl::string_view kPersonPrefix = "person-";

bool IsPersonStream(absl::string_view stream) { return absl::StartsWith(stream, kPersonPrefix); }

absl::string_view PersonIdIn(absl::string_view stream) {
  return IsPersonStream(stream) ? stream.substr(kPersonPrefix.size()) : absl::string_view();
}

std::string StateName(ViewStatus::State state) {
  switch (state) {
    case ViewStatus::State::kCatchingUp:
      return "catching_up";
    case ViewStatus::State::kLive:
      return "live";
    case ViewStatus::State::kFailed:
      return "failed";
  }
  return "?";
}

struct ProjectionRunner::Slot {
  std::unique_ptr<Projection> projection;
  std::string name;
  eventstore::CommitWatermark watermark;  // the view's checkpoint

  mutable absl::Mutex mu;
  uint64_t generation ABSL_GUARDED_BY(mu) = 1;
  std::string physical ABSL_GUARDED_BY(mu);
  uint64_t checkpoint ABSL_GUARDED_BY(mu) = 0;
  bool failed ABSL_GUARDED_BY(mu) = false;
  uint64_t failed_position ABSL_GUARDED_BY(mu) = 0;
  std::string failure ABSL_GUARDED_BY(mu);
  bool rebuilding ABSL_GUARDED_BY(mu) = false;
  uint64_t rebuild_checkpoint ABSL_GUARDED_BY(mu) = 0;
  std::string last_rebuild ABSL_GUARDED_BY(mu);
  // A rebuild asks the live worker to pause between batches to swap.
  bool pause_requested ABSL_GUARDED_BY(mu) = false;
  bool paused ABSL_GUARDED_BY(mu) = false;
  bool worker_running ABSL_GUARDED_BY(mu) = false;
  // Swapped-out generations, dropped by the live worker once `drop_after`.
  std::vector<std::pair<std::string, absl::Time>> to_drop ABSL_GUARDED_BY(mu);

  std::thread worker;
  std::thread rebuilder;
};

ProjectionRunner::ProjectionRunner(eventstore::EventStore* log, eventstore::ViewStore* views,
                                   Options options)
    : log_(log), views_(views), options_(std::move(options)) {}

ProjectionRunner::~ProjectionRunner() { Stop(); }

void ProjectionRunner::Add(std::unique_ptr<Projection> projection) {
  auto slot = std::make_unique<Slot>();
  slot->name = std::string(projection->name());
  slot->projection = std::move(projection);
  slots_.push_back(std::move(slot));
}

absl::Status ProjectionRunner::Start() {
  for (auto& slot : slots_) {
    uint64_t generation = 1;
    absl::StatusOr<std::optional<std::string>> stored =
        views_->Get(kRunnerView, absl::StrCat("gen/", slot->name));
    if (!stored.ok()) return stored.status();
    if (stored->has_value() && !absl::SimpleAtoi(**stored, &generation)) {
      return absl::DataLossError(absl::StrCat("malformed generation of view ", slot->name));
    }
    const std::string physical = PhysicalName(slot->name, generation);
    absl::StatusOr<uint64_t> checkpoint = views_->Checkpoint(physical);
    if (!checkpoint.ok()) return checkpoint.status();
    // A rebuild that did not finish (or an old generation not yet dropped)
    // leaves a neighbour behind.
    for (uint64_t other : {generation + 1, generation - 1}) {
      if (other == 0) continue;
      absl::Status dropped = views_->Drop(PhysicalName(slot->name, other));
      if (!dropped.ok()) return dropped;
    }
    absl::MutexLock lock(&slot->mu);
    slot->generation = generation;
    slot->physical = physical;
    slot->checkpoint = *checkpoint;
    slot->watermark.Advance(*checkpoint);
  }
  started_ = true;
  for (auto& slot : slots_) {
    {
      absl::MutexLock lock(&slot->mu);
      slot->worker_running = true;
    }
    slot->worker = std::thread([this, s = slot.get()] { RunLive(s); });
  }
  return absl::OkStatus();
}

void ProjectionRunner::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  for (auto& slot : slots_) {
    {
      absl::MutexLock lock(&slot->mu);
      slot->pause_requested = false;
    }
    if (slot->rebuilder.joinable()) slot->rebuilder.join();
    if (slot->worker.joinable()) slot->worker.join();
  }
}

namespace {

// Gives `projection` the stored event at `position` if it wants it, parsed
// into `event` (reused across calls to keep its allocations).
absl::Status ApplyRecord(const Projection& projection, uint64_t position, absl::string_view bytes,
                         const std::function<bool(const eventstore::EventPeek&)>& also,
                         v1::Event& event, ViewTxn& txn) {
  absl::StatusOr<eventstore::EventPeek> peek = eventstore::PeekEvent(bytes);
  if (!peek.ok()) return peek.status();
  if (!projection.Wants(*peek) || (also && !also(*peek))) return absl::OkStatus();
  if (!event.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat("the event at position ", position, " does not parse"));
  }
  return projection.Apply(event, txn);
}

}  // namespace

ProjectionRunner::BatchResult ProjectionRunner::ApplyBatch(const Projection& projection,
                                                           const std::string& view,
                                                           uint64_t checkpoint,
                                                           uint64_t stop_before) {
  BatchResult result;
  ViewTxn txn(views_, view);
  uint64_t examined = checkpoint;
  v1::Event event;  // reused: parsing into it keeps its allocations
  absl::StatusOr<eventstore::ReadBatch> read = log_->VisitAll(
      checkpoint + 1, options_.batch_events, options_.batch_bytes, options_.batch_events,
      [&](uint64_t position, absl::string_view bytes) -> absl::StatusOr<bool> {
        if (position >= stop_before) return absl::CancelledError("stop");
        absl::Status applied = ApplyRecord(projection, position, bytes, nullptr, event, txn);
        if (!applied.ok()) {
          result.failure = applied;
          result.failed_position = position;
          return applied;
        }
        examined = position;
        return true;
      });
  if (!read.ok() && result.failure.ok() && !absl::IsCancelled(read.status())) {
    result.failure = read.status();  // the log itself (DATA_LOSS)
    result.failed_position = examined + 1;
  }
  if (!result.failure.ok()) {
    // The failing event may have changed the transaction half-way: redo the
    // batch up to just before it, and commit only that.
    if (result.failed_position > checkpoint + 1) {
      BatchResult before = ApplyBatch(projection, view, checkpoint, result.failed_position);
      result.checkpoint = before.checkpoint;
      result.commit_error = before.commit_error;
    } else {
      result.checkpoint = checkpoint;
    }
    return result;
  }
  const uint64_t reached = read.ok() ? read->next - 1 : examined;
  result.end = read.ok() && read->end;
  result.checkpoint = checkpoint;
  if (reached > checkpoint) {
    result.commit_error = txn.Commit(reached);
    if (result.commit_error.ok()) result.checkpoint = reached;
  }
  return result;
}

ProjectionRunner::BatchResult ProjectionRunner::BulkFold(Slot* slot, const std::string& view,
                                                         uint64_t head) {
  BatchResult result;
  const Projection& projection = *slot->projection;
  const uint64_t passes =
      std::max<uint64_t>(1, (head + options_.bulk_events_per_pass - 1) /
                                std::max<size_t>(1, options_.bulk_events_per_pass));
  for (uint64_t pass = 0; pass < passes; ++pass) {
    if (stopping()) {
      result.commit_error = absl::CancelledError("the hub is stopping");
      return result;
    }
    ViewTxn txn(views_, view, /*known_empty=*/true);
    v1::Event event;  // reused: parsing into it keeps its allocations
    const std::function<bool(const eventstore::EventPeek&)> in_pass =
        [&](const eventstore::EventPeek& peek) {
          return absl::Hash<absl::string_view>()(peek.stream) % passes == pass;
        };
    uint64_t from = 1;
    while (from <= head) {
      absl::StatusOr<eventstore::ReadBatch> read = log_->VisitAll(
          from, options_.batch_events * 8, options_.batch_bytes * 8, options_.batch_events * 8,
          [&](uint64_t position, absl::string_view bytes) -> absl::StatusOr<bool> {
            if (position > head) return absl::CancelledError("past the head");
            absl::Status applied = ApplyRecord(projection, position, bytes, in_pass, event, txn);
            if (!applied.ok()) {
              result.failure = applied;
              result.failed_position = position;
              return applied;
            }
            return true;
          });
      if (!result.failure.ok()) return result;
      if (!read.ok()) {
        if (absl::IsCancelled(read.status())) break;
        result.failure = read.status();
        result.failed_position = from;
        return result;
      }
      from = read->next;
      if (read->end) break;
    }
    // Checkpoint 0 until every pass is in: the copy is not a view yet.
    result.commit_error = txn.Commit(0);
    if (!result.commit_error.ok()) return result;
    absl::MutexLock lock(&slot->mu);
    slot->rebuild_checkpoint = head * (pass + 1) / passes;
  }
  result.commit_error = views_->Commit(view, eventstore::ViewWrite{}, head);
  if (result.commit_error.ok()) result.checkpoint = head;
  return result;
}

void ProjectionRunner::RunLive(Slot* slot) {
  // A new (or emptied) view over a long log folds each stream whole first:
  // the incremental path would re-read and re-write each person once per
  // batch. Invariant: a checkpoint of 0 with content means a fold that did
  // not finish, so the content is dropped first.
  bool bulk = false;
  std::string bulk_view;
  {
    absl::MutexLock lock(&slot->mu);
    bulk = options_.bulk_fold && slot->checkpoint == 0 && slot->projection->PartitionedByStream() &&
           log_->CommittedPosition() >= options_.bulk_events_per_pass / 4;
    bulk_view = slot->physical;
  }
  if (bulk) {
    absl::Status dropped = views_->Drop(bulk_view);
    BatchResult folded = dropped.ok()
                             ? BulkFold(slot, bulk_view, log_->CommittedPosition())
                             : BatchResult{.failure = absl::OkStatus(), .commit_error = dropped};
    absl::MutexLock lock(&slot->mu);
    if (!folded.failure.ok()) {
      slot->failed = true;
      slot->failed_position = folded.failed_position;
      slot->failure = std::string(folded.failure.message());
    } else if (folded.commit_error.ok()) {
      slot->checkpoint = folded.checkpoint;
    }
  }
  slot->watermark.Advance(Status(slot->name)->checkpoint);
  Report(slot);
  while (!stopping()) {
    std::string physical;
    uint64_t checkpoint;
    {
      absl::MutexLock lock(&slot->mu);
      while (slot->pause_requested && !stopping()) {
        slot->paused = true;
        slot->mu.AwaitWithTimeout(
            absl::Condition(
                +[](Slot* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return !s->pause_requested; }, slot),
            options_.idle_wait);
      }
      slot->paused = false;
      if (slot->failed) break;
      physical = slot->physical;
      checkpoint = slot->checkpoint;
      const absl::Time now = absl::Now();
      for (auto it = slot->to_drop.begin(); it != slot->to_drop.end();) {
        if (it->second > now) {
          ++it;
          continue;
        }
        views_->Drop(it->first).IgnoreError();
        it = slot->to_drop.erase(it);
      }
    }
    if (stopping()) break;
    BatchResult batch = ApplyBatch(*slot->projection, physical, checkpoint);
    bool stop_here = false;
    {
      absl::MutexLock lock(&slot->mu);
      if (batch.checkpoint > slot->checkpoint) slot->checkpoint = batch.checkpoint;
      if (!batch.failure.ok()) {
        slot->failed = true;
        slot->failed_position = batch.failed_position;
        slot->failure = std::string(batch.failure.message());
        stop_here = true;
      }
    }
    slot->watermark.Advance(batch.checkpoint);
    if (!batch.failure.ok() || batch.checkpoint != checkpoint) Report(slot);
    if (stop_here) break;
    if (!batch.commit_error.ok()) {
      // The view could not be written (e.g. the disk is full): try again.
      absl::SleepFor(options_.idle_wait);
      continue;
    }
    if (batch.end) {
      log_->watermark().WaitFor(batch.checkpoint + 1, absl::Now() + options_.idle_wait);
    }
  }
  absl::MutexLock lock(&slot->mu);
  slot->worker_running = false;
  slot->paused = true;  // a rebuild waiting to swap need not wait for us
}

absl::Status ProjectionRunner::Rebuild(absl::string_view name) {
  Slot* slot = Find(name);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no view named ", name));
  if (!started_ || stopping()) return absl::FailedPreconditionError("the runner is not running");
  uint64_t generation;
  {
    absl::MutexLock lock(&slot->mu);
    if (slot->rebuilding) {
      return absl::FailedPreconditionError(absl::StrCat(
          "view ", name, " is already being rebuilt (at position ", slot->rebuild_checkpoint, ")"));
    }
    slot->rebuilding = true;
    slot->rebuild_checkpoint = 0;
    generation = slot->generation + 1;
  }
  if (slot->rebuilder.joinable()) slot->rebuilder.join();  // the previous, finished one
  slot->rebuilder = std::thread([this, slot, generation] { RunRebuild(slot, generation); });
  return absl::OkStatus();
}

void ProjectionRunner::RunRebuild(Slot* slot, uint64_t generation) {
  const absl::Time started = absl::Now();
  const std::string physical = PhysicalName(slot->name, generation);
  auto finish = [&](std::string outcome) {
    {
      absl::MutexLock lock(&slot->mu);
      slot->rebuilding = false;
      slot->pause_requested = false;
      slot->last_rebuild = std::move(outcome);
    }
    Report(slot);
  };
  auto abandon = [&](const std::string& why) {
    views_->Drop(physical).IgnoreError();
    finish(absl::StrCat("generation ", generation, " abandoned: ", why));
  };
  absl::Status dropped = views_->Drop(physical);
  if (!dropped.ok()) return abandon(std::string(dropped.message()));

  uint64_t checkpoint = 0;
  if (options_.bulk_fold && slot->projection->PartitionedByStream()) {
    BatchResult bulk = BulkFold(slot, physical, log_->CommittedPosition());
    if (!bulk.failure.ok()) {
      return abandon(
          absl::StrCat("failed at position ", bulk.failed_position, ": ", bulk.failure.message()));
    }
    if (!bulk.commit_error.ok()) return abandon(std::string(bulk.commit_error.message()));
    checkpoint = bulk.checkpoint;
  }
  bool paused = false;
  uint64_t live_checkpoint = 0;
  while (true) {
    if (stopping()) return abandon("the hub is stopping");
    BatchResult batch = ApplyBatch(*slot->projection, physical, checkpoint);
    if (!batch.failure.ok()) {
      return abandon(absl::StrCat("failed at position ", batch.failed_position, ": ",
                                  batch.failure.message()));
    }
    if (!batch.commit_error.ok()) return abandon(std::string(batch.commit_error.message()));
    checkpoint = batch.checkpoint;
    {
      absl::MutexLock lock(&slot->mu);
      slot->rebuild_checkpoint = checkpoint;
    }
    if (!batch.end && !(paused && checkpoint >= live_checkpoint)) continue;
    if (!paused) {
      // Caught up with the log: hold the live worker between batches, then
      // catch up with where it stopped.
      absl::MutexLock lock(&slot->mu);
      slot->pause_requested = true;
      slot->mu.Await(absl::Condition(
          +[](Slot* s) ABSL_NO_THREAD_SAFETY_ANALYSIS { return s->paused; }, slot));
      live_checkpoint = slot->checkpoint;
      paused = true;
      if (checkpoint < live_checkpoint) continue;
    }
    break;
  }

  absl::Status pointed = views_->Commit(
      kRunnerView,
      eventstore::ViewWrite{.puts = {{absl::StrCat("gen/", slot->name), absl::StrCat(generation)}},
                            .deletes = {}},
      0);
  if (!pointed.ok()) return abandon(std::string(pointed.message()));
  std::string old_physical;
  bool restart_worker = false;
  {
    absl::MutexLock lock(&slot->mu);
    old_physical = slot->physical;
    slot->physical = physical;
    slot->generation = generation;
    slot->checkpoint = std::max(checkpoint, slot->checkpoint);
    // A view that had failed is live again if its rebuild got past the event.
    slot->failed = false;
    slot->failure.clear();
    slot->failed_position = 0;
    restart_worker = !slot->worker_running && !stopping();
    if (restart_worker) slot->worker_running = true;
  }
  slot->watermark.Advance(checkpoint);
  if (restart_worker) {
    if (slot->worker.joinable()) slot->worker.join();
    slot->worker = std::thread([this, slot] { RunLive(slot); });
  }
  {
    // Readers that looked up the old name just before the swap finish
    // first; the live worker drops it after the grace period.
    absl::MutexLock lock(&slot->mu);
    slot->to_drop.emplace_back(old_physical, absl::Now() + options_.drop_grace);
  }
  finish(absl::StrCat("generation ", generation, " swapped in at position ", checkpoint, " after ",
                      absl::FormatDuration(absl::Now() - started)));
}

void ProjectionRunner::Report(Slot* slot) {
  if (!options_.observer) return;
  options_.observer(StatusOf(*slot));
}

ViewStatus ProjectionRunner::StatusOf(const Slot& slot) const {
  absl::MutexLock lock(&slot.mu);
  ViewStatus status;
  status.name = slot.name;
  status.checkpoint = slot.checkpoint;
  status.generation = slot.generation;
  status.failed_position = slot.failed_position;
  status.failure = slot.failure;
  status.rebuilding = slot.rebuilding;
  status.rebuild_checkpoint = slot.rebuild_checkpoint;
  status.last_rebuild = slot.last_rebuild;
  if (slot.failed) {
    status.state = ViewStatus::State::kFailed;
  } else if (slot.checkpoint >= log_->CommittedPosition()) {
    status.state = ViewStatus::State::kLive;
  } else {
    status.state = ViewStatus::State::kCatchingUp;
  }
  return status;
}

ProjectionRunner::Slot* ProjectionRunner::Find(absl::string_view name) const {
  for (const auto& slot : slots_) {
    if (slot->name == name) return slot.get();
  }
  return nullptr;
}

std::vector<ViewStatus> ProjectionRunner::Statuses() const {
  std::vector<ViewStatus> out;
  for (const auto& slot : slots_) out.push_back(StatusOf(*slot));
  return out;
}

absl::StatusOr<ViewStatus> ProjectionRunner::Status(absl::string_view name) const {
  const Slot* slot = Find(name);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no view named ", name));
  return StatusOf(*slot);
}

absl::StatusOr<std::string> ProjectionRunner::PhysicalView(absl::string_view name) const {
  const Slot* slot = Find(name);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no view named ", name));
  absl::MutexLock lock(&slot->mu);
  return slot->physical;
}

absl::StatusOr<eventstore::CommitWatermark*> ProjectionRunner::Watermark(absl::string_view name) {
  Slot* slot = Find(name);
  if (slot == nullptr) return absl::NotFoundError(absl::StrCat("no view named ", name));
  return &slot->watermark;
}

absl::StatusOr<std::string> ProjectionRunner::Digest(absl::string_view name) {
  absl::StatusOr<std::string> physical = PhysicalView(name);
  if (!physical.ok()) return physical.status();
  Sha256 sha;
  absl::Status scanned =
      views_->Scan(*physical, "", [&](absl::string_view key, absl::string_view value) {
        sha.UpdateFramed(key);
        sha.UpdateFramed(value);
        return true;
      });
  if (!scanned.ok()) return scanned;
  return sha.FinishHex();
}

}  // namespace iomhub::projections
