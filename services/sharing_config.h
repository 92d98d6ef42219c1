// SharingConfig: the sharing agreements and the producer table the hub runs
// under, loaded at start and replaced as one on SIGHUP (Reload). A valid
// set replaces the old one atomically; an invalid one is refused, the old
// one stays, and the error is kept and counted.
//
// Every change of the set — at start and on reload — is appended to the
// "agreements" stream as AgreementChanged events (which agreement, version,
// status, file hash, what changed it), so the log shows which version
// governed each moment. Appending is what makes a change take effect: a
// set whose record cannot be written is not applied.
//
// Thread-safe.
#ifndef IOMHUB_SERVICES_SHARING_CONFIG_H_
#define IOMHUB_SERVICES_SHARING_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/clock.h"
#include "eventstore/event_store.h"
#include "iomhub/v1/config.pb.h"
#include "projections/sharing/policy.h"
#include "projections/sharing/producer_table.h"
#include "projections/team_directory.h"

namespace iomhub::services {

class SharingConfig {
 public:
  struct Counters {
    uint64_t reloads_applied = 0;
    uint64_t reloads_refused = 0;
    std::string last_reload_error;
  };

  // Loads config.agreements_dir and config.producers_file (either may be
  // empty: then nothing is delivered / nothing may be produced, and a
  // warning is logged) and records the set in `log`. `teams` and `log` are
  // not owned and must outlive this.
  static absl::StatusOr<std::unique_ptr<SharingConfig>> Load(const v1::HubConfig& config,
                                                            const projections::TeamDirectory* teams,
                                                            eventstore::EventStore* log,
                                                            Clock* clock);

  // Loads both files again; applies them if both are valid and their record
  // is appended. Otherwise the old set stays and the error is returned.
  absl::Status Reload();

  std::shared_ptr<const projections::sharing::Policy> policy() const;
  std::shared_ptr<const projections::sharing::ProducerTable> producers() const;
  // Rises with every applied change: delivery cursors recompile their plan.
  uint64_t generation() const;
  Counters counters() const;
  const std::string& agreements_dir() const { return config_.agreements_dir(); }

 private:
  SharingConfig(v1::HubConfig config, const projections::TeamDirectory* teams,
                eventstore::EventStore* log, Clock* clock);
  // Loads, validates and records; applies on success.
  absl::Status LoadAndApply(absl::string_view changed_by);

  const v1::HubConfig config_;
  const projections::TeamDirectory* const teams_;
  eventstore::EventStore* const log_;
  Clock* const clock_;
  absl::Mutex reload_mu_;  // one load at a time
  mutable absl::Mutex mu_;
  std::shared_ptr<const projections::sharing::Policy> policy_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<const projections::sharing::ProducerTable> producers_ ABSL_GUARDED_BY(mu_);
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  Counters counters_ ABSL_GUARDED_BY(mu_);
};

// The AgreementChanged events that take the "agreements" stream from what
// it records (`recorded`, its events in order) to `now`, as of `at`: one per
// agreement whose governing version (the one in force, else the highest),
// status or file changed, appeared or was removed.
std::vector<v1::Event> AgreementChanges(absl::Span<const v1::Event> recorded,
                                        const projections::sharing::AgreementSet& now,
                                        absl::Time at, absl::string_view changed_by);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_SHARING_CONFIG_H_
