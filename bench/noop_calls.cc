#include "bench/noop_calls.h"

#include <chrono>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"

namespace iomhub::bench {
namespace {

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";

class NoopLoop {
 public:
  NoopLoop(const std::vector<std::shared_ptr<grpc::Channel>>& channels, int inflight,
           absl::Duration duration)
      : slots_(inflight) {
    for (const auto& channel : channels)
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
    start_ = absl::Now();
    deadline_ = start_ + duration;
    active_ = inflight;
    for (int i = 0; i < inflight; ++i) {
      slots_[i].index = i;
      // HealthCheckRequest{service: ""} is empty on the wire; a ByteBuffer
      // must still hold one (empty) slice to be a message.
      grpc::Slice empty("");
      slots_[i].request = grpc::ByteBuffer(&empty, 1);
    }
  }

  NoopOutcome Run() {
    for (Slot& slot : slots_) Issue(&slot);
    NoopOutcome out;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](int* active) { return *active == 0; }, &active_));
      out.elapsed = end_ - start_;
    }
    for (Slot& slot : slots_) {
      out.calls += slot.calls;
      out.errors += slot.errors;
      out.latency.Merge(slot.latency);
      if (out.first_error.empty()) out.first_error = slot.first_error;
    }
    return out;
  }

 private:
  struct Slot {
    int index = 0;
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    absl::Time sent;
    LatencySamples latency;
    int64_t calls = 0;
    int64_t errors = 0;
    std::string first_error;
  };

  void Issue(Slot* slot) {
    if (absl::Now() >= deadline_) {
      absl::MutexLock lock(&mu_);
      if (--active_ == 0) end_ = absl::Now();
      return;
    }
    slot->ctx = std::make_unique<grpc::ClientContext>();
    slot->ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    slot->sent = absl::Now();
    stubs_[slot->index % stubs_.size()]->UnaryCall(
        slot->ctx.get(), kHealthCheck, grpc::StubOptions(), &slot->request, &slot->response,
        [this, slot](grpc::Status status) {
          slot->latency.Add(absl::Now() - slot->sent);
          if (status.ok()) {
            ++slot->calls;
          } else if (slot->errors++ == 0) {
            slot->first_error = absl::StrCat(status.error_code(), " ", status.error_message());
          }
          Issue(slot);
        });
  }

  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<Slot> slots_;
  absl::Time start_, deadline_;
  absl::Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_);
  absl::Time end_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

NoopOutcome RunNoopCalls(const std::vector<std::shared_ptr<grpc::Channel>>& channels, int inflight,
                         absl::Duration duration) {
  NoopLoop loop(channels, inflight, duration);
  return loop.Run();
}

}  // namespace iomhub::bench
