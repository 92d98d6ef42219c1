#include "services/hub_server.h"

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/files.h"
#include "common/status_macros.h"
#include "eventstore/event_store.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "services/access_log.h"
#include "services/admin_service.h"
#include "services/alert_service.h"
#include "services/audit_service.h"
#include "services/auth.h"
#include "services/case_service.h"
#include "services/decision_service.h"
#include "services/event_service.h"
#include "services/hub_context.h"
#include "services/hub_metrics.h"
#include "services/listen_address.h"
#include "services/ops_http.h"
#include "services/process_metrics.h"
#include "services/sharing_service.h"
#include "services/storage_metrics.h"
#include "services/subscription_service.h"
#include "services/tls_files.h"

namespace iomhub::services {
namespace {

// A bind failure as an operator reads it: what, where, and why.
absl::Status CannotListen(const std::string& what, const std::string& address,
                          const std::string& detail = "") {
  std::string why = DescribeBindFailure(address);
  if (why.empty()) why = detail.empty() ? "the address is not available" : detail;
  return absl::UnavailableError(
      absl::StrCat("cannot listen for ", what, " on ", address, ": ", why));
}

}  // namespace

v1::HubConfig WithDefaults(v1::HubConfig config) {
  if (config.listen_address().empty()) config.set_listen_address("127.0.0.1:50051");
  if (config.data_dir().empty()) config.set_data_dir("./iomhub-data");
  auto* limits = config.mutable_limits();
  if (limits->max_event_bytes() == 0) limits->set_max_event_bytes(1 << 20);
  if (limits->max_events_per_append() == 0) limits->set_max_events_per_append(1000);
  if (limits->max_append_bytes() == 0) limits->set_max_append_bytes(4 << 20);
  if (limits->min_free_disk_bytes() == 0) limits->set_min_free_disk_bytes(uint64_t{256} << 20);
  if (config.heartbeat_interval_ms() == 0) config.set_heartbeat_interval_ms(5000);
  return config;
}

// Per-view health: "iomhub.view.<name>" is NOT_SERVING while the view is
// stopped on an event, and so is every service that reads it.
class ViewHealth {
 public:
  void Attach(grpc::HealthCheckServiceInterface* health) {
    absl::MutexLock lock(&mu_);
    health_ = health;
    for (const auto& [name, serving] : serving_) Publish(name, serving);
  }
  void Detach() {
    absl::MutexLock lock(&mu_);
    health_ = nullptr;
  }
  // Empty if every view serves, else which stopped.
  std::string Problem() {
    absl::MutexLock lock(&mu_);
    for (const auto& [name, serving] : serving_) {
      if (!serving) return absl::StrCat("view ", name, " has stopped (see iomctl views)");
    }
    return "";
  }
  void Observe(const projections::ViewStatus& status) {
    const bool serving = status.state != projections::ViewStatus::State::kFailed;
    absl::MutexLock lock(&mu_);
    auto [it, inserted] = serving_.emplace(status.name, serving);
    if (!inserted && it->second == serving) return;
    it->second = serving;
    Publish(status.name, serving);
  }

 private:
  void Publish(const std::string& name, bool serving) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (health_ == nullptr) return;
    health_->SetServingStatus(absl::StrCat("iomhub.view.", name), serving);
    bool all = true;
    for (const auto& [view, ok] : serving_) all &= ok;
    health_->SetServingStatus("iomhub.v1.CaseService", all);
    health_->SetServingStatus("iomhub.v1.AlertService", all);
  }

  absl::Mutex mu_;
  grpc::HealthCheckServiceInterface* health_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::map<std::string, bool> serving_ ABSL_GUARDED_BY(mu_);
};

class HubServer::Impl {
 public:
  ViewHealth view_health;  // first: the context's workers report to it
  std::unique_ptr<HubContext> hub;
  std::unique_ptr<EventServiceImpl> event_service;
  std::unique_ptr<SubscriptionServiceImpl> subscription_service;
  std::unique_ptr<CaseServiceImpl> case_service;
  std::unique_ptr<AdminServiceImpl> admin_service;
  std::unique_ptr<SharingServiceImpl> sharing_service;
  std::unique_ptr<AlertServiceImpl> alert_service;
  std::unique_ptr<DecisionServiceImpl> decision_service;
  std::unique_ptr<AuditServiceImpl> audit_service;
  std::unique_ptr<AccessLog> access_log;  // before `server`: it outlives it
  std::unique_ptr<TlsFiles> tls_files;    // null when insecure
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<OpsHttp> ops_http;
  std::shared_ptr<ProcessMetrics> process_metrics = std::make_shared<ProcessMetrics>();
  std::shared_ptr<StorageMetrics> storage_metrics;  // null for storage without files
  std::atomic<bool> draining{false};
  absl::Duration drain_delay;
  std::string grpc_address;
  std::string metrics_address;
  bool shut_down = false;
};

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubServer::~HubServer() { Shutdown(absl::Seconds(5)); }
const std::string& HubServer::grpc_address() const { return impl_->grpc_address; }
const std::string& HubServer::metrics_address() const { return impl_->metrics_address; }

absl::Status HubServer::ReloadSharing() {
  absl::Status status = impl_->hub->sharing().Reload();
  impl_->hub->metrics().RecordSharingReload(status.ok());
  return status;
}

absl::Status HubServer::ReloadPrincipals() { return impl_->hub->ReloadPrincipals(); }

absl::StatusOr<std::string> HubServer::ReloadTls() {
  if (impl_->tls_files == nullptr) {
    return absl::FailedPreconditionError("insecure mode: no TLS files to reload");
  }
  absl::StatusOr<std::string> reloaded = impl_->tls_files->Reload();
  impl_->hub->metrics().RecordReload("tls", reloaded.ok());
  return reloaded;
}

absl::StatusOr<std::unique_ptr<HubServer>> HubServer::Start(const v1::HubConfig& raw_config,
                                                            const v1::Principals& principals,
                                                            const v1::TeamsConfig& teams) {
  const v1::HubConfig config = WithDefaults(raw_config);
  std::shared_ptr<grpc::ServerCredentials> credentials;
  std::unique_ptr<TlsFiles> tls_files;
  if (config.insecure()) {
    if (!IsLoopbackAddress(config.listen_address())) {
      return absl::InvalidArgumentError(
          absl::StrCat("insecure mode may only listen on loopback, not ", config.listen_address()));
    }
    credentials = grpc::InsecureServerCredentials();
  } else {
    const auto& tls = config.tls();
    if (tls.server_cert_file().empty() || tls.server_key_file().empty() ||
        tls.client_ca_file().empty()) {
      return absl::InvalidArgumentError(
          "TLS needs a server certificate, key and client CA (or --insecure on loopback)");
    }
    IOMHUB_ASSIGN_OR_RETURN(
        tls_files,
        TlsFiles::Start(tls, (std::filesystem::path(config.data_dir()) / ".tls").string()));
    credentials = tls_files->credentials();
  }

  auto impl = std::make_unique<Impl>();
  impl->tls_files = std::move(tls_files);
  IOMHUB_ASSIGN_OR_RETURN(
      impl->hub, HubContext::Start({.config = config,
                                    .principals = principals,
                                    .teams = teams,
                                    .view_observer = [health = &impl->view_health](
                                                         const projections::ViewStatus& status) {
                                      health->Observe(status);
                                    }}));
  HubContext* hub = impl->hub.get();
  impl->event_service = std::make_unique<EventServiceImpl>(hub);
  impl->subscription_service = std::make_unique<SubscriptionServiceImpl>(
      &hub->log(), &hub->auth(), &hub->executor(), &hub->metrics(),
      absl::Milliseconds(config.heartbeat_interval_ms()), hub->delivery(), &hub->audit());
  impl->case_service = std::make_unique<CaseServiceImpl>(hub);
  impl->admin_service = std::make_unique<AdminServiceImpl>(hub);
  impl->sharing_service = std::make_unique<SharingServiceImpl>(hub);
  impl->alert_service = std::make_unique<AlertServiceImpl>(hub);
  impl->decision_service = std::make_unique<DecisionServiceImpl>(hub);
  impl->audit_service = std::make_unique<AuditServiceImpl>(hub);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  if (!config.access_log().empty()) {
    IOMHUB_ASSIGN_OR_RETURN(impl->access_log, AccessLog::Open(config.access_log()));
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(impl->access_log->Interceptors(&hub->auth()));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  int port = 0;
  builder.AddListeningPort(config.listen_address(), credentials, &port);
  // gRPC sets SO_REUSEPORT by default: a second hub on a taken port would
  // start, and the kernel would spread connections (and one stream's
  // appends) between two logs. A taken port must be a start-up error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.limits().max_append_bytes()) +
                                   (1 << 20));
  builder.RegisterService(impl->event_service.get());
  builder.RegisterService(impl->subscription_service.get());
  builder.RegisterService(impl->case_service.get());
  builder.RegisterService(impl->admin_service.get());
  builder.RegisterService(impl->sharing_service.get());
  builder.RegisterService(impl->alert_service.get());
  builder.RegisterService(impl->decision_service.get());
  builder.RegisterService(impl->audit_service.get());
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || port == 0) {
    return CannotListen("gRPC", config.listen_address());
  }
  impl->grpc_address = WithPort(config.listen_address(), port);
  impl->view_health.Attach(impl->server->GetHealthCheckService());

  // Every service serves from here until shutdown begins; CaseService and
  // AlertService also follow their views (ViewHealth).
  for (const char* service :
       {"iomhub.v1.EventService", "iomhub.v1.SubscriptionService", "iomhub.v1.AdminService",
        "iomhub.v1.SharingService", "iomhub.v1.DecisionService", "iomhub.v1.AuditService"}) {
    impl->server->GetHealthCheckService()->SetServingStatus(service, true);
  }
  impl->drain_delay = absl::Milliseconds(config.shutdown_drain_ms());

  if (!config.metrics_address().empty()) {
    Impl* state = impl.get();
    std::vector<std::weak_ptr<prometheus::Collectable>> collectables = {hub->metrics().registry(),
                                                                        impl->process_metrics};
    if (hub->maintenance() != nullptr) {
      impl->storage_metrics = std::make_shared<StorageMetrics>(hub->maintenance());
      collectables.push_back(impl->storage_metrics);
    }
    absl::StatusOr<std::unique_ptr<OpsHttp>> http = OpsHttp::Start(
        config.metrics_address(), std::move(collectables),
        [hub] {
          return hub->metrics().store_condition() == eventstore::StoreCondition::kFailed
                     ? std::string(
                           "the store has failed a write and refuses all writes; "
                           "restart the hub (see its log)")
                     : std::string();
        },
        [hub, state] {
          if (state->draining) return std::string("shutting down");
          if (hub->metrics().store_condition() != eventstore::StoreCondition::kWritable) {
            return std::string("the disk is full or the store has failed: appends are refused");
          }
          return state->view_health.Problem();
        });
    if (!http.ok()) {
      impl->server->Shutdown();
      return http.status();
    }
    impl->ops_http = *std::move(http);
    impl->metrics_address = impl->ops_http->address();
  }
  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

void HubServer::Shutdown(absl::Duration grace) {
  if (impl_->shut_down) return;
  impl_->shut_down = true;
  // Subscriptions never end by themselves: end them first. Then refuse new
  // appends and let accepted ones be acknowledged; only then stop the
  // server, with a short deadline: waiting longer would only wait for idle
  // client connections to answer gRPC's GOAWAY ping, not for any work.
  // From now on health says NOT_SERVING (every service) and /readyz 503, so
  // load balancers drain; calls are still served for the drain delay.
  impl_->draining = true;
  impl_->server->GetHealthCheckService()->Shutdown();
  if (impl_->drain_delay > absl::ZeroDuration()) absl::SleepFor(impl_->drain_delay);
  const absl::Time deadline = absl::Now() + grace;
  impl_->subscription_service->Shutdown(grace);
  impl_->event_service->DrainAppends(std::max(deadline - absl::Now(), absl::ZeroDuration()));
  impl_->view_health.Detach();
  impl_->server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Milliseconds(200)));
  // A backup under way finishes before the storage closes under it.
  impl_->admin_service->FinishStorageWork();
  impl_->hub->Stop();
  impl_->ops_http.reset();
}

}  // namespace iomhub::services
