#include "services/read_reactor.h"

#include "services/grpc_status.h"

namespace iomhub::services {

ReadReactor::ReadReactor(ReadExecutor* executor, NextBatch next)
    : executor_(executor), next_(std::move(next)) {}

void ReadReactor::Start() {
  executor_->Schedule([this] { FetchAndWrite(); });
}

// Invariant: exactly one of {a scheduled FetchAndWrite, a write in flight,
// Finish called} holds, so OnDone cannot run while a task still uses `this`.
void ReadReactor::FetchAndWrite() {
  if (cancelled_) {
    Finish(grpc::Status::CANCELLED);
    return;
  }
  batch_.Clear();
  absl::Status s = next_(&batch_, &end_);
  if (!s.ok()) {
    Finish(ToGrpcStatus(s));
    return;
  }
  if (batch_.events_size() == 0) {
    Finish(grpc::Status::OK);
    return;
  }
  StartWrite(&batch_);
}

void ReadReactor::OnWriteDone(bool ok) {
  if (!ok) {
    Finish(grpc::Status::CANCELLED);
    return;
  }
  if (end_) {
    Finish(grpc::Status::OK);
    return;
  }
  executor_->Schedule([this] { FetchAndWrite(); });
}

}  // namespace iomhub::services
