// HubContext: everything the hub's services share, started in order and
// stopped in reverse — the one place that knows the lifecycle, so a new
// service is one line in HubServer:
//   start: metrics → storage (log + views + audit log) → audit trail and
//          collection recorder → authenticator → teams → rules → sharing
//          (agreements, recorded in the log) → read executor → projection
//          runner → alert runner;
//   stop:  alert runner → projection runner → read executor → log (drain,
//          flush) → collection recorder (records what is committed) →
//          audit log (final signed checkpoint) → storage.
// Not thread-safe to Start/Stop; the accessors are safe once started.
#ifndef IOMHUB_SERVICES_HUB_CONTEXT_H_
#define IOMHUB_SERVICES_HUB_CONTEXT_H_

#include <functional>
#include <memory>

#include "absl/status/statusor.h"
#include "common/clock.h"
#include "eventstore/storage.h"
#include "iomhub/v1/config.pb.h"
#include "projections/alert_rules/alert_runner.h"
#include "projections/alert_rules/rule_config.h"
#include "projections/projection_runner.h"
#include "projections/team_directory.h"
#include "services/audit_trail.h"
#include "services/auth.h"
#include "services/collection_recorder.h"
#include "services/delivery_cursor.h"
#include "services/hub_metrics.h"
#include "services/person_commands.h"
#include "services/read_executor.h"
#include "services/sharing_config.h"

namespace iomhub::services {

// The views the hub keeps, in start order. `rules` and `teams` must outlive
// them.
std::vector<std::unique_ptr<projections::Projection>> HubProjections(
    std::shared_ptr<const projections::alert_rules::RuleConfig> rules,
    const projections::TeamDirectory* teams);

// Where the audit signing key is kept: HubConfig.audit.signing_key_file,
// else <data_dir>/audit-signing.key.
std::string AuditSigningKeyPath(const v1::HubConfig& config);

class HubContext {
 public:
  struct Settings {
    v1::HubConfig config;  // with defaults applied (WithDefaults)
    v1::Principals principals;
    v1::TeamsConfig teams;
    Clock* clock = Clock::Real();
    // Told of every view's status change and commit (after the metrics).
    std::function<void(const projections::ViewStatus&)> view_observer = nullptr;
  };

  static absl::StatusOr<std::unique_ptr<HubContext>> Start(Settings settings);
  ~HubContext();  // Stop()

  // Stops the components in reverse order. Idempotent.
  void Stop();

  const v1::HubConfig& config() const { return settings_.config; }
  Clock* clock() const { return settings_.clock; }
  HubMetrics& metrics() { return *metrics_; }
  eventstore::EventStore& log() { return *storage_.log; }
  eventstore::ViewStore& views() { return *storage_.views; }
  // Backup and verification of the store; null for in-memory storage.
  eventstore::StorageMaintenance* maintenance() { return storage_.maintenance.get(); }
  // The raw public half of the audit signing key; empty when the audit is off.
  std::string AuditPublicKey() const;
  // The disclosure audit (off only with HubConfig.audit.unsafe_disable).
  AuditTrail& audit() { return *audit_; }
  CollectionRecorder& collection() { return *collection_; }
  const Authenticator& auth() const { return *auth_; }
  // Re-reads HubConfig.principals_file (SIGHUP): a valid file replaces the
  // principals for calls that start after it; an invalid one changes
  // nothing and says why (file:line). OK at once when no file is configured.
  absl::Status ReloadPrincipals();
  const projections::TeamDirectory& teams() const { return *teams_; }
  SharingConfig& sharing() { return *sharing_; }
  // What a DeliveryCursor needs, from this hub.
  DeliveryDeps delivery();
  ReadExecutor& executor() { return *executor_; }
  projections::ProjectionRunner& runner() { return *runner_; }
  // The IOM rules' parameters (HubConfig.rules_file, else the defaults).
  const projections::alert_rules::RuleConfig& rules() const { return *rules_; }
  projections::alert_rules::AlertRunner& alerts() { return *alerts_; }
  // Appends judged on a person's current state (command rules, decisions).
  PersonCommands& commands() { return *commands_; }

 private:
  explicit HubContext(Settings settings);

  Settings settings_;
  std::unique_ptr<HubMetrics> metrics_;  // first: the store's commit thread feeds it
  eventstore::Storage storage_;
  std::unique_ptr<AuditTrail> audit_;
  std::unique_ptr<CollectionRecorder> collection_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<projections::TeamDirectory> teams_;
  std::shared_ptr<const projections::alert_rules::RuleConfig> rules_;
  std::unique_ptr<SharingConfig> sharing_;
  std::unique_ptr<ReadExecutor> executor_;
  std::unique_ptr<projections::ProjectionRunner> runner_;
  std::unique_ptr<projections::alert_rules::AlertRunner> alerts_;
  std::unique_ptr<PersonCommands> commands_;
  bool stopped_ = false;
};

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_HUB_CONTEXT_H_
