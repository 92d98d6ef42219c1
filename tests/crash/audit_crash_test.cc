// No disclosure leaves before its audit record is durable: kills the real
// iomhubd (SIGKILL) at random moments while a writer appends, two readers
// page through ReadAll and a subscriber follows the log, and after each
// restart asks the audit log (as the auditor) whether every event any
// client received is covered by a DISCLOSE record to that client. A record
// written after the send, or not fsynced before it, would be lost by some
// kill. Uses --insecure: this tests durability, not authentication.
#include <signal.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "iomhub/v1/audit_service.grpc.pb.h"
#include "iomhub/v1/subscription_service.grpc.pb.h"
#include "tests/crash/crash_workload.h"
#include "tests/support/dev_certs.h"
#include "tests/support/hub_calls.h"
#include "tests/support/hub_process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace iomhub::crash {
namespace {

using ::iomhub::testing::CallAs;
using ::iomhub::testing::HubProcess;
using ::iomhub::testing::IsOk;

constexpr int kCycles = 5;
const CallAs kPolice{.user_id = "pc-1",
                     .role = "sergeant",
                     .purpose = "iom_case_management",
                     .dev_principal = "gwent-police-niche"};
const CallAs kProbation{.user_id = "po-1",
                        .role = "probation_officer",
                        .purpose = "iom_case_management",
                        .dev_principal = "wales-probation-ndelius"};
const CallAs kAuditor{
    .user_id = "dpo-1", .role = "auditor", .purpose = "audit", .dev_principal = "ico-auditor"};

// (system, position) pairs clients received about people.
class Received {
 public:
  void Add(const std::string& system, const v1::Event& e) {
    if (e.stream().rfind("person-", 0) != 0) return;  // hub records are not personal data
    absl::MutexLock lock(&mu_);
    got_[system].insert(e.position());
  }
  std::map<std::string, std::set<uint64_t>> Get() {
    absl::MutexLock lock(&mu_);
    return got_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::set<uint64_t>> got_ ABSL_GUARDED_BY(mu_);
};

// Clients that append, read and subscribe until the hub goes away.
class Clients {
 public:
  Clients(const std::string& address, Received* received) : received_(received) {
    auto channel = testing::NewHubChannel(address, grpc::InsecureChannelCredentials());
    events_ = v1::EventService::NewStub(channel);
    subscriptions_ = v1::SubscriptionService::NewStub(channel);
    threads_.emplace_back([this] { Write(); });
    for (int r = 0; r < 2; ++r) threads_.emplace_back([this] { Read(); });
    threads_.emplace_back([this] { Subscribe(); });
  }
  ~Clients() {
    stop_ = true;
    {
      absl::MutexLock lock(&mu_);
      if (subscription_ != nullptr) subscription_->TryCancel();
    }
    for (auto& t : threads_) t.join();
  }
  void Stop() { stop_ = true; }

 private:
  void Write() {
    std::vector<std::string> streams;
    for (int i = 0; i < 4; ++i) streams.push_back(testing::NewPersonStream());
    for (int i = 0; !stop_; ++i) {
      std::vector<v1::Event> batch;
      for (int k = 0; k < 5; ++k) batch.push_back(testing::NewContactEvent());
      if (!testing::CallAppend(*events_, testing::MakeAppend(streams[i % streams.size()], batch),
                               kPolice, absl::Seconds(5))
               .ok()) {
        return;
      }
    }
  }
  void Read() {
    while (!stop_) {
      v1::ReadAllRequest request;
      auto context = testing::NewCallContext(kPolice, absl::Seconds(5));
      auto reader = events_->ReadAll(context.get(), request);
      v1::ReadResponse batch;
      while (reader->Read(&batch)) {
        for (const v1::Event& e : batch.events()) received_->Add("gwent-police-niche", e);
      }
      if (!reader->Finish().ok()) return;
    }
  }
  void Subscribe() {
    auto context = std::make_unique<grpc::ClientContext>();
    testing::AddCallMetadata(context.get(), kProbation);
    v1::SubscribeRequest request;
    request.set_from_start(true);
    {
      absl::MutexLock lock(&mu_);
      subscription_ = context.get();
    }
    auto reader = subscriptions_->Subscribe(context.get(), request);
    v1::SubscribeResponse response;
    while (reader->Read(&response)) {
      for (const v1::Event& e : response.events().events()) {
        received_->Add("wales-probation-ndelius", e);
      }
    }
    reader->Finish().IgnoreError();
    absl::MutexLock lock(&mu_);
    subscription_ = nullptr;
  }

  Received* const received_;
  std::unique_ptr<v1::EventService::Stub> events_;
  std::unique_ptr<v1::SubscriptionService::Stub> subscriptions_;
  std::atomic<bool> stop_{false};
  absl::Mutex mu_;
  grpc::ClientContext* subscription_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::vector<std::thread> threads_;
};

// Every position the audit log records as disclosed to each system.
std::map<std::string, std::set<uint64_t>> Recorded(const std::string& address) {
  auto auditor = v1::AuditService::NewStub(
      testing::NewHubChannel(address, grpc::InsecureChannelCredentials()));
  v1::QueryAuditRequest request;
  request.set_operation(v1::AUDIT_OPERATION_DISCLOSE);
  request.set_page_size(1000);
  auto context = testing::NewCallContext(kAuditor, absl::Seconds(60));
  auto reader = auditor->QueryAudit(context.get(), request);
  std::map<std::string, std::set<uint64_t>> out;
  v1::QueryAuditResponse page;
  while (reader->Read(&page)) {
    for (const auto& entry : page.entries()) {
      for (const auto& subject : entry.record().subjects()) {
        out[entry.record().actor().system()].insert(subject.positions().begin(),
                                                    subject.positions().end());
      }
    }
  }
  EXPECT_THAT(testing::FromGrpc(reader->Finish()), IsOk());
  return out;
}

TEST(AuditCrash, EverythingAClientReceivedIsRecordedAfterAKill) {
  const uint64_t seed = TestSeed();
  std::mt19937_64 rng(seed);
  testing::TempDir dir("audit-crash");
  const testing::HubOptions options{.insecure = true, .data_dir = dir.Join("data")};
  Received received;
  for (int cycle = 0; cycle < kCycles; ++cycle) {
    SCOPED_TRACE(absl::StrCat("cycle ", cycle, ", seed ", seed));
    absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(options);
    ASSERT_THAT(hub, IsOk());
    {
      Clients clients((*hub)->grpc_address(), &received);
      absl::SleepFor(absl::Milliseconds(std::uniform_int_distribution<int>(200, 700)(rng)));
      clients.Stop();
      const testing::ExitStatus killed = (*hub)->Kill();
      EXPECT_EQ(killed.signal, SIGKILL) << killed.ToString();
    }
  }
  absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(options);
  ASSERT_THAT(hub, IsOk());
  const auto got = received.Get();
  const auto recorded = Recorded((*hub)->grpc_address());
  size_t total = 0;
  for (const auto& [system, positions] : got) {
    const std::set<uint64_t>& covered =
        recorded.contains(system) ? recorded.at(system) : std::set<uint64_t>();
    std::vector<uint64_t> missing;
    for (uint64_t p : positions) {
      if (!covered.contains(p)) missing.push_back(p);
    }
    EXPECT_THAT(missing, ::testing::IsEmpty()) << system << " received events with no record";
    total += positions.size();
  }
  EXPECT_EQ(got.size(), 2u) << "both the readers and the subscriber received events";
  std::printf("%d kills; %zu (client, event) deliveries checked against the audit log\n", kCycles,
              total);
  absl::StatusOr<testing::ExitStatus> stopped = (*hub)->Stop();
  ASSERT_THAT(stopped, IsOk());
}

}  // namespace
}  // namespace iomhub::crash
