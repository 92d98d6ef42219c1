#include "services/sharing_config.h"

#include <filesystem>
#include <map>
#include <tuple>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/status_macros.h"

namespace iomhub::services {
namespace {

using projections::sharing::AgreementSet;
using projections::sharing::kAgreementsStream;
using projections::sharing::LoadedAgreement;

// What the stream records of one agreement.
struct Recorded {
  uint32_t version = 0;
  v1::AgreementStatus status = v1::AGREEMENT_STATUS_UNSPECIFIED;
  std::string sha256;
};

// The hub as the producer of its own records.
v1::Producer HubProducer() {
  v1::Producer p;
  p.set_agency(v1::AGENCY_KIND_HUB_ADMIN);
  p.set_organisation("iomhub");
  p.set_system("iomhubd");
  p.set_user_id("iomhubd");
  p.set_role("system");
  p.set_purpose("sharing_governance");
  return p;
}

std::string Host() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "unknown host";
  return name;
}

// The agreement the hub holds for each id: the one in force, else the
// highest version (AgreementSet::Find with version 0).
std::map<std::string, const LoadedAgreement*> Governing(const AgreementSet& set, absl::CivilDay day) {
  std::map<std::string, const LoadedAgreement*> out;
  for (const LoadedAgreement& la : set.agreements()) {
    out[la.agreement.id()] = set.Find(la.agreement.id(), 0, day);
  }
  return out;
}

absl::Status Load(const v1::HubConfig& config, const projections::TeamDirectory& teams,
                  absl::CivilDay today, AgreementSet* agreements, v1::ProducerTable* producers) {
  if (!config.agreements_dir().empty()) {
    IOMHUB_ASSIGN_OR_RETURN(*agreements, projections::sharing::LoadAgreements(
                                             config.agreements_dir(), teams.config(), today));
  }
  if (!config.producers_file().empty()) {
    IOMHUB_ASSIGN_OR_RETURN(*producers,
                            projections::sharing::LoadProducerTable(config.producers_file()));
  }
  return absl::OkStatus();
}

}  // namespace

std::vector<v1::Event> AgreementChanges(absl::Span<const v1::Event> recorded,
                                        const AgreementSet& now, absl::Time at,
                                        absl::string_view changed_by) {
  std::map<std::string, Recorded> before;
  for (const v1::Event& e : recorded) {
    if (!e.has_agreement_changed()) continue;
    const v1::AgreementChanged& c = e.agreement_changed();
    if (c.removed()) {
      before.erase(c.agreement_id());
    } else {
      before[c.agreement_id()] = {c.version(), c.status(), c.file_sha256()};
    }
  }
  // Dates decide which version governs; the day of `at` is what the hub applies.
  const absl::CivilDay today = projections::sharing::LondonDay(at);
  std::vector<v1::Event> changes;
  const uint64_t base = recorded.size();
  auto add = [&](v1::AgreementChanged change) {
    v1::Event e;
    // Name-based: the same change recorded after the same history has the same id.
    e.set_event_id(NameBasedUuid(
        kIomhubNamespace, absl::StrCat("agreement-changed/", base + changes.size(), "/",
                                       change.agreement_id(), "/", change.version(), "/",
                                       change.status(), "/", change.file_sha256(), "/",
                                       change.removed())));
    const int64_t nanos = absl::ToUnixNanos(at);
    e.mutable_occurred_at()->set_seconds(nanos / 1000000000);
    e.mutable_occurred_at()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
    e.set_handling(v1::HANDLING_MARKING_OFFICIAL);
    *e.mutable_producer() = HubProducer();
    *e.mutable_agreement_changed() = std::move(change);
    changes.push_back(std::move(e));
  };
  const auto governing = Governing(now, today);
  for (const auto& [id, la] : governing) {
    auto it = before.find(id);
    const Recorded was = it == before.end() ? Recorded{} : it->second;
    const v1::Agreement& a = la->agreement;
    if (was.version == a.version() && was.status == a.status() && was.sha256 == la->file_sha256) {
      continue;
    }
    v1::AgreementChanged c;
    c.set_agreement_id(id);
    c.set_version(a.version());
    c.set_status(a.status());
    c.set_previous_version(was.version);
    c.set_previous_status(was.status);
    // The file's name in the agreements folder: every partner receives these
    // records, and the hub's own paths are none of their business.
    c.set_file(std::filesystem::path(la->file).filename().string());
    c.set_file_sha256(la->file_sha256);
    c.set_changed_by(std::string(changed_by));
    add(std::move(c));
  }
  for (const auto& [id, was] : before) {
    if (governing.contains(id)) continue;
    v1::AgreementChanged c;
    c.set_agreement_id(id);
    c.set_version(was.version);
    c.set_previous_version(was.version);
    c.set_previous_status(was.status);
    c.set_changed_by(std::string(changed_by));
    c.set_removed(true);
    add(std::move(c));
  }
  return changes;
}

absl::StatusOr<std::unique_ptr<SharingConfig>> SharingConfig::Load(
    const v1::HubConfig& config, const projections::TeamDirectory* teams,
    eventstore::EventStore* log, Clock* clock) {
  if (config.agreements_dir().empty()) {
    LogLine("WARNING: no sharing agreements configured (agreements_dir): nothing will be "
            "delivered to anyone");
  }
  if (config.producers_file().empty()) {
    LogLine("WARNING: no producer table configured (producers_file): every append will be "
            "refused");
  }
  std::unique_ptr<SharingConfig> sharing(new SharingConfig(config, teams, log, clock));
  IOMHUB_RETURN_IF_ERROR(sharing->LoadAndApply(absl::StrCat("start on ", Host())));
  return sharing;
}

SharingConfig::SharingConfig(v1::HubConfig config, const projections::TeamDirectory* teams,
                             eventstore::EventStore* log, Clock* clock)
    : config_(std::move(config)),
      teams_(teams),
      log_(log),
      clock_(clock),
      policy_(std::make_shared<projections::sharing::Policy>(std::make_shared<AgreementSet>(),
                                                             teams)),
      producers_(std::make_shared<projections::sharing::ProducerTable>()) {}

absl::Status SharingConfig::Reload() {
  absl::Status status = LoadAndApply(absl::StrCat("reload (SIGHUP) on ", Host()));
  absl::MutexLock lock(&mu_);
  if (status.ok()) {
    ++counters_.reloads_applied;
  } else {
    ++counters_.reloads_refused;
    counters_.last_reload_error = std::string(status.message());
  }
  return status;
}

absl::Status SharingConfig::LoadAndApply(absl::string_view changed_by) {
  absl::MutexLock serial(&reload_mu_);
  AgreementSet agreements;
  v1::ProducerTable producers;
  IOMHUB_RETURN_IF_ERROR(
      services::Load(config_, *teams_, projections::sharing::LondonDay(clock_->Now()), &agreements,
                     &producers));
  for (const LoadedAgreement& la : agreements.agreements()) {
    for (const std::string& warning : la.warnings) LogLine(absl::StrCat("WARNING: ", warning));
  }
  // Record, then apply: the log never lags what governs deliveries. The
  // expected version makes two hubs (or two reloads) racing fail, not
  // record twice.
  absl::StatusOr<eventstore::ReadBatch> recorded =
      log_->ReadStream(kAgreementsStream, 0, false, SIZE_MAX);
  std::vector<v1::Event> history;
  if (recorded.ok()) {
    history = std::move(recorded->events);
  } else if (!absl::IsNotFound(recorded.status())) {
    return recorded.status();
  }
  std::vector<v1::Event> changes = AgreementChanges(history, agreements, clock_->Now(), changed_by);
  if (!changes.empty()) {
    const size_t count = changes.size();
    const eventstore::Expected expected =
        history.empty() ? eventstore::Expected::NoStream()
                        : eventstore::Expected::Exact(history.back().stream_version());
    absl::StatusOr<eventstore::AppendResult> appended =
        log_->Append(kAgreementsStream, expected, std::move(changes));
    if (!appended.ok()) {
      return absl::Status(appended.status().code(),
                          absl::StrCat("could not record the agreements in the log, so they "
                                       "were not applied: ",
                                       appended.status().message()));
    }
    LogLine(absl::StrCat("agreements: recorded ", count, " change(s) in the log at positions ",
                         appended->first_position, "..", appended->last_position));
  }
  auto policy = std::make_shared<projections::sharing::Policy>(
      std::make_shared<AgreementSet>(std::move(agreements)), teams_);
  auto table = std::make_shared<projections::sharing::ProducerTable>(std::move(producers));
  LogLine(absl::StrCat("sharing: ", policy->agreements().agreements().size(),
                       " agreement(s) from ",
                       config_.agreements_dir().empty() ? "(none)" : config_.agreements_dir(), ", ",
                       table->config().rule_size(), " producer rule(s)"));
  absl::MutexLock lock(&mu_);
  policy_ = std::move(policy);
  producers_ = std::move(table);
  ++generation_;
  return absl::OkStatus();
}

std::shared_ptr<const projections::sharing::Policy> SharingConfig::policy() const {
  absl::MutexLock lock(&mu_);
  return policy_;
}

std::shared_ptr<const projections::sharing::ProducerTable> SharingConfig::producers() const {
  absl::MutexLock lock(&mu_);
  return producers_;
}

uint64_t SharingConfig::generation() const {
  absl::MutexLock lock(&mu_);
  return generation_;
}

SharingConfig::Counters SharingConfig::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

}  // namespace iomhub::services
