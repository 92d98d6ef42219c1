#include "bench/grpc_bench_support.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "bench/latency_samples.h"
#include "common/files.h"

ABSL_FLAG(std::string, ca, "",
          "With --cert and --key: mutual TLS as a partner connects (the certificate names the "
          "principal, e.g. wales-probation-ndelius); empty: the --insecure hub");
ABSL_FLAG(std::string, cert, "", "Client certificate (PEM) for mutual TLS");
ABSL_FLAG(std::string, key, "", "Client private key (PEM) for mutual TLS");

namespace iomhub::bench {
namespace {

std::string g_mode;
std::atomic<uint64_t> g_head{0};  // highest position any ack reported

}  // namespace

uint64_t NotedHead() { return g_head.load(); }
void SetMode(std::string mode) { g_mode = std::move(mode); }
const std::string& Mode() { return g_mode; }

void NoteHead(uint64_t position) {
  uint64_t seen = g_head.load(std::memory_order_relaxed);
  while (position > seen && !g_head.compare_exchange_weak(seen, position)) {
  }
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "grpc_bench: %s\n", message.c_str());
  std::exit(1);
}

void AddIdentity(grpc::ClientContext* ctx) {
  // The --insecure hub's principal to act as: probation produces and
  // receives every event this bench appends, whole. Over mTLS the
  // certificate says so instead.
  if (absl::GetFlag(FLAGS_ca).empty()) {
    ctx->AddMetadata("iomhub-dev-principal", "wales-probation-ndelius");
  }
  ctx->AddMetadata("iomhub-user-id", "bench");
  ctx->AddMetadata("iomhub-role", "probation_officer");
  ctx->AddMetadata("iomhub-purpose", "iom_case_management");
}

namespace {

std::shared_ptr<grpc::ChannelCredentials> Credentials() {
  if (absl::GetFlag(FLAGS_ca).empty()) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions tls;
  for (auto [flag, out] :
       {std::pair{&FLAGS_ca, &tls.pem_root_certs}, std::pair{&FLAGS_cert, &tls.pem_cert_chain},
        std::pair{&FLAGS_key, &tls.pem_private_key}}) {
    absl::StatusOr<std::string> pem = ReadWholeFile(absl::GetFlag(*flag), "a PEM file");
    if (!pem.ok()) Die(std::string(pem.status().message()));
    *out = *pem;
  }
  return grpc::SslCredentials(tls);
}

}  // namespace

Stubs Connect(const std::string& target, int channels) {
  Stubs s;
  const std::shared_ptr<grpc::ChannelCredentials> credentials = Credentials();
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);  // one TCP connection per channel
    args.SetMaxReceiveMessageSize(64 << 20);
    auto channel = grpc::CreateCustomChannel(target, credentials, args);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      Die(absl::StrCat("cannot connect to ", target));
    }
    s.channels.push_back(channel);
    s.events.push_back(v1::EventService::NewStub(channel));
    s.subs.push_back(v1::SubscriptionService::NewStub(channel));
  }
  return s;
}

void PrintHeader() {
  std::printf("\n%-46s | %-8s | %10s | %12s | %9s | %9s | %s\n", "gRPC workload", "mode", "events",
              "events/s", "p50 ms", "p99 ms", "notes");
  std::printf("%s\n", std::string(46 + 8 + 10 + 12 + 9 * 2 + 30, '-').c_str());
}

void PrintRow(const std::string& name, int64_t events, absl::Duration elapsed, double p50,
              double p99, const std::string& notes) {
  const double rate = static_cast<double>(events) / absl::ToDoubleSeconds(elapsed);
  std::printf("%-46s | %-8s | %10lld | %12s | %9.2f | %9.2f | %s\n", name.c_str(), g_mode.c_str(),
              static_cast<long long>(events), Thousands(rate).c_str(), p50, p99, notes.c_str());
  std::fflush(stdout);
}

}  // namespace iomhub::bench
