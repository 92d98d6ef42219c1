// ReadExecutor: a small fixed pool of threads that run log reads for
// streaming calls, so no gRPC callback thread ever waits on disk. Tasks run
// in FIFO order; Shutdown runs what is queued, then joins. Thread-safe.
#ifndef IOMHUB_SERVICES_READ_EXECUTOR_H_
#define IOMHUB_SERVICES_READ_EXECUTOR_H_

#include <deque>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/synchronization/mutex.h"

namespace iomhub::services {

class ReadExecutor {
 public:
  explicit ReadExecutor(int threads);
  ~ReadExecutor();  // Shutdown()

  // Queues `task`. After Shutdown the task runs inline.
  void Schedule(absl::AnyInvocable<void() &&> task);
  void Shutdown();

 private:
  void Loop();

  absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> tasks_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_READ_EXECUTOR_H_
