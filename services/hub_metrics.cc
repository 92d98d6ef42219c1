#include "services/hub_metrics.h"

#include "absl/strings/ascii.h"
#include "common/version.h"

namespace iomhub::services {
namespace {

std::string CodeLabel(absl::StatusCode code) {
  return absl::AsciiStrToLower(absl::StatusCodeToString(code));
}

}  // namespace

HubMetrics::HubMetrics() : registry_(std::make_shared<prometheus::Registry>()) {
  append_calls_ = &prometheus::BuildCounter()
                       .Name("iomhub_append_calls_total")
                       .Help("Append calls by result code")
                       .Register(*registry_);
  append_events_ = &prometheus::BuildCounter()
                        .Name("iomhub_append_events_total")
                        .Help("Events carried by Append calls, by result code")
                        .Register(*registry_);
  for (int c = 0; c < 17; ++c) {
    const std::string label = CodeLabel(static_cast<absl::StatusCode>(c));
    append_calls_by_code_[c] = &append_calls_->Add({{"code", label}});
    append_events_by_code_[c] = &append_events_->Add({{"code", label}});
  }
  commit_batch_events_ =
      &prometheus::BuildHistogram()
           .Name("iomhub_commit_batch_events")
           .Help("Events per group commit (one WriteBatch, one fsync)")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 20, 50, 100, 200, 500,
                                                            1000, 2000, 5000, 10000, 20000});
  commit_batch_appends_ =
      &prometheus::BuildHistogram()
           .Name("iomhub_commit_batch_appends")
           .Help("Append calls per group commit")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128, 256, 512});
  commit_seconds_ = &prometheus::BuildHistogram()
                         .Name("iomhub_commit_seconds")
                         .Help("Time to write and fsync one group commit")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{
                                      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                      0.05, 0.1, 0.25, 1});
  auto& reloads = prometheus::BuildCounter()
                      .Name("iomhub_sharing_reloads_total")
                      .Help(
                          "Reloads of the sharing agreements and producer table (SIGHUP), by "
                          "result: applied, or refused (the previous set stayed)")
                      .Register(*registry_);
  reloads_applied_ = &reloads.Add({{"result", "applied"}});
  reloads_refused_ = &reloads.Add({{"result", "refused"}});
  auto& alerts = prometheus::BuildCounter()
                     .Name("iomhub_alert_events_total")
                     .Help(
                         "Alert events (raised or resolved) the alert rules appended to the log, "
                         "by what decided them: the projection's outbox, a deadline, a week's end")
                     .Register(*registry_);
  alerts_outbox_ = &alerts.Add({{"source", "outbox"}});
  alerts_deadline_ = &alerts.Add({{"source", "deadline"}});
  alerts_week_ = &alerts.Add({{"source", "week"}});
  alert_pass_seconds_ =
      &prometheus::BuildHistogram()
           .Name("iomhub_alert_pass_seconds")
           .Help("How long an alert runner pass that did something took")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.001, 0.005, 0.02, 0.1, 0.5, 2, 10});
  alert_outbox_pending_ = &prometheus::BuildGauge()
                               .Name("iomhub_alert_outbox_pending")
                               .Help("Alert decisions the last pass could not append (retried)")
                               .Register(*registry_)
                               .Add({});
  audit_records_ = &prometheus::BuildCounter()
                        .Name("iomhub_audit_records_total")
                        .Help("Audit records written, by operation and result")
                        .Register(*registry_);
  audit_refs_ = &prometheus::BuildCounter()
                     .Name("iomhub_audit_refs_total")
                     .Help("Log positions and views the audit records name, by operation")
                     .Register(*registry_);
  audit_wait_seconds_ = &prometheus::BuildHistogram()
                             .Name("iomhub_audit_wait_seconds")
                             .Help("From queuing an audit record to it being durable")
                             .Register(*registry_)
                             .Add({}, prometheus::Histogram::BucketBoundaries{
                                          0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.25, 1});
  audit_erased_ = &prometheus::BuildCounter()
                       .Name("iomhub_audit_erased_total")
                       .Help("Audit records erased by retention (each erasure is itself recorded)")
                       .Register(*registry_)
                       .Add({});
  reloads_ =
      &prometheus::BuildCounter()
           .Name("iomhub_reloads_total")
           .Help("SIGHUP reloads by what was reloaded and result (refused: the old set stayed)")
           .Register(*registry_);
  storage_checks_ = &prometheus::BuildCounter()
                         .Name("iomhub_storage_checks_total")
                         .Help(
                             "Backups and verifications of the store (AdminService), by "
                             "operation and result (faults: verification found damage)")
                         .Register(*registry_);
  storage_check_seconds_ = &prometheus::BuildGauge()
                                .Name("iomhub_storage_check_last_seconds")
                                .Help("Seconds the last backup or verification took")
                                .Register(*registry_);
  read_calls_ = &prometheus::BuildCounter()
                     .Name("iomhub_read_calls_total")
                     .Help("ReadStream, ReadAll and Subscribe calls admitted, by method")
                     .Register(*registry_);
  read_events_ = &prometheus::BuildCounter()
                      .Name("iomhub_read_events_total")
                      .Help("Events sent by ReadStream, ReadAll and Subscribe, by method")
                      .Register(*registry_);
  prometheus::BuildGauge()
      .Name("iomhub_build_info")
      .Help("The hub's version and the git commit it was built from (always 1)")
      .Register(*registry_)
      .Add({{"version", std::string(ProjectVersion())}, {"commit", std::string(GitCommit())}})
      .Set(1);
  rejected_ = &prometheus::BuildCounter()
                   .Name("iomhub_rejected_calls_total")
                   .Help("Calls refused, by method and reason (status code)")
                   .Register(*registry_);
  subscribers_ = &prometheus::BuildGauge()
                      .Name("iomhub_subscribers")
                      .Help("Open subscriptions")
                      .Register(*registry_)
                      .Add({});
  subscriber_lag_ = &prometheus::BuildHistogram()
                         .Name("iomhub_subscriber_lag_events")
                         .Help("Subscriber distance from the head when served, in events")
                         .Register(*registry_)
                         .Add({}, prometheus::Histogram::BucketBoundaries{0, 1, 10, 100, 1000,
                                                                          10000, 100000, 1000000});
  subscriber_lag_last_ = &prometheus::BuildGauge()
                              .Name("iomhub_subscriber_lag_events_last")
                              .Help("Most recently observed subscriber lag, in events")
                              .Register(*registry_)
                              .Add({});
  head_position_ = &prometheus::BuildGauge()
                        .Name("iomhub_log_head_position")
                        .Help("Highest committed global position")
                        .Register(*registry_)
                        .Add({});
  auto& condition = prometheus::BuildGauge()
                        .Name("iomhub_store_condition")
                        .Help(
                            "1 for the event store's current condition: writable, disk_full "
                            "(appends refused until space is freed) or failed (restart needed)")
                        .Register(*registry_);
  store_condition_ = {&condition.Add({{"condition", "writable"}}),
                      &condition.Add({{"condition", "disk_full"}}),
                      &condition.Add({{"condition", "failed"}})};
  view_checkpoint_ = &prometheus::BuildGauge()
                          .Name("iomhub_view_checkpoint")
                          .Help("Every log position up to this one is reflected in the view")
                          .Register(*registry_);
  view_lag_ = &prometheus::BuildGauge()
                   .Name("iomhub_view_lag_events")
                   .Help("Committed events the view does not reflect yet")
                   .Register(*registry_);
  view_failed_ = &prometheus::BuildGauge()
                      .Name("iomhub_view_failed")
                      .Help("1 while the view is stopped on an event it could not apply")
                      .Register(*registry_);
}

void HubMetrics::ObserveView(const projections::ViewStatus& status, uint64_t head) {
  const std::map<std::string, std::string> labels = {{"view", status.name}};
  view_checkpoint_->Add(labels).Set(static_cast<double>(status.checkpoint));
  view_lag_->Add(labels).Set(
      head > status.checkpoint ? static_cast<double>(head - status.checkpoint) : 0.0);
  view_failed_->Add(labels).Set(status.state == projections::ViewStatus::State::kFailed ? 1 : 0);
}

void HubMetrics::SetStoreCondition(eventstore::StoreCondition condition) {
  store_condition_now_ = condition;
  const size_t current = condition == eventstore::StoreCondition::kWritable   ? 0
                         : condition == eventstore::StoreCondition::kDiskFull ? 1
                                                                              : 2;
  for (size_t i = 0; i < store_condition_.size(); ++i) store_condition_[i]->Set(i == current);
}

void HubMetrics::RecordAppend(absl::StatusCode code, size_t events) {
  const int c = static_cast<int>(code);
  if (c < 0 || c >= 17) return;
  append_calls_by_code_[c]->Increment();
  append_events_by_code_[c]->Increment(static_cast<double>(events));
}

void HubMetrics::RecordCommit(size_t events, size_t appends, double seconds) {
  commit_batch_events_->Observe(static_cast<double>(events));
  commit_batch_appends_->Observe(static_cast<double>(appends));
  commit_seconds_->Observe(seconds);
}

void HubMetrics::RecordRejected(absl::string_view method, absl::StatusCode code) {
  rejected_->Add({{"method", std::string(method)}, {"reason", CodeLabel(code)}}).Increment();
}

void HubMetrics::RecordAudit(absl::string_view operation, bool ok, size_t refs, double seconds) {
  audit_records_->Add({{"operation", std::string(operation)}, {"result", ok ? "ok" : "failed"}})
      .Increment();
  if (ok)
    audit_refs_->Add({{"operation", std::string(operation)}}).Increment(static_cast<double>(refs));
  audit_wait_seconds_->Observe(seconds);
}

void HubMetrics::RecordAuditErased(uint64_t records) {
  audit_erased_->Increment(static_cast<double>(records));
}

void HubMetrics::RecordReadCall(absl::string_view method) {
  read_calls_->Add({{"method", std::string(method)}}).Increment();
}

void HubMetrics::RecordReadEvents(absl::string_view method, size_t events) {
  read_events_->Add({{"method", std::string(method)}}).Increment(static_cast<double>(events));
}

void HubMetrics::SubscriberOpened() { subscribers_->Increment(); }
void HubMetrics::SubscriberClosed() { subscribers_->Decrement(); }

void HubMetrics::ObserveSubscriberLag(uint64_t events) {
  subscriber_lag_->Observe(static_cast<double>(events));
  subscriber_lag_last_->Set(static_cast<double>(events));
}

void HubMetrics::SetHeadPosition(uint64_t position) {
  head_position_->Set(static_cast<double>(position));
}

void HubMetrics::RecordSharingReload(bool applied) {
  (applied ? reloads_applied_ : reloads_refused_)->Increment();
  RecordReload("sharing", applied);
}

void HubMetrics::RecordReload(absl::string_view what, bool applied) {
  reloads_->Add({{"what", std::string(what)}, {"result", applied ? "applied" : "refused"}})
      .Increment();
}

void HubMetrics::RecordStorageCheck(absl::string_view operation, absl::string_view result,
                                    double seconds) {
  storage_checks_->Add({{"operation", std::string(operation)}, {"result", std::string(result)}})
      .Increment();
  storage_check_seconds_->Add({{"operation", std::string(operation)}}).Set(seconds);
}

void HubMetrics::RecordAlertPass(const projections::alert_rules::AlertPass& pass) {
  alerts_outbox_->Increment(static_cast<double>(pass.published));
  alerts_deadline_->Increment(static_cast<double>(pass.raised_due));
  alerts_week_->Increment(static_cast<double>(pass.raised_weekly));
  alert_pass_seconds_->Observe(absl::ToDoubleSeconds(pass.took));
  alert_outbox_pending_->Set(static_cast<double>(pass.outbox_left));
}

}  // namespace iomhub::services
