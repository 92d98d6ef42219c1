// MtlsHubTest: a GoogleTest fixture that starts the real iomhubd with the
// development certificates (mTLS, deploy/config/principals.textproto) on
// 127.0.0.1:0 with its own data directory, and stops it after the test
// (expecting a clean exit). /metrics is off unless serve_metrics_ is set.
// Test-only.
#ifndef IOMHUB_TESTS_INTEGRATION_MTLS_HUB_TEST_H_
#define IOMHUB_TESTS_INTEGRATION_MTLS_HUB_TEST_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "iomhub/v1/admin_service.grpc.pb.h"
#include "iomhub/v1/event_service.grpc.pb.h"
#include "tests/support/dev_certs.h"
#include "tests/support/hub_calls.h"
#include "tests/support/hub_process.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_events.h"

namespace iomhub::testing {

// Partner systems in deploy/config/principals.textproto, with a role each
// may assert.
inline constexpr char kPolice[] = "gwent-police-niche";
inline constexpr char kProbation[] = "wales-probation-ndelius";
inline constexpr char kHousing[] = "cardiff-housing";
inline constexpr char kHealth[] = "cardiff-health";
inline constexpr char kHubAdmin[] = "hub-admin";
inline constexpr char kAuditor[] = "ico-auditor";

inline const CallAs kSergeant{
    .user_id = "pc-4521", .role = "sergeant", .purpose = "iom_case_management"};
inline const CallAs kProbationOfficer{
    .user_id = "po-17", .role = "probation_officer", .purpose = "iom_case_management"};
inline const CallAs kHousingOfficer{
    .user_id = "ho-3", .role = "housing_officer", .purpose = "iom_case_management"};
inline const CallAs kHealthWorker{
    .user_id = "hw-9", .role = "health_worker", .purpose = "iom_case_management"};
inline const CallAs kAdmin{.user_id = "ops-1", .role = "operator", .purpose = "operations"};
inline const CallAs kAuditorCall{.user_id = "dpo-1", .role = "auditor", .purpose = "audit"};

class MtlsHubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::string> certs = DevCertsDir();
    ASSERT_THAT(certs, IsOk());
    certs_dir_ = *certs;
    StartHub();
    base_head_ = Head();
  }

  void TearDown() override {
    CloseClients();
    if (hub_ != nullptr && hub_->running()) StopHub();
  }

  // Drops the test's stubs and channels. A graceful stop waits for open
  // connections to go (gRPC 1.51's graceful GOAWAY waits ~5 s for an idle
  // client), so fixtures that keep stubs release them here; TearDown calls
  // it before stopping the hub.
  virtual void CloseClients() {}

  virtual HubOptions Options() const {
    HubOptions options{
        .certs_dir = certs_dir_, .agreements_dir = agreements_dir_, .data_dir = dir_.Join("data")};
    // The shipped areas and teams, as deploy/config/hub.textproto names them.
    options.extra_args.push_back(
        absl::StrCat("--teams=", SourceDir(), "/deploy/config/teams.textproto"));
    // Stopping the metrics server (civetweb) costs up to 2 s.
    if (!serve_metrics_) options.metrics_listen = "off";
    return options;
  }

  // (Re)starts the hub on the same data directory.
  void StartHub() {
    absl::StatusOr<std::unique_ptr<HubProcess>> hub = HubProcess::Start(Options());
    ASSERT_THAT(hub, IsOk());
    hub_ = *std::move(hub);
  }

  // SIGTERM; expects exit code 0.
  void StopHub() {
    absl::StatusOr<ExitStatus> exit = hub_->Stop();
    ASSERT_THAT(exit, IsOk());
    EXPECT_TRUE(exit->ok()) << "iomhubd: " << exit->ToString() << "\n" << hub_->StderrText();
  }

  // A channel to the hub presenting `system`'s client certificate.
  std::shared_ptr<grpc::Channel> ChannelFor(absl::string_view system) {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(system);
    EXPECT_THAT(creds, IsOk());
    if (!creds.ok()) return nullptr;
    return NewHubChannel(hub_->grpc_address(), *creds);
  }

  // An EventService stub presenting `system`'s client certificate.
  std::unique_ptr<v1::EventService::Stub> StubFor(absl::string_view system) {
    std::shared_ptr<grpc::Channel> channel = ChannelFor(system);
    if (channel == nullptr) return nullptr;
    return v1::EventService::NewStub(channel);
  }

  // `program` and the connection flags every hub client takes (clients/
  // connection_flags.h): this hub, `system`'s certificate, acting as `as`.
  std::vector<std::string> ClientArgv(const std::string& program, absl::string_view system,
                                      const CallAs& as) const {
    return {program,
            absl::StrCat("--hub=", hub_->grpc_address()),
            absl::StrCat("--ca=", certs_dir_, "/ca.pem"),
            absl::StrCat("--cert=", certs_dir_, "/", system, ".pem"),
            absl::StrCat("--key=", certs_dir_, "/", system, ".key"),
            absl::StrCat("--user=", as.user_id),
            absl::StrCat("--role=", as.role),
            absl::StrCat("--purpose=", as.purpose)};
  }

  // Runs the real iomctl against the hub as `system` (its certificate)
  // acting as `as`, with `args` after the connection flags. Callers skip
  // when IomctlPath() is empty (iomctl not built).
  CommandResult Iomctl(absl::string_view system, const CallAs& as,
                       const std::vector<std::string>& args) {
    std::vector<std::string> argv = ClientArgv(IomctlPath(), system, as);
    argv.insert(argv.end(), args.begin(), args.end());
    absl::StatusOr<CommandResult> r = RunCommand(argv, absl::Seconds(30));
    EXPECT_THAT(r, IsOk());
    return r.value_or(CommandResult{});
  }

  // The log's head, whatever the sharing policy lets anyone read: the
  // head_position AdminService.ListViews reports to the hub admin.
  uint64_t Head() {
    absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds = ClientCredentials(kHubAdmin);
    EXPECT_THAT(creds, IsOk());
    if (!creds.ok()) return UINT64_MAX;
    auto admin = v1::AdminService::NewStub(NewHubChannel(hub_->grpc_address(), *creds));
    auto context = NewCallContext(kAdmin);
    v1::ListViewsResponse response;
    const absl::Status status =
        FromGrpc(admin->ListViews(context.get(), v1::ListViewsRequest(), &response));
    EXPECT_THAT(status, IsOk());
    if (!status.ok() || response.views().empty()) return UINT64_MAX;
    return response.views(0).head_position();
  }

  // Serve /metrics (on 127.0.0.1:0). Set in the subclass constructor.
  bool serve_metrics_ = false;
  // --agreements; empty: the shipped examples. Set in the subclass
  // constructor.
  std::string agreements_dir_;
  TempDir dir_{"iomhub-it"};
  std::string certs_dir_;
  std::unique_ptr<HubProcess> hub_;
  // The head once the hub first started: the shipped agreements' changes
  // (stream "agreements") come first in every log.
  uint64_t base_head_ = 0;
};

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_INTEGRATION_MTLS_HUB_TEST_H_
