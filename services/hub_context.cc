#include "services/hub_context.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/ed25519.h"
#include "common/log.h"
#include "common/status_macros.h"
#include "projections/alert_rules/alert_rules_projection.h"
#include "projections/case_view_projection.h"
#include "projections/cohort_view.h"
#include "projections/dashboard_view.h"
#include "projections/decisions_board.h"
#include "projections/identifier_index.h"
#include "services/config_loader.h"

namespace iomhub::services {
namespace {

constexpr int kReadThreads = 2;

// The audit log's options from the config; nullopt when auditing is off.
absl::StatusOr<std::optional<eventstore::AuditLogOptions>> AuditOptions(const v1::HubConfig& config,
                                                                        Clock* clock) {
  const v1::AuditConfig& audit = config.audit();
  if (audit.unsafe_disable()) {
    LogLine(
        "WARNING: audit.unsafe_disable: reads and subscriptions are served WITHOUT audit "
        "records. Benchmarks only: DPA 2018 s62 requires the records.");
    return std::nullopt;
  }
  std::error_code ignored;
  std::filesystem::create_directories(config.data_dir(), ignored);
  const std::string path = AuditSigningKeyPath(config);
  absl::StatusOr<Ed25519Key> key = Ed25519Key::LoadOrCreate(path);
  if (!key.ok()) return key.status();
  LogLine(absl::StrCat("audit: checkpoints are signed with ", path, " (key id ", key->KeyId(),
                       "; iomctl audit key prints its public key)"));
  return eventstore::AuditLogOptions{
      .signing_key = std::make_shared<const Ed25519Key>(*std::move(key)),
      .clock = clock,
      .checkpoint_every_records =
          audit.checkpoint_every_records() > 0 ? audit.checkpoint_every_records() : 10000,
      .checkpoint_every = absl::Seconds(
          audit.checkpoint_every_seconds() > 0 ? audit.checkpoint_every_seconds() : 60)};
}

}  // namespace

std::vector<std::unique_ptr<projections::Projection>> HubProjections(
    std::shared_ptr<const projections::alert_rules::RuleConfig> rules,
    const projections::TeamDirectory* teams) {
  std::vector<std::unique_ptr<projections::Projection>> out;
  out.push_back(std::make_unique<projections::CaseViewProjection>());
  out.push_back(std::make_unique<projections::CohortViewProjection>());
  out.push_back(std::make_unique<projections::IdentifierIndexProjection>());
  out.push_back(
      std::make_unique<projections::alert_rules::AlertRulesProjection>(std::move(rules), teams));
  out.push_back(std::make_unique<projections::DecisionsBoardProjection>());
  out.push_back(std::make_unique<projections::DashboardViewProjection>());
  return out;
}

std::string AuditSigningKeyPath(const v1::HubConfig& config) {
  return config.audit().signing_key_file().empty()
             ? (std::filesystem::path(config.data_dir()) / "audit-signing.key").string()
             : config.audit().signing_key_file();
}

HubContext::HubContext(Settings settings) : settings_(std::move(settings)) {}

std::string HubContext::AuditPublicKey() const {
  return storage_.audit != nullptr ? storage_.audit->signing_key().PublicKeyRaw() : "";
}

HubContext::~HubContext() { Stop(); }

absl::StatusOr<std::unique_ptr<HubContext>> HubContext::Start(Settings settings) {
  std::unique_ptr<HubContext> hub(new HubContext(std::move(settings)));
  const v1::HubConfig& config = hub->settings_.config;
  hub->metrics_ = std::make_unique<HubMetrics>();
  HubMetrics* metrics = hub->metrics_.get();
  IOMHUB_ASSIGN_OR_RETURN(std::optional<eventstore::AuditLogOptions> audit,
                          AuditOptions(config, hub->settings_.clock));
  IOMHUB_ASSIGN_OR_RETURN(
      hub->storage_,
      eventstore::OpenStorage(
          eventstore::EventStoreOptions{
              .path = config.data_dir(),
              .sync = !config.unsafe_no_sync(),
              .max_event_bytes = config.limits().max_event_bytes(),
              .max_events_per_append = config.limits().max_events_per_append(),
              .max_append_bytes = config.limits().max_append_bytes(),
              .clock = hub->settings_.clock,
              .commit_observer =
                  [metrics](const eventstore::CommitStats& c) {
                    metrics->RecordCommit(c.events, c.appends, absl::ToDoubleSeconds(c.write_time));
                  },
              .condition_observer =
                  [metrics](eventstore::StoreCondition c) { metrics->SetStoreCondition(c); },
              .wal_recovery = config.wal_recovery() == v1::WAL_RECOVERY_POINT_IN_TIME
                                  ? eventstore::WalRecovery::kPointInTime
                                  : eventstore::WalRecovery::kRefuseDamage,
              .min_free_disk_bytes = config.limits().min_free_disk_bytes(),
          },
          audit.has_value() ? &*audit : nullptr));
  metrics->SetHeadPosition(hub->storage_.log->CommittedPosition());
  hub->audit_ = std::make_unique<AuditTrail>(
      hub->storage_.audit.get(), metrics, hub->settings_.clock,
      config.audit().retention_days() > 0 ? config.audit().retention_days() : 2192);
  hub->audit_->StartRetention();
  hub->collection_ =
      std::make_unique<CollectionRecorder>(hub->storage_.log.get(), hub->audit_.get());
  hub->collection_->Start();
  hub->auth_ = std::make_unique<Authenticator>(hub->settings_.principals, config.insecure());
  hub->teams_ = std::make_unique<projections::TeamDirectory>(hub->settings_.teams);
  if (config.rules_file().empty()) {
    hub->rules_ = std::make_shared<projections::alert_rules::RuleConfig>();
  } else {
    IOMHUB_ASSIGN_OR_RETURN(
        projections::alert_rules::RuleConfig rules,
        projections::alert_rules::RuleConfig::Load(config.rules_file(), hub->settings_.teams));
    hub->rules_ = std::make_shared<projections::alert_rules::RuleConfig>(std::move(rules));
  }
  IOMHUB_ASSIGN_OR_RETURN(hub->sharing_,
                          SharingConfig::Load(config, hub->teams_.get(), hub->storage_.log.get(),
                                              hub->settings_.clock));
  hub->executor_ = std::make_unique<ReadExecutor>(kReadThreads);
  auto observer = hub->settings_.view_observer;
  hub->runner_ = std::make_unique<projections::ProjectionRunner>(
      hub->storage_.log.get(), hub->storage_.views.get(),
      projections::ProjectionRunner::Options{
          .observer = [metrics, log = hub->storage_.log.get(),
                       observer](const projections::ViewStatus& status) {
            metrics->ObserveView(status, log->CommittedPosition());
            if (observer) observer(status);
          }});
  for (auto& projection : HubProjections(hub->rules_, hub->teams_.get())) {
    hub->runner_->Add(std::move(projection));
  }
  IOMHUB_RETURN_IF_ERROR(hub->runner_->Start());
  for (const auto& status : hub->runner_->Statuses()) {
    metrics->ObserveView(status, hub->storage_.log->CommittedPosition());
    if (observer) observer(status);
  }
  hub->alerts_ = std::make_unique<projections::alert_rules::AlertRunner>(
      hub->storage_.log.get(), hub->storage_.views.get(), hub->runner_.get(), hub->rules_,
      hub->teams_.get(),
      projections::alert_rules::AlertRunner::Options{
          .clock = hub->settings_.clock,
          .observer =
              [metrics](const projections::alert_rules::AlertPass& pass) {
                metrics->RecordAlertPass(pass);
              },
          .log = [](const std::string& line) { LogLine(line); }});
  hub->alerts_->Start();
  hub->commands_ = std::make_unique<PersonCommands>(
      hub->storage_.log.get(), hub->storage_.views.get(), hub->runner_.get(), hub->executor_.get());
  return hub;
}

absl::Status HubContext::ReloadPrincipals() {
  if (config().principals_file().empty()) return absl::OkStatus();
  absl::StatusOr<v1::Principals> principals = LoadPrincipals(config().principals_file());
  metrics_->RecordReload("principals", principals.ok());
  if (!principals.ok()) return principals.status();
  auth_->Reload(*principals);
  return absl::OkStatus();
}

DeliveryDeps HubContext::delivery() {
  return DeliveryDeps{.sharing = sharing_.get(),
                      .runner = runner_.get(),
                      .views = storage_.views.get(),
                      .clock = settings_.clock};
}

void HubContext::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (alerts_ != nullptr) alerts_->Stop();
  if (runner_ != nullptr) runner_->Stop();
  if (executor_ != nullptr) executor_->Shutdown();
  if (storage_.log != nullptr) storage_.log->Shutdown();
  if (collection_ != nullptr) collection_->Stop();
  if (audit_ != nullptr) audit_->Stop();
  if (storage_.audit != nullptr) storage_.audit->Close();
}

}  // namespace iomhub::services
