// CommitListeners: the registry behind EventStore::AddCommitListener and
// RemoveCommitListener, shared by every EventStore implementation. Notify
// calls each listener with a committed position, never a lower one than
// before (a position at or below the last notified is skipped).
//
// Thread-safe. Listeners run under the registry's lock, so Remove returning
// means the listener is not running and will not run again; a listener must
// not call Add or Remove.
#ifndef IOMHUB_EVENTSTORE_COMMIT_LISTENERS_H_
#define IOMHUB_EVENTSTORE_COMMIT_LISTENERS_H_

#include <cstdint>
#include <map>

#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"

namespace iomhub::eventstore {

class CommitListeners {
 public:
  uint64_t Add(CommitListener listener) {
    absl::MutexLock lock(&mu_);
    const uint64_t id = next_id_++;
    listeners_.emplace(id, std::move(listener));
    return id;
  }
  void Remove(uint64_t id) {
    absl::MutexLock lock(&mu_);
    listeners_.erase(id);
  }
  void Notify(uint64_t committed) {
    absl::MutexLock lock(&mu_);
    if (committed <= last_notified_) return;
    last_notified_ = committed;
    for (auto& [id, listener] : listeners_) listener(committed);
  }

 private:
  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  uint64_t last_notified_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<uint64_t, CommitListener> listeners_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::eventstore

#endif  // IOMHUB_EVENTSTORE_COMMIT_LISTENERS_H_
