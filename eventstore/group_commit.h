// GroupCommitQueue: many producers push pending appends; one committer
// drains them all at once so a whole batch shares one WriteBatch and one
// fsync. Bounded in bytes: a push over the bound is refused, not queued.
// Thread-safe.
#ifndef IOMHUB_EVENTSTORE_GROUP_COMMIT_H_
#define IOMHUB_EVENTSTORE_GROUP_COMMIT_H_

#include <deque>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"

namespace iomhub::eventstore {

template <typename T>
class GroupCommitQueue {
 public:
  explicit GroupCommitQueue(size_t max_bytes) : max_bytes_(max_bytes) {}

  enum class PushResult { kQueued, kFull, kClosed };

  // Queues `item` of `bytes` unless the queue is closed or would exceed its
  // byte bound (an item is always accepted into an empty queue). `item` is
  // moved from only when queued.
  PushResult Push(T&& item, size_t bytes) {
    absl::MutexLock lock(&mu_);
    if (closed_) return PushResult::kClosed;
    if (pending_bytes_ > 0 && pending_bytes_ + bytes > max_bytes_) return PushResult::kFull;
    pending_bytes_ += bytes;
    items_.emplace_back(std::move(item), bytes);
    return PushResult::kQueued;
  }

  // Blocks until items are queued or the queue is closed, then moves out
  // queued items, oldest first, until `max_weight` (as counted by `weight`)
  // is reached (always at least one). Returns an empty vector only when the
  // queue is closed and drained.
  template <typename WeightFn>
  std::vector<T> DrainBatch(size_t max_weight, WeightFn weight) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](GroupCommitQueue* q) ABSL_EXCLUSIVE_LOCKS_REQUIRED(q->mu_) {
          return q->closed_ || !q->items_.empty();
        },
        this));
    std::vector<T> out;
    size_t total = 0;
    while (!items_.empty() && (out.empty() || total + weight(items_.front().first) <= max_weight)) {
      total += weight(items_.front().first);
      pending_bytes_ -= items_.front().second;
      out.push_back(std::move(items_.front().first));
      items_.pop_front();
    }
    return out;
  }

  // Refuses further pushes; DrainBatch still returns what is queued.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

 private:
  const size_t max_bytes_;
  absl::Mutex mu_;
  std::deque<std::pair<T, size_t>> items_ ABSL_GUARDED_BY(mu_);
  size_t pending_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_GROUP_COMMIT_H_
