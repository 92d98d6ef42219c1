// HubProcess: the real iomhubd binary, started for one test on 127.0.0.1
// with a kernel-chosen port, and stopped (SIGTERM) or killed (SIGKILL) by
// the test. Test-only.
//
//   TempDir dir;
//   IOMHUB_ASSERT_OK_AND_ASSIGN(std::unique_ptr<HubProcess> hub,
//                               HubProcess::Start({.insecure = true, .data_dir = dir.Join("data")}));
//   auto channel = NewHubChannel(hub->grpc_address(), grpc::InsecureChannelCredentials());
//   ...
//   absl::StatusOr<ExitStatus> exit = hub->Stop();  // SIGTERM
//   EXPECT_TRUE(exit.ok() && exit->ok());            // exit code 0
//
// Thread-compatible: one owner. Start it from a thread that outlives it
// (see subprocess.h on PR_SET_PDEATHSIG).
#ifndef IOMHUB_TESTS_SUPPORT_HUB_PROCESS_H_
#define IOMHUB_TESTS_SUPPORT_HUB_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/subprocess.h"
#include "tests/support/temp_dir.h"

namespace iomhub::testing {

// Paths baked in at build time.
const std::string& IomhubdPath();
// The iomctl binary, or "" when clients/ defined no iomctl target at
// configure time. Tests that run it depend on the target themselves.
const std::string& IomctlPath();
const std::string& SourceDir();
// deploy/config/principals.textproto in the source tree.
std::string DefaultPrincipalsFile();
// deploy/config/agreements and deploy/config/producers.textproto in the
// source tree: the shipped example agreements and producer table.
std::string DefaultAgreementsDir();
std::string DefaultProducersFile();
// deploy/config/rules.textproto: the shipped rules' parameters.
std::string DefaultRulesFile();

struct HubOptions {
  // --insecure: plaintext; a caller is the principal its
  // iomhub-dev-principal metadata names, else a development hub admin.
  // When false the hub runs mTLS with the certificates in certs_dir.
  // Default: false.
  bool insecure = false;
  // Directory from DevCertsDir() (server.pem, server.key, ca.pem).
  // Required unless insecure.
  std::string certs_dir{};
  // Principals file (both modes). Default: DefaultPrincipalsFile().
  std::string principals_file{};
  // --agreements directory. Default: DefaultAgreementsDir().
  std::string agreements_dir{};
  // --producers file. Default: DefaultProducersFile().
  std::string producers_file{};
  // --rules file. Default: DefaultRulesFile().
  std::string rules_file{};
  // The event store directory; reuse it across restarts. Required.
  std::string data_dir{};
  // --unsafe_no_sync. Default: false.
  bool unsafe_no_sync = false;
  // --listen. Default: "127.0.0.1:0".
  std::string listen = "127.0.0.1:0";
  // --metrics_listen ("off" disables). Default: "127.0.0.1:0".
  std::string metrics_listen = "127.0.0.1:0";
  // Appended to the command line as is.
  std::vector<std::string> extra_args{};
  // How long Start waits for the ready file. Default: 20 s.
  absl::Duration ready_timeout = absl::Seconds(20);
};

class HubProcess {
 public:
  // Launches iomhubd with --ready_file and waits (bounded) until it serves.
  // FAILED_PRECONDITION if it exits first, DEADLINE_EXCEEDED if it is not
  // ready in time (it is then killed); both messages carry its stderr.
  static absl::StatusOr<std::unique_ptr<HubProcess>> Start(const HubOptions& options);

  // Kills the daemon if it still runs. If the current test has failed,
  // prints the daemon's stderr to help diagnose it.
  ~HubProcess();
  HubProcess(const HubProcess&) = delete;
  HubProcess& operator=(const HubProcess&) = delete;

  const std::string& grpc_address() const { return grpc_address_; }  // "127.0.0.1:PORT"
  const std::string& metrics_address() const { return metrics_address_; }  // "" when off
  pid_t pid() const { return process_->pid(); }
  const HubOptions& options() const { return options_; }

  // True until the daemon has exited (and was reaped).
  bool running() { return !process_->Exited(); }

  // Graceful stop: SIGTERM, then waits up to `timeout`. DEADLINE_EXCEEDED
  // (after a SIGKILL) if it did not exit in time. Takes longer while clients
  // keep idle channels open (gRPC 1.51's graceful GOAWAY waits ~5 s for
  // them) and while /metrics is served (civetweb stops within 2 s): release
  // channels first, and use metrics_listen "off" when metrics do not matter.
  absl::StatusOr<ExitStatus> Stop(absl::Duration timeout = absl::Seconds(30));

  // Crash: SIGKILL, then reaps.
  ExitStatus Kill();

  // Everything the daemon wrote to stderr so far.
  std::string StderrText() const;

 private:
  HubProcess(HubOptions options, std::unique_ptr<TempDir> run_dir,
             std::unique_ptr<Subprocess> process)
      : options_(std::move(options)), run_dir_(std::move(run_dir)), process_(std::move(process)) {}

  HubOptions options_;
  std::unique_ptr<TempDir> run_dir_;  // ready file and stderr log
  std::unique_ptr<Subprocess> process_;
  std::string grpc_address_;
  std::string metrics_address_;
};

}  // namespace iomhub::testing

#endif  // IOMHUB_TESTS_SUPPORT_HUB_PROCESS_H_
