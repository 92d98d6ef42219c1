#include "eventstore/commit_watermark.h"

#include "absl/time/clock.h"

namespace iomhub::eventstore {

CommitWatermark::CommitWatermark(uint64_t initial) : position_(initial) {}

CommitWatermark::~CommitWatermark() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (dispatcher_.joinable()) dispatcher_.join();
}

void CommitWatermark::Advance(uint64_t position) {
  absl::MutexLock lock(&mu_);
  if (position > position_.load(std::memory_order_relaxed)) {
    position_.store(position, std::memory_order_release);
  }
}

void CommitWatermark::Watch(WatermarkWaiter* waiter, uint64_t target, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  RemoveLocked(waiter);
  Entry entry{.by_target = by_target_.emplace(target, waiter),
              .by_deadline = by_deadline_.emplace(deadline, waiter)};
  waiters_.emplace(waiter, entry);
  if (!dispatcher_.joinable()) {
    dispatcher_ = std::thread([this] { DispatchLoop(); });
    dispatcher_id_ = dispatcher_.get_id();
  }
}

void CommitWatermark::Unwatch(WatermarkWaiter* waiter) {
  absl::MutexLock lock(&mu_);
  RemoveLocked(waiter);
  if (std::this_thread::get_id() == dispatcher_id_) return;  // from its own callback
  struct Args {
    CommitWatermark* self;
    WatermarkWaiter* waiter;
  } args{this, waiter};
  mu_.Await(absl::Condition(
      +[](Args* a) ABSL_NO_THREAD_SAFETY_ANALYSIS { return a->self->running_ != a->waiter; },
      &args));
}

void CommitWatermark::RemoveLocked(WatermarkWaiter* waiter) {
  auto it = waiters_.find(waiter);
  if (it == waiters_.end()) return;
  by_target_.erase(it->second.by_target);
  by_deadline_.erase(it->second.by_deadline);
  waiters_.erase(it);
}

bool CommitWatermark::WaitFor(uint64_t target, absl::Time deadline) const {
  if (position() >= target) return true;
  absl::MutexLock lock(&mu_);
  struct Args {
    const CommitWatermark* self;
    uint64_t target;
  } args{this, target};
  return mu_.AwaitWithDeadline(
      absl::Condition(+[](Args* a) { return a->self->position() >= a->target; }, &args),
      deadline);
}

size_t CommitWatermark::waiters() const {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

bool CommitWatermark::DueLocked() const {
  if (stopping_) return true;
  if (!by_target_.empty() && by_target_.begin()->first <= position()) return true;
  return !by_deadline_.empty() && by_deadline_.begin()->first <= absl::Now();
}

void CommitWatermark::DispatchLoop() {
  absl::MutexLock lock(&mu_);
  while (true) {
    const absl::Time next_deadline =
        by_deadline_.empty() ? absl::InfiniteFuture() : by_deadline_.begin()->first;
    mu_.AwaitWithDeadline(
        absl::Condition(
            +[](CommitWatermark* self) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return self->DueLocked();
            },
            this),
        next_deadline);
    if (stopping_) return;
    // Reached targets before deadlines: a waiter that is both due gets Reached.
    WatermarkWaiter* waiter = nullptr;
    bool reached = false;
    const uint64_t now_position = position();
    if (!by_target_.empty() && by_target_.begin()->first <= now_position) {
      waiter = by_target_.begin()->second;
      reached = true;
    } else if (!by_deadline_.empty() && by_deadline_.begin()->first <= absl::Now()) {
      waiter = by_deadline_.begin()->second;
    } else {
      continue;
    }
    RemoveLocked(waiter);
    running_ = waiter;
    mu_.Unlock();
    if (reached) {
      waiter->WatermarkReached(now_position);
    } else {
      waiter->WatermarkDeadline(now_position);
    }
    mu_.Lock();
    running_ = nullptr;
  }
}

}  // namespace iomhub::eventstore
