// iomhubd: the iomhub server. See `iomhubd --help` and docs/operations.md.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/cli_help.h"
#include "google/protobuf/stubs/logging.h"
#include "services/config_loader.h"
#include "services/grpc_log.h"
#include "services/hub_server.h"
#include "services/store_tools.h"
#include "services/systemd_notify.h"

ABSL_FLAG(std::string, config, "",
          "Hub config file (protobuf text format, iomhub.v1.HubConfig). "
          "Flags below override its fields.");
ABSL_FLAG(std::string, listen, "",
          "gRPC listen address host:port (port 0 picks a free port). "
          "Default 127.0.0.1:50051");
ABSL_FLAG(std::string, data_dir, "", "Event store directory. Default ./iomhub-data");
ABSL_FLAG(std::string, principals, "", "Principals file (iomhub.v1.Principals text format)");
ABSL_FLAG(std::string, teams, "",
          "Areas and IOM teams file (iomhub.v1.TeamsConfig text format), e.g. "
          "deploy/config/teams.textproto");
ABSL_FLAG(std::string, agreements, "",
          "Folder of sharing agreements (one iomhub.v1.Agreement per *.textproto), e.g. "
          "deploy/config/agreements. Without one nothing is delivered to anyone. SIGHUP "
          "reloads it");
ABSL_FLAG(std::string, producers, "",
          "Who may produce which event types (iomhub.v1.ProducerTable text format), e.g. "
          "deploy/config/producers.textproto. Without one every append is refused. SIGHUP "
          "reloads it");
ABSL_FLAG(std::string, rules, "",
          "The IOM rules' parameters (iomhub.v1.RulesConfig text format): per-area numbers, "
          "bank holidays, who may override, e.g. deploy/config/rules.textproto. Without one the "
          "defaults of docs/alerts.md apply");
ABSL_FLAG(std::string, tls_cert, "", "Server certificate (PEM)");
ABSL_FLAG(std::string, tls_key, "", "Server private key (PEM)");
ABSL_FLAG(std::string, client_ca, "", "CA bundle that signs partner client certificates (PEM)");
ABSL_FLAG(bool, insecure, false,
          "Plaintext, no client certificates: a caller acts as the principal its "
          "iomhub-dev-principal metadata names (from --principals), else as a development hub "
          "admin. Loopback only; development only");
ABSL_FLAG(
    std::string, metrics_listen, "",
    "Prometheus /metrics HTTP address (port 0 picks). Default 127.0.0.1:9464; 'off' disables");
ABSL_FLAG(bool, unsafe_no_sync, false,
          "Acknowledge appends before fsync (a machine crash can lose acknowledged events). "
          "Development and benchmarks only");
ABSL_FLAG(int, heartbeat_ms, 0, "Default subscription heartbeat interval. Default 5000");
ABSL_FLAG(std::string, access_log, "",
          "One JSON line per call: \"-\" for stderr, else a file appended to (config "
          "access_log). Default: none.");
ABSL_FLAG(int, shutdown_drain_ms, -1,
          "On SIGTERM, report NOT_SERVING (gRPC health, /readyz) and keep serving this long "
          "before stopping, so load balancers drain first. Default 0 (config shutdown_drain_ms).");
ABSL_FLAG(std::string, ready_file, "",
          "Once serving, write 'grpc=HOST:PORT' and 'metrics=HOST:PORT' lines to this file");
ABSL_FLAG(std::string, recover_wal, "",
          "Only after an operator decided to accept data loss: 'point_in_time' opens an event "
          "store whose write-ahead log is damaged with every event before the damage, records "
          "the lost positions so they are never reused, and logs the loss. Without it such a "
          "store refuses to open (exit 1); restore it from a backup instead");
ABSL_FLAG(bool, verify, false,
          "Verify the data directory (of --data_dir or --config) and exit, without serving: "
          "every record's CRC, gapless positions and stream versions, the indexes, and the "
          "audit chain. Exit 0 intact, 2 faults found, 1 cannot verify. Run it on a stopped "
          "hub or a backup (use iomctl admin verify for a running hub)");
ABSL_FLAG(std::string, restore_from, "",
          "Restore this backup (made by iomctl admin backup) into the data directory, which "
          "must be empty or absent, verify it, and exit without serving");
ABSL_FLAG(int, shutdown_grace_seconds, 10,
          "On SIGTERM/SIGINT, how long in-flight calls may take before they are cancelled");

namespace {

void Log(const std::string& message) {
  std::fprintf(stderr, "%s iomhubd: %s\n",
               absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()).c_str(),
               message.c_str());
  std::fflush(stderr);
}

// Protobuf logs every request string field that is not valid UTF-8 at ERROR;
// the hub already answers such a request INVALID_ARGUMENT, so a client must
// not be able to fill the hub's log with them. Other protobuf lines pass.
void ProtobufLog(google::protobuf::LogLevel level, const char* filename, int line,
                 const std::string& message) {
  if (absl::StrContains(message, "invalid UTF-8 data when parsing")) return;
  if (level < google::protobuf::LOGLEVEL_WARNING) return;
  Log(absl::StrCat("protobuf: ", filename, ":", line, ": ", message));
}

int Fail(const std::string& message) {
  Log(absl::StrCat("error: ", message));
  return 1;
}

}  // namespace

constexpr char kUsage[] =
    "iomhubd: the iomhub server: the durable, audited event hub for Integrated Offender "
    "Management.\n"
    "  iomhubd --config=deploy/config/hub.textproto\n"
    "  iomhubd --insecure --data_dir=/tmp/iomhub --listen=127.0.0.1:0 --ready_file=/tmp/ready\n"
    "  iomhubd --verify --data_dir=/var/lib/iomhub          (offline check, then exit)\n"
    "  iomhubd --restore_from=/backups/monday --data_dir=/var/lib/iomhub-restored\n"
    "Stops gracefully on SIGTERM or SIGINT; SIGHUP reloads the principals, the TLS certificate, "
    "key and client CA, the sharing agreements and the producer table.";

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (iomhub::WantsHelp(argc, argv)) {
    iomhub::PrintHelp(std::cout, kUsage, "iomhubd_main");
    return 0;
  }
  absl::ParseCommandLine(argc, argv);
  // Debian's Abseil is built with mutex deadlock detection on, which costs
  // every lock a graph update (~3 % of the hub's CPU under load). Tests and
  // sanitizer builds keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  google::protobuf::SetLogHandler(&ProtobufLog);

  // Block the stop signals in every thread; main waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  iomhub::v1::HubConfig config;
  if (!absl::GetFlag(FLAGS_config).empty()) {
    auto loaded = iomhub::services::LoadHubConfig(absl::GetFlag(FLAGS_config));
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    config = *loaded;
  }
  auto set_if = [](const std::string& value, auto setter) {
    if (!value.empty()) setter(value);
  };
  set_if(absl::GetFlag(FLAGS_listen), [&](auto v) { config.set_listen_address(v); });
  set_if(absl::GetFlag(FLAGS_data_dir), [&](auto v) { config.set_data_dir(v); });
  set_if(absl::GetFlag(FLAGS_principals), [&](auto v) { config.set_principals_file(v); });
  set_if(absl::GetFlag(FLAGS_teams), [&](auto v) { config.set_teams_file(v); });
  set_if(absl::GetFlag(FLAGS_agreements), [&](auto v) { config.set_agreements_dir(v); });
  set_if(absl::GetFlag(FLAGS_producers), [&](auto v) { config.set_producers_file(v); });
  set_if(absl::GetFlag(FLAGS_rules), [&](auto v) { config.set_rules_file(v); });
  set_if(absl::GetFlag(FLAGS_tls_cert),
         [&](auto v) { config.mutable_tls()->set_server_cert_file(v); });
  set_if(absl::GetFlag(FLAGS_tls_key),
         [&](auto v) { config.mutable_tls()->set_server_key_file(v); });
  set_if(absl::GetFlag(FLAGS_client_ca),
         [&](auto v) { config.mutable_tls()->set_client_ca_file(v); });
  if (absl::GetFlag(FLAGS_insecure)) config.set_insecure(true);
  if (absl::GetFlag(FLAGS_unsafe_no_sync)) config.set_unsafe_no_sync(true);
  if (!absl::GetFlag(FLAGS_access_log).empty())
    config.set_access_log(absl::GetFlag(FLAGS_access_log));
  if (absl::GetFlag(FLAGS_shutdown_drain_ms) >= 0) {
    config.set_shutdown_drain_ms(static_cast<uint32_t>(absl::GetFlag(FLAGS_shutdown_drain_ms)));
  }
  if (absl::GetFlag(FLAGS_heartbeat_ms) > 0) {
    config.set_heartbeat_interval_ms(absl::GetFlag(FLAGS_heartbeat_ms));
  }
  const std::string recover_wal = absl::GetFlag(FLAGS_recover_wal);
  if (recover_wal == "point_in_time") {
    config.set_wal_recovery(iomhub::v1::WAL_RECOVERY_POINT_IN_TIME);
    Log("WARNING: --recover_wal=point_in_time: if the write-ahead log is damaged, every event "
        "after the damage will be given up (and logged)");
  } else if (!recover_wal.empty()) {
    return Fail(
        absl::StrCat("--recover_wal must be point_in_time (or unset), not \"", recover_wal, "\""));
  }
  const std::string metrics = absl::GetFlag(FLAGS_metrics_listen);
  if (metrics == "off") {
    config.set_metrics_address("");
  } else if (!metrics.empty()) {
    config.set_metrics_address(metrics);
  } else if (config.metrics_address().empty()) {
    config.set_metrics_address("127.0.0.1:9464");
  }

  if (!absl::GetFlag(FLAGS_restore_from).empty()) {
    return iomhub::services::RestoreDataDir(absl::GetFlag(FLAGS_restore_from), config, std::cout,
                                            std::cerr);
  }
  if (absl::GetFlag(FLAGS_verify)) {
    return iomhub::services::VerifyDataDir(config, std::cout, std::cerr);
  }

  iomhub::v1::Principals principals;
  if (!config.principals_file().empty()) {
    auto loaded = iomhub::services::LoadPrincipals(config.principals_file());
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    principals = *loaded;
  } else if (!config.insecure()) {
    return Fail("a principals file is required with TLS (--principals or principals_file)");
  }

  iomhub::v1::TeamsConfig teams;
  if (!config.teams_file().empty()) {
    auto loaded = iomhub::services::LoadTeams(config.teams_file());
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    teams = *loaded;
  }

  if (config.insecure()) {
    Log("WARNING: INSECURE MODE: plaintext, no client certificates; a caller is the principal "
        "its iomhub-dev-principal metadata names, else a development hub admin. Never use "
        "this with real data.");
  }
  if (config.unsafe_no_sync()) {
    Log("WARNING: --unsafe_no_sync: appends are acknowledged before fsync.");
  }

  iomhub::services::InstallGrpcLog();
  auto server = iomhub::services::HubServer::Start(config, principals, teams);
  if (!server.ok()) return Fail(server.status().ToString());
  const auto effective = iomhub::services::WithDefaults(config);
  Log(absl::StrCat(
      "serving iomhub.v1 on ", (*server)->grpc_address(),
      config.insecure() ? " (INSECURE plaintext)" : " (mTLS, client certificates required)",
      "; data ", effective.data_dir(), "; durability ",
      config.unsafe_no_sync() ? "OS cache (unsafe)" : "fsync per group commit", "; metrics ",
      (*server)->metrics_address().empty()
          ? std::string("off")
          : absl::StrCat("http://", (*server)->metrics_address(), "/metrics")));

  const std::string ready = absl::GetFlag(FLAGS_ready_file);
  if (!ready.empty()) {
    const std::string tmp = ready + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      out << "grpc=" << (*server)->grpc_address() << "\n"
          << "metrics=" << (*server)->metrics_address() << "\n";
    }
    std::error_code ec;
    std::filesystem::rename(tmp, ready, ec);
    if (ec) return Fail(absl::StrCat("cannot write ready file ", ready, ": ", ec.message()));
  }

  const std::string status = absl::StrCat("STATUS=serving on ", (*server)->grpc_address());
  iomhub::services::SystemdNotify(absl::StrCat("READY=1\n", status));
  int sig = 0;
  for (;;) {
    sigwait(&stop_signals, &sig);
    if (sig != SIGHUP) break;
    iomhub::services::SystemdNotify("RELOADING=1\nSTATUS=reloading (SIGHUP)");
    // A valid set replaces the old one at once; an invalid one changes nothing.
    absl::Status who = (*server)->ReloadPrincipals();
    Log(who.ok() ? std::string("SIGHUP: principals reloaded")
                 : absl::StrCat("SIGHUP: principals reload refused, the previous principals "
                                "stay: ",
                                who.message()));
    if (!config.insecure()) {
      absl::StatusOr<std::string> tls = (*server)->ReloadTls();
      Log(tls.ok() ? absl::StrCat("SIGHUP: TLS files reloaded (new handshakes within 1 s): ", *tls)
                   : absl::StrCat("SIGHUP: TLS reload refused, the previous certificate, key and "
                                  "client CA stay in use: ",
                                  tls.status().message()));
    }
    absl::Status reloaded = (*server)->ReloadSharing();
    Log(reloaded.ok() ? std::string("SIGHUP: sharing agreements and producer table reloaded")
                      : absl::StrCat("SIGHUP: reload refused, the previous agreements stay in "
                                     "force:\n",
                                     reloaded.message()));
    iomhub::services::SystemdNotify(absl::StrCat("READY=1\n", status));
  }
  iomhub::services::SystemdNotify("STOPPING=1\nSTATUS=draining and stopping");
  Log(absl::StrCat("received ", sig == SIGTERM ? "SIGTERM" : "SIGINT",
                   "; draining in-flight appends and stopping"));
  (*server)->Shutdown(absl::Seconds(absl::GetFlag(FLAGS_shutdown_grace_seconds)));
  server->reset();
  Log("stopped cleanly");
  return 0;
}
