#include "tests/support/hub_process.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"

namespace iomhub::testing {
namespace {

// Parses the ready file: "grpc=HOST:PORT\nmetrics=HOST:PORT\n". Returns
// false while it is incomplete.
bool ParseReadyFile(const std::string& text, std::string* grpc, std::string* metrics) {
  bool has_grpc = false, has_metrics = false;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::ConsumePrefix(&line, "grpc=")) {
      *grpc = std::string(line);
      has_grpc = !grpc->empty();
    } else if (absl::ConsumePrefix(&line, "metrics=")) {
      *metrics = std::string(line);
      has_metrics = true;
    }
  }
  return has_grpc && has_metrics;
}

}  // namespace

const std::string& IomhubdPath() {
  static const std::string* path = new std::string(IOMHUB_IOMHUBD_PATH);
  return *path;
}

const std::string& IomctlPath() {
#ifdef IOMHUB_IOMCTL_PATH
  static const std::string* path = new std::string(IOMHUB_IOMCTL_PATH);
#else
  static const std::string* path = new std::string();
#endif
  return *path;
}

const std::string& SourceDir() {
  static const std::string* path = new std::string(IOMHUB_SOURCE_DIR);
  return *path;
}

std::string DefaultPrincipalsFile() {
  return absl::StrCat(SourceDir(), "/deploy/config/principals.textproto");
}

std::string DefaultAgreementsDir() { return absl::StrCat(SourceDir(), "/deploy/config/agreements"); }

std::string DefaultProducersFile() {
  return absl::StrCat(SourceDir(), "/deploy/config/producers.textproto");
}

std::string DefaultRulesFile() { return absl::StrCat(SourceDir(), "/deploy/config/rules.textproto"); }

absl::StatusOr<std::unique_ptr<HubProcess>> HubProcess::Start(const HubOptions& options) {
  if (options.data_dir.empty()) return absl::InvalidArgumentError("HubOptions.data_dir is required");
  if (!options.insecure && options.certs_dir.empty()) {
    return absl::InvalidArgumentError("HubOptions.certs_dir is required without insecure");
  }
  auto run_dir = std::make_unique<TempDir>("iomhubd-run");
  const std::string ready_file = run_dir->Join("ready");
  const std::string stderr_file = run_dir->Join("stderr.log");
  std::vector<std::string> argv = {IomhubdPath(),
                                   absl::StrCat("--listen=", options.listen),
                                   absl::StrCat("--data_dir=", options.data_dir),
                                   absl::StrCat("--metrics_listen=", options.metrics_listen),
                                   absl::StrCat("--ready_file=", ready_file)};
  if (options.insecure) {
    argv.push_back("--insecure");
  } else {
    argv.push_back(absl::StrCat("--tls_cert=", options.certs_dir, "/server.pem"));
    argv.push_back(absl::StrCat("--tls_key=", options.certs_dir, "/server.key"));
    argv.push_back(absl::StrCat("--client_ca=", options.certs_dir, "/ca.pem"));
  }
  argv.push_back(absl::StrCat("--principals=", options.principals_file.empty()
                                                   ? DefaultPrincipalsFile()
                                                   : options.principals_file));
  argv.push_back(absl::StrCat("--agreements=", options.agreements_dir.empty()
                                                   ? DefaultAgreementsDir()
                                                   : options.agreements_dir));
  argv.push_back(absl::StrCat("--producers=", options.producers_file.empty()
                                                  ? DefaultProducersFile()
                                                  : options.producers_file));
  argv.push_back(absl::StrCat("--rules=", options.rules_file.empty() ? DefaultRulesFile()
                                                                    : options.rules_file));
  if (options.unsafe_no_sync) argv.push_back("--unsafe_no_sync");
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());

  SpawnOptions spawn;
  spawn.argv = std::move(argv);
  spawn.stderr_path = stderr_file;
  auto process = Subprocess::Spawn(spawn);
  if (!process.ok()) return process.status();
  std::unique_ptr<HubProcess> hub(
      new HubProcess(options, std::move(run_dir), *std::move(process)));

  const absl::Time deadline = absl::Now() + options.ready_timeout;
  while (true) {
    // The daemon renames the file into place, so a complete parse is final.
    if (ParseReadyFile(ReadFileOrEmpty(ready_file), &hub->grpc_address_,
                       &hub->metrics_address_)) {
      return hub;
    }
    if (hub->process_->Exited()) {
      return absl::FailedPreconditionError(
          absl::StrCat("iomhubd exited before it was ready (",
                       hub->process_->exit_status()->ToString(), "); stderr:\n",
                       hub->StderrText()));
    }
    if (absl::Now() >= deadline) {
      hub->Kill();
      return absl::DeadlineExceededError(absl::StrCat(
          "iomhubd was not ready after ", absl::FormatDuration(options.ready_timeout),
          "; stderr:\n", hub->StderrText()));
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
}

HubProcess::~HubProcess() {
  if (!process_->exit_status().has_value()) process_->Kill();
  if (::testing::Test::HasFailure()) {
    std::fprintf(stderr, "---- iomhubd (pid %d, %s) stderr ----\n%s---- end of iomhubd stderr ----\n",
                 static_cast<int>(process_->pid()), process_->exit_status()->ToString().c_str(),
                 StderrText().c_str());
  }
}

absl::StatusOr<ExitStatus> HubProcess::Stop(absl::Duration timeout) {
  process_->Signal(SIGTERM);
  absl::StatusOr<ExitStatus> exit = process_->Wait(timeout);
  if (!exit.ok()) {
    process_->Kill();
    return absl::DeadlineExceededError(
        absl::StrCat("iomhubd did not stop within ", absl::FormatDuration(timeout),
                     " of SIGTERM (killed); stderr:\n", StderrText()));
  }
  return exit;
}

ExitStatus HubProcess::Kill() { return process_->Kill(); }

std::string HubProcess::StderrText() const {
  return ReadFileOrEmpty(run_dir_->Join("stderr.log"));
}

}  // namespace iomhub::testing
