#include "bench/noop_calls.h"

#include <chrono>

#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"

namespace iomhub::bench {
namespace {

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";

class NoopLoop {
 public:
  NoopLoop(const std::vector<std::shared_ptr<grpc::Channel>>& channels, int inflight,
           absl::Duration duration)
      : slots_(inflight), loop_(inflight, duration) {
    for (const auto& channel : channels) {
      stubs_.push_back(std::make_unique<grpc::GenericStub>(channel));
    }
    for (int i = 0; i < inflight; ++i) {
      slots_[i].index = i;
      // HealthCheckRequest{service: ""} is empty on the wire; a ByteBuffer
      // must still hold one (empty) slice to be a message.
      grpc::Slice empty("");
      slots_[i].request = grpc::ByteBuffer(&empty, 1);
    }
  }

  LoopOutcome Run() {
    std::vector<const SlotTally*> tallies;
    for (Slot& slot : slots_) tallies.push_back(&slot.tally);
    for (Slot& slot : slots_) Issue(&slot);
    return loop_.Wait(tallies);
  }

 private:
  struct Slot {
    int index = 0;
    std::unique_ptr<grpc::ClientContext> ctx;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    absl::Time sent;
    SlotTally tally;
  };

  void Issue(Slot* slot) {
    if (loop_.Expired()) {
      loop_.Stop();
      return;
    }
    slot->ctx = std::make_unique<grpc::ClientContext>();
    slot->ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    slot->sent = absl::Now();
    stubs_[slot->index % stubs_.size()]->UnaryCall(
        slot->ctx.get(), kHealthCheck, grpc::StubOptions(), &slot->request, &slot->response,
        [this, slot](grpc::Status status) {
          slot->tally.Record(slot->sent, status, 1);
          Issue(slot);
        });
  }

  std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<Slot> slots_;
  ClosedLoop loop_;
};

}  // namespace

LoopOutcome RunNoopCalls(const std::vector<std::shared_ptr<grpc::Channel>>& channels, int inflight,
                         absl::Duration duration) {
  NoopLoop loop(channels, inflight, duration);
  return loop.Run();
}

}  // namespace iomhub::bench
