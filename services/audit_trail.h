// AuditTrail: the hub's side of the disclosure audit (DPA 2018 s62;
// docs/audit.md). Every path that sends personal data — reads,
// subscriptions, case and board queries, alert lists — calls it with what
// it is about to send, and sends only once the record is durable: an
// AuditLog record is committed (group-committed fsync) before its `done`
// runs. A refused call records nothing (nothing was disclosed); it is
// counted (iomhub_rejected_calls_total) and logged.
//
// Records name what was sent — log positions, event types, views, the
// agreement and legal gateway it went under — never its content.
//
// Retention: EnforceRetention erases records older than retention_days and
// records the erasure itself (ERASE); the hub runs it at start and daily.
//
// Thread-safe.
#ifndef IOMHUB_SERVICES_AUDIT_TRAIL_H_
#define IOMHUB_SERVICES_AUDIT_TRAIL_H_

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "eventstore/audit_log.h"
#include "grpcpp/server_context.h"
#include "iomhub/v1/audit_service.pb.h"
#include "services/delivery_cursor.h"
#include "services/hub_metrics.h"

namespace iomhub::services {

// The outcome of a record being made durable; Wait before sending what it
// records. Thread-safe.
class AuditTicket {
 public:
  // OK once the record is durable; else why not (then send nothing).
  absl::Status Wait();
  // A ticket that is already done.
  static std::shared_ptr<AuditTicket> Done(absl::Status status = absl::OkStatus());
  void Complete(absl::Status status);

 private:
  absl::Notification done_;
  absl::Status status_;
};

class AuditTrail {
 public:
  // `log` null: auditing is off (HubConfig.audit.unsafe_disable, benchmarks
  // only); every Record* then returns OK at once.
  AuditTrail(eventstore::AuditLog* log, HubMetrics* metrics, Clock* clock, uint32_t retention_days);
  ~AuditTrail();  // Stop()

  bool enabled() const { return log_ != nullptr; }
  eventstore::AuditLog* log() const { return log_; }
  uint32_t retention_days() const { return retention_days_; }

  // DISCLOSE to the cursor's recipient what it let through since last
  // taken; OK at once when that holds nothing personal. Waits until durable.
  absl::Status RecordDelivery(DeliveryCursor& cursor, const v1::AuditChannel& channel);
  // RecordDelivery without waiting: readers read their next batch while
  // this one's record commits, and Wait before sending it.
  std::shared_ptr<AuditTicket> RecordDeliveryAsync(DeliveryCursor& cursor,
                                                   const v1::AuditChannel& channel);
  // CONSULT: `views` about `people` shown to `actor`, with the events
  // `cursor` (if given) folded into them for this recipient.
  absl::Status RecordConsultation(const v1::Actor& actor, const v1::AuditChannel& channel,
                                  const std::vector<std::string>& views,
                                  const std::vector<std::string>& people,
                                  DeliveryCursor* cursor = nullptr);
  // Any other record (audit reads, collection, erasure). Waits until durable.
  absl::Status Record(v1::AuditRecord record, std::optional<eventstore::AuditMeta> meta = {});
  std::shared_ptr<AuditTicket> RecordAsync(v1::AuditRecord record,
                                           std::optional<eventstore::AuditMeta> meta = {});

  // Erases records older than the retention period and records the
  // erasure; the number erased.
  absl::StatusOr<uint64_t> EnforceRetention();

  // Runs EnforceRetention now and then daily, on its own thread.
  void StartRetention();
  void Stop();

 private:
  eventstore::AuditLog* const log_;
  HubMetrics* const metrics_;
  Clock* const clock_;
  const uint32_t retention_days_;
  absl::Notification stop_;
  std::thread retention_;
};

// The channel of a call: its method ("iomhub.v1.EventService/ReadAll") and
// peer.
v1::AuditChannel ChannelOf(const grpc::CallbackServerContext& context, absl::string_view method);

// A record of `operation` by or to `actor` over `channel`: the actor, its
// "agency:system" as the recipient, its purpose as the justification.
v1::AuditRecord NewAuditRecord(v1::AuditOperation operation, const v1::Actor& actor,
                               const v1::AuditChannel& channel);

// The operation's lower-case name ("disclose"), for metrics and reports.
std::string OperationLabel(v1::AuditOperation operation);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_AUDIT_TRAIL_H_
