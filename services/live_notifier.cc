#include "services/live_notifier.h"

#include <vector>

namespace iomhub::services {

void LiveNotifier::Add(LiveWaiter* waiter) {
  absl::MutexLock lock(&mu_);
  waiters_.insert(waiter);
}

void LiveNotifier::Remove(LiveWaiter* waiter) {
  absl::MutexLock lock(&mu_);
  waiters_.erase(waiter);
}

void LiveNotifier::NotifyCommitted(uint64_t committed) {
  absl::MutexLock lock(&mu_);
  for (LiveWaiter* w : waiters_) w->Wake(committed);
  waiters_.clear();
}

void LiveNotifier::TickAll(absl::Time now, uint64_t committed) {
  absl::MutexLock lock(&mu_);
  std::vector<LiveWaiter*> left;
  for (LiveWaiter* w : waiters_) {
    if (w->Tick(now, committed)) left.push_back(w);
  }
  for (LiveWaiter* w : left) waiters_.erase(w);
}

size_t LiveNotifier::size() {
  absl::MutexLock lock(&mu_);
  return waiters_.size();
}

}  // namespace iomhub::services
