// ReadReactor<Response>: serves a finite server-streaming read (ReadStream
// with parsed messages, ReadAll with raw bytes) batch by batch. Each batch is
// fetched on the ReadExecutor, never on a gRPC thread; one write is in flight
// at a time, which gives back-pressure for free. Deletes itself when done.
#ifndef IOMHUB_SERVICES_READ_REACTOR_H_
#define IOMHUB_SERVICES_READ_REACTOR_H_

#include <atomic>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "grpcpp/support/server_callback.h"
#include "services/grpc_status.h"
#include "services/read_executor.h"

namespace iomhub::services {

template <typename Response>
class ReadReactor : public grpc::ServerWriteReactor<Response> {
 public:
  // Fills the next batch and returns whether it holds anything to send; sets
  // *end when nothing follows it. A non-OK status ends the call with it.
  using NextBatch = absl::AnyInvocable<absl::StatusOr<bool>(Response* batch, bool* end)>;

  ReadReactor(ReadExecutor* executor, NextBatch next)
      : executor_(executor), next_(std::move(next)) {}

  // Call once, after construction.
  void Start() {
    executor_->Schedule([this] { FetchAndWrite(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return this->Finish(grpc::Status::CANCELLED);
    if (end_) return this->Finish(grpc::Status::OK);
    executor_->Schedule([this] { FetchAndWrite(); });
  }
  void OnCancel() override { cancelled_ = true; }
  void OnDone() override { delete this; }

 private:
  // Invariant: exactly one of {a scheduled FetchAndWrite, a write in flight,
  // Finish called} holds, so OnDone cannot run while a task still uses `this`.
  void FetchAndWrite() {
    if (cancelled_) return this->Finish(grpc::Status::CANCELLED);
    batch_ = Response();
    absl::StatusOr<bool> has_data = next_(&batch_, &end_);
    if (!has_data.ok()) return this->Finish(ToGrpcStatus(has_data.status()));
    if (!*has_data) return this->Finish(grpc::Status::OK);
    this->StartWrite(&batch_);
  }

  ReadExecutor* const executor_;
  NextBatch next_;
  Response batch_;
  bool end_ = false;
  std::atomic<bool> cancelled_{false};
};

// A server-streaming reactor already finished with `status`: a call refused
// before it starts (deletes itself when gRPC is done with it).
template <typename Reactor>
Reactor* RefusedReactor(const absl::Status& status) {
  class Refused : public Reactor {
   public:
    explicit Refused(const absl::Status& s) { this->Finish(ToGrpcStatus(s)); }
    void OnDone() override { delete this; }
  };
  return new Refused(status);
}

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_READ_REACTOR_H_
