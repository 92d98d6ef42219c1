// EventService.AppendStream: a bidirectional stream of appends. Each request
// message is one atomic append, submitted as it is read (so a partner's
// appends to different streams share group commits), answered in request
// order once durable. A window bounds what is unanswered: at kWindow the
// reactor stops reading, which is gRPC flow control back to the sender.
//
// Thread safety: gRPC calls the reactions on its threads and the appends
// finish on the store's commit thread; the state is guarded by one mutex
// and every Start*/Finish is called outside it.
#ifndef IOMHUB_SERVICES_APPEND_STREAM_H_
#define IOMHUB_SERVICES_APPEND_STREAM_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "eventstore/event_store.h"
#include "grpcpp/grpcpp.h"
#include "iomhub/v1/event_service.pb.h"
#include "services/hub_metrics.h"

namespace iomhub::services {

// Submits one append; `done` is called exactly once with its result (on
// any thread, possibly before Submit returns).
using AppendSubmitter =
    std::function<void(v1::AppendRequest request, eventstore::AppendCallback done)>;

// What Append answers (and AppendStream's `appended`) for a result.
v1::AppendResponse AppendResponseOf(const eventstore::AppendResult& result);

class AppendStreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // Unanswered appends at most (read but not yet answered).
  static constexpr uint64_t kWindow = 256;

  // Starts reading. `metrics` is not owned and must outlive the call.
  AppendStreamReactor(AppendSubmitter submit, HubMetrics* metrics);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnDone() override { delete this; }

 private:
  // What to start once the lock is released.
  struct Next {
    bool read = false;
    bool write = false;
    bool finish = false;
    grpc::Status status;
  };
  void Answered(uint64_t sequence, const absl::StatusOr<eventstore::AppendResult>& result);
  Next Decide() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Start(const Next& next);

  const AppendSubmitter submit_;
  HubMetrics* const metrics_;

  absl::Mutex mu_;
  grpc::ByteBuffer in_;  // the one read in flight
  // The one write in flight: set under mu_ while no write is in flight.
  grpc::ByteBuffer out_;
  uint64_t read_ ABSL_GUARDED_BY(mu_) = 0;     // requests read (the next sequence)
  uint64_t written_ ABSL_GUARDED_BY(mu_) = 0;  // answers written or dropped
  // Answered, not yet written, by sequence.
  std::map<uint64_t, v1::AppendStreamResponse> ready_ ABSL_GUARDED_BY(mu_);
  bool reading_ ABSL_GUARDED_BY(mu_) = true;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool peer_gone_ ABSL_GUARDED_BY(mu_) = false;  // a write failed: answers are dropped
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);  // ends the call once the window drains
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_APPEND_STREAM_H_
