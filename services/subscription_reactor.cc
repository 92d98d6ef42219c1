#include "services/subscription_reactor.h"

#include <algorithm>

#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "services/grpc_status.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

constexpr size_t kBatchEvents = 1000;
constexpr size_t kBatchBytes = 1 << 20;
constexpr size_t kBatchScan = 8192;

google::protobuf::Timestamp NowProto() {
  google::protobuf::Timestamp ts;
  const int64_t nanos = absl::ToUnixNanos(absl::Now());
  ts.set_seconds(nanos / 1000000000);
  ts.set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return ts;
}

}  // namespace

bool SubscriptionFilter::Matches(const eventstore::EventPeek& event) const {
  if (!streams.empty() && !streams.contains(event.stream)) return false;
  if (!payload_fields.empty() && !payload_fields.contains(event.payload_field)) return false;
  return true;
}

SubscriptionReactor::SubscriptionReactor(const SubscriptionDeps& deps, uint64_t after_position,
                                         SubscriptionFilter filter,
                                         absl::Duration heartbeat_interval,
                                         std::unique_ptr<DeliveryCursor> delivery,
                                         v1::AuditChannel channel)
    : deps_(deps),
      filter_(std::move(filter)),
      delivery_(std::move(delivery)),
      channel_(std::move(channel)),
      heartbeat_interval_(heartbeat_interval),
      checkpoint_(after_position),
      last_sent_(absl::Now()) {
  deps_.metrics->SubscriberOpened();
}

void SubscriptionReactor::Start() {
  deps_.registry->Add(this);
  absl::MutexLock lock(&mu_);
  ScheduleReadLocked();
}

void SubscriptionReactor::ScheduleReadLocked() {
  state_ = State::kReading;
  deps_.executor->Schedule([this] { ReadNext(); });
}

void SubscriptionReactor::FinishLocked(const grpc::Status& status) {
  if (state_ == State::kFinished) return;
  state_ = State::kFinished;
  Finish(status);
}

void SubscriptionReactor::WriteHeartbeatLocked(uint64_t committed) {
  v1::SubscribeResponse message;
  v1::Heartbeat* hb = message.mutable_heartbeat();
  // `committed` may have been sampled before this subscriber's last read,
  // so never report a head behind what we have already examined.
  committed = std::max(committed, checkpoint_);
  hb->set_head_position(committed);
  hb->set_checkpoint(checkpoint_);
  *hb->mutable_sent_at() = NowProto();
  deps_.metrics->ObserveSubscriberLag(committed - checkpoint_);
  response_ = ToByteBuffer(message);
  last_sent_ = absl::Now();
  state_ = State::kWriting;
  StartWrite(&response_);
}

// Reads from `from`: a batch of what the subscriber may receive, and
// starts its audit record. Runs only in state kReading.
SubscriptionReactor::Fetched SubscriptionReactor::Fetch(uint64_t from) {
  Fetched out;
  delivery_->Refresh();
  WireBatch batch;
  std::string trimmed;
  absl::StatusOr<eventstore::ReadBatch> read = deps_.store->VisitAll(
      from, kBatchEvents, kBatchBytes, kBatchScan,
      [&](uint64_t position, absl::string_view bytes) -> absl::StatusOr<bool> {
        if (out.blocked_at != 0) return false;
        IOMHUB_ASSIGN_OR_RETURN(eventstore::EventPeek peek, eventstore::PeekEvent(bytes));
        if (!filter_.empty() && !filter_.Matches(peek)) return false;
        return delivery_->OfferInto(position, bytes, peek, &batch, &out.blocked_at, &trimmed);
      });
  if (!read.ok()) {
    out.status = read.status();
    return out;
  }
  out.checkpoint = out.blocked_at != 0 ? out.blocked_at - 1 : read->next - 1;
  out.end = read->end;
  out.events = batch.events();
  if (out.events > 0) {
    batch.AddVarint(v1::EventBatch::kCheckpointFieldNumber, out.checkpoint);
    grpc::Slice slice(batch.WrappedAs(v1::SubscribeResponse::kEventsFieldNumber));
    out.message = grpc::ByteBuffer(&slice, 1);
    out.record = deps_.audit->RecordDeliveryAsync(*delivery_, channel_);
  }
  return out;
}

// Runs on the ReadExecutor, only in state kReading: nothing else touches the
// cursor meanwhile, so the disk read happens without holding mu_.
void SubscriptionReactor::ReadNext() {
  uint64_t from;
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return FinishLocked(grpc::Status::CANCELLED);
    if (stop_.has_value()) return FinishLocked(*stop_);
    if (absl::Now() - last_sent_ >= heartbeat_interval_) {
      return WriteHeartbeatLocked(deps_.store->CommittedPosition());
    }
    from = checkpoint_ + 1;
  }
  Fetched current;
  if (ahead_.has_value()) {
    current = std::move(*ahead_);
    ahead_.reset();
  } else {
    current = Fetch(from);
  }
  // Catching up: read the next batch while this one's record commits.
  if (current.status.ok() && current.events > 0 && !current.end && current.blocked_at == 0) {
    ahead_ = Fetch(current.checkpoint + 1);
  }
  // The batch's audit record is durable before the batch is written.
  absl::Status audited = current.events > 0 ? current.record->Wait() : absl::OkStatus();

  absl::MutexLock lock(&mu_);
  if (!current.status.ok()) return FinishLocked(ToGrpcStatus(current.status));
  if (!audited.ok()) return FinishLocked(ToGrpcStatus(audited));
  checkpoint_ = current.checkpoint;
  if (current.events > 0) {
    deps_.metrics->RecordReadEvents("Subscribe", current.events);
    response_ = std::move(current.message);
    const uint64_t head = deps_.store->CommittedPosition();
    deps_.metrics->ObserveSubscriberLag(head > checkpoint_ ? head - checkpoint_ : 0);
    last_sent_ = absl::Now();
    state_ = State::kWriting;
    StartWrite(&response_);
    return;
  }
  if (cancelled_) return FinishLocked(grpc::Status::CANCELLED);
  if (stop_.has_value()) return FinishLocked(*stop_);
  if (current.blocked_at != 0) {
    // The decision for `blocked_at` needs the person's state up to it.
    state_ = State::kWaiting;
    waiting_for_facts_ = true;
    delivery_->facts_watermark().Watch(this, current.blocked_at, last_sent_ + heartbeat_interval_);
    return;
  }
  if (!current.end) return ScheduleReadLocked();  // a sparse filter: keep scanning, but yield
  state_ = State::kWaiting;
  waiting_for_facts_ = false;
  deps_.store->watermark().Watch(this, checkpoint_ + 1, last_sent_ + heartbeat_interval_);
}

void SubscriptionReactor::WatermarkReached(uint64_t /*committed*/) {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kWaiting) return;
  if (cancelled_) return FinishLocked(grpc::Status::CANCELLED);
  if (stop_.has_value()) return FinishLocked(*stop_);
  ScheduleReadLocked();
}

void SubscriptionReactor::WatermarkDeadline(uint64_t /*watermark*/) {
  absl::MutexLock lock(&mu_);
  if (state_ != State::kWaiting) return;
  if (cancelled_) return FinishLocked(grpc::Status::CANCELLED);
  if (stop_.has_value()) return FinishLocked(*stop_);
  if (waiting_for_facts_) {
    absl::Status healthy = delivery_->FactsViewHealthy();
    if (!healthy.ok()) return FinishLocked(ToGrpcStatus(healthy));
  }
  WriteHeartbeatLocked(deps_.store->CommittedPosition());
}

void SubscriptionReactor::Stop(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  stop_ = status;
  if (state_ == State::kWaiting) FinishLocked(status);
}

void SubscriptionReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  if (!ok || cancelled_) return FinishLocked(grpc::Status::CANCELLED);
  if (stop_.has_value()) return FinishLocked(*stop_);
  ScheduleReadLocked();
}

void SubscriptionReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  if (state_ == State::kWaiting) FinishLocked(grpc::Status::CANCELLED);
}

void SubscriptionReactor::OnDone() {
  // After this no watermark callback runs or will run for us.
  deps_.store->watermark().Unwatch(this);
  delivery_->facts_watermark().Unwatch(this);
  deps_.registry->Remove(this);
  deps_.metrics->SubscriberClosed();
  // Finish may have been called from ReadNext on an executor thread that
  // still holds mu_ (OnDone can run on a gRPC thread as soon as Finish is
  // called): wait until it has let go before the mutex is destroyed.
  { absl::MutexLock lock(&mu_); }
  delete this;
}

void SubscriptionRegistry::Add(SubscriptionReactor* r) {
  std::optional<grpc::Status> stopped;
  {
    absl::MutexLock lock(&mu_);
    open_.insert(r);
    stopped = stopped_;
  }
  if (stopped.has_value()) r->Stop(*stopped);
}

void SubscriptionRegistry::Remove(SubscriptionReactor* r) {
  absl::MutexLock lock(&mu_);
  open_.erase(r);
}

void SubscriptionRegistry::StopAll(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  stopped_ = status;
  for (SubscriptionReactor* r : open_) r->Stop(status);
}

bool SubscriptionRegistry::WaitUntilEmpty(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(
      absl::Condition(
          +[](absl::flat_hash_set<SubscriptionReactor*>* s) { return s->empty(); }, &open_),
      timeout);
}

}  // namespace iomhub::services
