#include "services/append_stream.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/grpc_status.h"
#include "services/wire_batch.h"

namespace iomhub::services {

v1::AppendResponse AppendResponseOf(const eventstore::AppendResult& result) {
  v1::AppendResponse response;
  response.set_first_position(result.first_position);
  response.set_last_position(result.last_position);
  response.set_last_stream_version(result.last_stream_version);
  response.set_idempotent_replay(result.idempotent_replay);
  return response;
}

AppendStreamReactor::AppendStreamReactor(AppendSubmitter submit, HubMetrics* metrics)
    : submit_(std::move(submit)), metrics_(metrics) {
  StartRead(&in_);
}

void AppendStreamReactor::OnReadDone(bool ok) {
  v1::AppendRequest request;
  uint64_t sequence = 0;
  bool submit = false;
  Next next;
  {
    absl::MutexLock lock(&mu_);
    if (!ok) {
      reads_done_ = true;  // the sender is done, or the call ended
    } else if (absl::Status parsed = ParseByteBuffer(in_, &request); !parsed.ok()) {
      // The stream's framing is no longer trusted: stop reading, answer what
      // was read, then end the call with the reason.
      failure_ =
          absl::InvalidArgumentError(absl::StrCat("message ", read_, ": ", parsed.message()));
      metrics_->RecordRejected("AppendStream", failure_.code());
      reads_done_ = true;
    } else {
      sequence = read_++;
      submit = true;
    }
    // While an append is being submitted the read counts as in flight, so
    // the call cannot end (and this reactor go) under Submit.
    if (!submit) {
      reading_ = false;
      next = Decide();
    }
  }
  if (!submit) return Start(next);
  // Outside the lock: an append refused before it reaches the store is
  // answered at once, on this thread.
  submit_(std::move(request), [this, sequence](absl::StatusOr<eventstore::AppendResult> result) {
    Answered(sequence, result);
  });
  {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    next = Decide();
  }
  Start(next);
}

void AppendStreamReactor::Answered(uint64_t sequence,
                                   const absl::StatusOr<eventstore::AppendResult>& result) {
  v1::AppendStreamResponse response;
  response.set_sequence(sequence);
  if (result.ok()) {
    *response.mutable_appended() = AppendResponseOf(*result);
  } else {
    *response.mutable_error() = ToRpcStatus(result.status());
  }
  Next next;
  {
    absl::MutexLock lock(&mu_);
    ready_.emplace(sequence, std::move(response));
    next = Decide();
  }
  Start(next);
}

void AppendStreamReactor::OnWriteDone(bool ok) {
  Next next;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) peer_gone_ = true;
    next = Decide();
  }
  Start(next);
}

AppendStreamReactor::Next AppendStreamReactor::Decide() {
  Next next;
  if (peer_gone_) {
    // Nobody reads the answers any more; the appends still finish (they
    // are durable either way) before the call may end.
    written_ += ready_.size();
    ready_.clear();
    if (!reading_) reads_done_ = true;
  }
  if (!writing_ && !ready_.empty() && ready_.begin()->first == written_) {
    out_ = ToByteBuffer(ready_.begin()->second);
    ready_.erase(ready_.begin());
    ++written_;
    writing_ = true;
    next.write = true;
  }
  if (!reading_ && !reads_done_ && !peer_gone_ && read_ - written_ < kWindow) {
    reading_ = true;
    next.read = true;
  }
  if (reads_done_ && !reading_ && !writing_ && written_ == read_ && !finished_) {
    finished_ = true;
    next.finish = true;
    next.status = ToGrpcStatus(failure_);
  }
  return next;
}

void AppendStreamReactor::Start(const Next& next) {
  if (next.write) StartWrite(&out_);
  if (next.read) StartRead(&in_);
  if (next.finish) Finish(next.status);
}

}  // namespace iomhub::services
