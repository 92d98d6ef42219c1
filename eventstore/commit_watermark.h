// CommitWatermark: a position that only rises (the log's committed position,
// or a projection's checkpoint), and a level-triggered way to wait for it.
//
// Level-triggered means a waiter asks for "the watermark has reached P" and
// is told once it holds — at once if it already does — however many (or
// few) advances happened meanwhile; there is no notification to miss while
// registering, so no registering/re-check dance. Advance() only raises the
// number and wakes a dispatcher: it never runs a callback, so the log's
// commit thread never pays for waiters.
//
// Thread safety: all methods may be called from any thread. Callbacks run on
// the watermark's own dispatch thread (started on the first Watch), one at a
// time, never inside a caller's call — so a caller may register while
// holding its own lock, and a callback may take that lock.
#ifndef IOMHUB_EVENTSTORE_COMMIT_WATERMARK_H_
#define IOMHUB_EVENTSTORE_COMMIT_WATERMARK_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <thread>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace iomhub::eventstore {

// Something that waits on a CommitWatermark. Exactly one of the two is
// called per Watch, on the dispatch thread; neither may block for long.
class WatermarkWaiter {
 public:
  virtual ~WatermarkWaiter() = default;
  // The watermark reached the target (it is `watermark` now, >= target).
  virtual void WatermarkReached(uint64_t watermark) = 0;
  // The deadline passed first (the watermark is `watermark`, < target).
  virtual void WatermarkDeadline(uint64_t watermark) = 0;
};

class CommitWatermark {
 public:
  explicit CommitWatermark(uint64_t initial = 0);
  // Stops the dispatch thread. REQUIRES: no waiter is registered.
  ~CommitWatermark();
  CommitWatermark(const CommitWatermark&) = delete;
  CommitWatermark& operator=(const CommitWatermark&) = delete;

  uint64_t position() const { return position_.load(std::memory_order_acquire); }

  // Raises the watermark to `position` (a lower value is ignored).
  void Advance(uint64_t position);

  // Registers `waiter` for one callback, replacing an earlier registration
  // of the same waiter: WatermarkReached once position() >= target,
  // WatermarkDeadline at `deadline` if that comes first
  // (absl::InfiniteFuture(): never). `waiter` is not owned; see Unwatch.
  void Watch(WatermarkWaiter* waiter, uint64_t target, absl::Time deadline);

  // After Unwatch returns, `waiter` is not registered and no callback for it
  // is running or will run, so it may be destroyed. Waits for a running
  // callback to return, except when called from that callback itself.
  // REQUIRES: the caller holds no lock that `waiter`'s callbacks take.
  void Unwatch(WatermarkWaiter* waiter);

  // Blocks until position() >= target or `deadline`; true if reached.
  bool WaitFor(uint64_t target, absl::Time deadline) const;

  // How many waiters are registered (for metrics and tests).
  size_t waiters() const;

 private:
  struct Entry {
    std::multimap<uint64_t, WatermarkWaiter*>::iterator by_target;
    std::multimap<absl::Time, WatermarkWaiter*>::iterator by_deadline;
  };
  void RemoveLocked(WatermarkWaiter* waiter) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool DueLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DispatchLoop();

  mutable absl::Mutex mu_;
  std::atomic<uint64_t> position_;
  absl::flat_hash_map<WatermarkWaiter*, Entry> waiters_ ABSL_GUARDED_BY(mu_);
  std::multimap<uint64_t, WatermarkWaiter*> by_target_ ABSL_GUARDED_BY(mu_);
  std::multimap<absl::Time, WatermarkWaiter*> by_deadline_ ABSL_GUARDED_BY(mu_);
  WatermarkWaiter* running_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread dispatcher_;  // started under mu_ by the first Watch
  std::thread::id dispatcher_id_;
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_COMMIT_WATERMARK_H_
