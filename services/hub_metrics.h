// HubMetrics: the hub's Prometheus metrics (text exposition over HTTP,
// served by prometheus-cpp's Exposer). Thread-safe.
#ifndef IOMHUB_SERVICES_HUB_METRICS_H_
#define IOMHUB_SERVICES_HUB_METRICS_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "eventstore/options.h"
#include "projections/alert_rules/alert_runner.h"
#include "projections/projection_runner.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace iomhub::services {

class HubMetrics {
 public:
  HubMetrics();

  std::shared_ptr<prometheus::Registry> registry() const { return registry_; }

  // One Append call finished with `code`, carrying `events` events.
  void RecordAppend(absl::StatusCode code, size_t events);
  // One group commit wrote `events` events from `appends` calls, its
  // WriteBatch + fsync taking `seconds`.
  void RecordCommit(size_t events, size_t appends, double seconds);
  // A call refused before doing work; `reason` is a short snake_case word
  // ("unauthenticated", "permission_denied", "invalid_argument", ...).
  void RecordRejected(absl::string_view method, absl::StatusCode code);
  void SubscriberOpened();
  void SubscriberClosed();
  // A subscriber's distance from the head, in events, when last served.
  void ObserveSubscriberLag(uint64_t events);
  void SetHeadPosition(uint64_t position);
  // iomhub_store_condition{condition=...}: 1 for the store's current
  // condition (writable, disk_full, failed), 0 for the others.
  void SetStoreCondition(eventstore::StoreCondition condition);
  // The last condition set (kWritable until one is).
  eventstore::StoreCondition store_condition() const { return store_condition_now_.load(); }
  // iomhub_view_checkpoint{view}, iomhub_view_lag_events{view} and
  // iomhub_view_failed{view} (1 while the view is stopped on an event).
  void ObserveView(const projections::ViewStatus& status, uint64_t head);
  // iomhub_sharing_reloads_total{result="applied"|"refused"}: SIGHUP reloads.
  void RecordSharingReload(bool applied);
  // iomhub_reloads_total{what="principals"|"sharing",result="applied"|"refused"}.
  void RecordReload(absl::string_view what, bool applied);
  // iomhub_storage_checks_total{operation="backup"|"verify",result="ok"|"faults"|"failed"}
  // and the seconds the last one took.
  void RecordStorageCheck(absl::string_view operation, absl::string_view result, double seconds);
  // iomhub_alert_events_total{source="outbox"|"deadline"|"week"}: alert
  // events the alert rules appended; iomhub_alert_pass_seconds; and
  // iomhub_alert_outbox_pending, the decisions a pass could not append.
  void RecordAlertPass(const projections::alert_rules::AlertPass& pass);
  // iomhub_audit_records_total{operation,result="ok"|"failed"},
  // iomhub_audit_refs_total{operation} (positions and views named) and
  // iomhub_audit_wait_seconds (queue + group-committed fsync).
  void RecordAudit(absl::string_view operation, bool ok, size_t refs, double seconds);
  // iomhub_audit_erased_total: records erased by audit retention.
  void RecordAuditErased(uint64_t records);
  // iomhub_read_calls_total{method}: ReadStream, ReadAll and Subscribe calls
  // admitted; iomhub_read_events_total{method}: events they sent.
  void RecordReadCall(absl::string_view method);
  void RecordReadEvents(absl::string_view method, size_t events);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* append_calls_;
  prometheus::Family<prometheus::Counter>* append_events_;
  std::array<prometheus::Counter*, 17> append_calls_by_code_{};
  std::array<prometheus::Counter*, 17> append_events_by_code_{};
  prometheus::Histogram* commit_batch_events_;
  prometheus::Histogram* commit_batch_appends_;
  prometheus::Histogram* commit_seconds_;
  prometheus::Family<prometheus::Counter>* rejected_;
  prometheus::Gauge* subscribers_;
  prometheus::Histogram* subscriber_lag_;
  prometheus::Gauge* subscriber_lag_last_;
  prometheus::Gauge* head_position_;
  std::array<prometheus::Gauge*, 3> store_condition_{};
  std::atomic<eventstore::StoreCondition> store_condition_now_{
      eventstore::StoreCondition::kWritable};
  prometheus::Family<prometheus::Gauge>* view_checkpoint_;
  prometheus::Family<prometheus::Gauge>* view_lag_;
  prometheus::Family<prometheus::Gauge>* view_failed_;
  prometheus::Counter* reloads_applied_;
  prometheus::Counter* reloads_refused_;
  prometheus::Counter* alerts_outbox_;
  prometheus::Counter* alerts_deadline_;
  prometheus::Counter* alerts_week_;
  prometheus::Histogram* alert_pass_seconds_;
  prometheus::Gauge* alert_outbox_pending_;
  prometheus::Family<prometheus::Counter>* audit_records_;
  prometheus::Family<prometheus::Counter>* audit_refs_;
  prometheus::Histogram* audit_wait_seconds_;
  prometheus::Counter* audit_erased_;
  prometheus::Family<prometheus::Counter>* reloads_;
  prometheus::Family<prometheus::Counter>* storage_checks_;
  prometheus::Family<prometheus::Gauge>* storage_check_seconds_;
  prometheus::Family<prometheus::Counter>* read_calls_;
  prometheus::Family<prometheus::Counter>* read_events_;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_HUB_METRICS_H_
