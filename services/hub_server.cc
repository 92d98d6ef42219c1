#include "services/hub_server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "eventstore/event_store.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "prometheus/exposer.h"
#include "services/auth.h"
#include "services/event_service.h"
#include "services/hub_metrics.h"
#include "services/listen_address.h"
#include "services/read_executor.h"
#include "services/subscription_service.h"

namespace iomhub::services {
namespace {

constexpr int kReadThreads = 2;

absl::StatusOr<std::string> ReadFile(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", what, " ", path));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A bind failure as an operator reads it: what, where, and why.
absl::Status CannotListen(const std::string& what, const std::string& address,
                          const std::string& detail = "") {
  std::string why = DescribeBindFailure(address);
  if (why.empty()) why = detail.empty() ? "the address is not available" : detail;
  return absl::UnavailableError(absl::StrCat("cannot listen for ", what, " on ", address, ": ", why));
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

class HubServer::Impl {
 public:
  // Declared first so it outlives the store, whose commit thread feeds it.
  std::unique_ptr<HubMetrics> metrics;
  std::unique_ptr<eventstore::EventStore> store;
  std::unique_ptr<Authenticator> auth;
  std::unique_ptr<ReadExecutor> executor;
  std::unique_ptr<EventServiceImpl> event_service;
  std::unique_ptr<SubscriptionServiceImpl> subscription_service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<prometheus::Exposer> exposer;
  std::string grpc_address;
  std::string metrics_address;
  bool shut_down = false;
};

HubServer::HubServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HubServer::~HubServer() { Shutdown(absl::Seconds(5)); }
const std::string& HubServer::grpc_address() const { return impl_->grpc_address; }
const std::string& HubServer::metrics_address() const { return impl_->metrics_address; }

absl::StatusOr<std::unique_ptr<HubServer>> HubServer::Start(const v1::HubConfig& raw_config,
                                                            const v1::Principals& principals) {
  const v1::HubConfig config = WithDefaults(raw_config);
  std::shared_ptr<grpc::ServerCredentials> credentials;
  if (config.insecure()) {
    if (!IsLoopbackAddress(config.listen_address())) {
      return absl::InvalidArgumentError(absl::StrCat(
          "insecure mode may only listen on loopback, not ", config.listen_address()));
    }
    credentials = grpc::InsecureServerCredentials();
  } else {
    const auto& tls = config.tls();
    if (tls.server_cert_file().empty() || tls.server_key_file().empty() ||
        tls.client_ca_file().empty()) {
      return absl::InvalidArgumentError(
          "TLS needs a server certificate, key and client CA (or --insecure on loopback)");
    }
    grpc::SslServerCredentialsOptions ssl(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    IOMHUB_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadFile(tls.client_ca_file(), "client CA"));
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    IOMHUB_ASSIGN_OR_RETURN(pair.private_key, ReadFile(tls.server_key_file(), "server key"));
    IOMHUB_ASSIGN_OR_RETURN(pair.cert_chain, ReadFile(tls.server_cert_file(), "server certificate"));
    ssl.pem_key_cert_pairs.push_back(std::move(pair));
    credentials = grpc::SslServerCredentials(ssl);
  }

  auto impl = std::make_unique<Impl>();
  impl->metrics = std::make_unique<HubMetrics>();
  IOMHUB_ASSIGN_OR_RETURN(
      impl->store, eventstore::EventStore::Open(eventstore::EventStoreOptions{
                       .path = config.data_dir(),
                       .sync = !config.unsafe_no_sync(),
                       .max_event_bytes = config.limits().max_event_bytes(),
                       .max_events_per_append = config.limits().max_events_per_append(),
                       .max_append_bytes = config.limits().max_append_bytes(),
                       .commit_observer =
                           [metrics = impl->metrics.get()](const eventstore::CommitStats& c) {
                             metrics->RecordCommit(c.events, c.appends,
                                                   absl::ToDoubleSeconds(c.write_time));
                           },
                       .condition_observer =
                           [metrics = impl->metrics.get()](eventstore::StoreCondition c) {
                             metrics->SetStoreCondition(c);
                           },
                       .wal_recovery = config.wal_recovery() == v1::WAL_RECOVERY_POINT_IN_TIME
                                           ? eventstore::WalRecovery::kPointInTime
                                           : eventstore::WalRecovery::kRefuseDamage,
                       .min_free_disk_bytes = config.limits().min_free_disk_bytes(),
                   }));
  impl->auth = std::make_unique<Authenticator>(principals, config.insecure());
  impl->executor = std::make_unique<ReadExecutor>(kReadThreads);
  impl->event_service = std::make_unique<EventServiceImpl>(
      impl->store.get(), impl->auth.get(), impl->executor.get(), impl->metrics.get());
  impl->subscription_service = std::make_unique<SubscriptionServiceImpl>(
      impl->store.get(), impl->auth.get(), impl->executor.get(), impl->metrics.get(),
      absl::Milliseconds(config.heartbeat_interval_ms()));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen_address(), credentials, &port);
  // gRPC sets SO_REUSEPORT by default: a second hub on a taken port would
  // start, and the kernel would spread connections (and one stream's
  // appends) between two logs. A taken port must be a start-up error.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.limits().max_append_bytes()) + (1 << 20));
  builder.RegisterService(impl->event_service.get());
  builder.RegisterService(impl->subscription_service.get());
  impl->server = builder.BuildAndStart();
  if (impl->server == nullptr || port == 0) {
    return CannotListen("gRPC", config.listen_address());
  }
  impl->grpc_address = WithPort(config.listen_address(), port);

  if (!config.metrics_address().empty()) {
    try {  // prometheus-cpp (civetweb) reports bind failures by throwing
      impl->exposer = std::make_unique<prometheus::Exposer>(config.metrics_address());
    } catch (const std::exception& e) {
      impl->server->Shutdown();
      return CannotListen("metrics (HTTP)", config.metrics_address(), e.what());
    }
    impl->exposer->RegisterCollectable(impl->metrics->registry());
    auto ports = impl->exposer->GetListeningPorts();
    impl->metrics_address =
        WithPort(config.metrics_address(), ports.empty() ? 0 : ports.front());
  }
  impl->metrics->SetHeadPosition(impl->store->CommittedPosition());
  return std::unique_ptr<HubServer>(new HubServer(std::move(impl)));
}

void HubServer::Shutdown(absl::Duration grace) {
  if (impl_->shut_down) return;
  impl_->shut_down = true;
  // Subscriptions never end by themselves: end them first. Then refuse new
  // appends and let accepted ones be acknowledged; only then stop the
  // server, with a short deadline: waiting longer would only wait for idle
  // client connections to answer gRPC's GOAWAY ping, not for any work.
  const absl::Time deadline = absl::Now() + grace;
  impl_->subscription_service->Shutdown(grace);
  impl_->event_service->DrainAppends(std::max(deadline - absl::Now(), absl::ZeroDuration()));
  impl_->server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Milliseconds(200)));
  impl_->executor->Shutdown();
  impl_->store->Shutdown();
  impl_->exposer.reset();
}

}  // namespace iomhub::services
