// LiveNotifier: the registry of subscriptions that have caught up with the
// log and wait for more. A commit wakes them all; a periodic tick offers each
// a heartbeat. The committed-position watermark is the only signal: woken
// subscribers read the new events from the log themselves, so the notifier
// holds no events and a slow subscriber costs no memory.
//
// Thread-safe. Waiters are called with the notifier's lock held, so Remove()
// returning means the waiter is not being called and will not be again.
#ifndef IOMHUB_SERVICES_LIVE_NOTIFIER_H_
#define IOMHUB_SERVICES_LIVE_NOTIFIER_H_

#include <cstdint>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace iomhub::services {

class LiveWaiter {
 public:
  virtual ~LiveWaiter() = default;
  // The log grew to `committed`. Must not block.
  virtual void Wake(uint64_t committed) = 0;
  // Time passed; return true if the waiter left the waiting set (e.g. it
  // started writing a heartbeat). Must not block.
  virtual bool Tick(absl::Time now, uint64_t committed) = 0;
};

class LiveNotifier {
 public:
  void Add(LiveWaiter* waiter);
  void Remove(LiveWaiter* waiter);
  // Wakes and removes every waiter.
  void NotifyCommitted(uint64_t committed);
  void TickAll(absl::Time now, uint64_t committed);
  size_t size();

 private:
  absl::Mutex mu_;
  absl::flat_hash_set<LiveWaiter*> waiters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_LIVE_NOTIFIER_H_
