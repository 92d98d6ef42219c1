// SubscriptionReactor: one Subscribe call. It keeps a cursor into the log
// (the log is the buffer) and moves between four states:
//   reading  — a ReadNext task is scheduled on the ReadExecutor;
//   writing  — one batch or heartbeat is in flight (back-pressure);
//   waiting  — caught up: watching the log's CommitWatermark for the next
//              position, with the next heartbeat as the deadline;
//   finished — Finish called; OnDone deletes the reactor.
// The watermark is level-triggered and calls back on its own thread, so
// registering under mu_ can neither miss a commit nor deadlock: there is no
// registering state. Positions are delivered in order, each at most once,
// with no gap: the cursor only moves past a position once that position has
// been examined, and reads never pass the committed watermark.
//
// gRPC never runs a write reactor's reactions inline inside StartWrite or
// Finish, so calling them under mu_ is safe.
#ifndef IOMHUB_SERVICES_SUBSCRIPTION_REACTOR_H_
#define IOMHUB_SERVICES_SUBSCRIPTION_REACTOR_H_

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "eventstore/commit_watermark.h"
#include "eventstore/event_peek.h"
#include "eventstore/event_store.h"
#include "grpcpp/support/server_callback.h"
#include "iomhub/v1/subscription_service.pb.h"
#include "services/audit_trail.h"
#include "services/delivery_cursor.h"
#include "services/hub_metrics.h"
#include "services/read_executor.h"

namespace iomhub::services {

class SubscriptionRegistry;

struct SubscriptionFilter {
  absl::flat_hash_set<int> payload_fields;   // empty: every event type
  absl::flat_hash_set<std::string> streams;  // empty: every stream
  bool empty() const { return payload_fields.empty() && streams.empty(); }
  bool Matches(const eventstore::EventPeek& event) const;
};

// What every subscription shares; owned by the SubscriptionService.
struct SubscriptionDeps {
  eventstore::EventStore* store;
  ReadExecutor* executor;
  HubMetrics* metrics;
  SubscriptionRegistry* registry;
  AuditTrail* audit;  // each batch's record is durable before it is written
};

// Writes serialized SubscribeResponse messages (the method is served raw):
// event batches are built from the stored bytes, never parsed.
class SubscriptionReactor : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                            public eventstore::WatermarkWaiter {
 public:
  // `delivery` decides what of each event the subscriber receives;
  // `channel` names the call in its audit records.
  SubscriptionReactor(const SubscriptionDeps& deps, uint64_t after_position,
                      SubscriptionFilter filter, absl::Duration heartbeat_interval,
                      std::unique_ptr<DeliveryCursor> delivery, v1::AuditChannel channel);

  void Start();
  // Ends the call with `status` at its next step (at once if waiting).
  void Stop(const grpc::Status& status);

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;
  void WatermarkReached(uint64_t committed) override;
  void WatermarkDeadline(uint64_t committed) override;

 private:
  enum class State { kReading, kWriting, kWaiting, kFinished };

  // One batch read from the log, its audit record started.
  struct Fetched {
    absl::Status status;
    grpc::ByteBuffer message;  // a SubscribeResponse, when events > 0
    size_t events = 0;
    uint64_t checkpoint = 0;  // every position up to it examined
    uint64_t blocked_at = 0;  // waiting for the person's facts at this position
    bool end = false;         // reached the committed head
    std::shared_ptr<AuditTicket> record;
  };
  Fetched Fetch(uint64_t from);

  void ReadNext();
  void ScheduleReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void WriteHeartbeatLocked(uint64_t committed) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const SubscriptionDeps deps_;
  const SubscriptionFilter filter_;
  // Used only in state kReading (one thread at a time).
  const std::unique_ptr<DeliveryCursor> delivery_;
  std::optional<Fetched> ahead_;  // read ahead, not yet written
  const v1::AuditChannel channel_;
  const absl::Duration heartbeat_interval_;

  absl::Mutex mu_;
  State state_ ABSL_GUARDED_BY(mu_) = State::kReading;
  // Every position <= checkpoint_ has been examined (delivered or filtered).
  uint64_t checkpoint_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sent_ ABSL_GUARDED_BY(mu_);
  // Waiting on the case view (the person's facts), not the log.
  bool waiting_for_facts_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> stop_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer response_;  // the one message in flight
};

// All open subscriptions, so shutdown can end them. Thread-safe.
class SubscriptionRegistry {
 public:
  void Add(SubscriptionReactor* r);
  void Remove(SubscriptionReactor* r);
  // Stops every open subscription, and every later one at once.
  void StopAll(const grpc::Status& status);
  // Blocks until none is open or `timeout` passes; true if none is open.
  bool WaitUntilEmpty(absl::Duration timeout);

 private:
  absl::Mutex mu_;
  absl::flat_hash_set<SubscriptionReactor*> open_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Status> stopped_ ABSL_GUARDED_BY(mu_);
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_SUBSCRIPTION_REACTOR_H_
