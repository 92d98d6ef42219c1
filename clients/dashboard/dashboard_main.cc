// iomhub-dashboard: the IOM dashboard, a hub client that serves HTTP. See
// --help and docs/dashboard.md.
#include <signal.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "clients/connection_flags.h"
#include "clients/dashboard/dashboard_server.h"
#include "clients/dashboard/hub_reader.h"
#include "clients/dashboard/live_updates.h"
#include "common/cli_help.h"
#include "grpc/support/log.h"

ABSL_FLAG(std::string, listen, "127.0.0.1:8080",
          "HTTP address, host:port; port 0 picks a free one (printed on stdout). Keep it on "
          "loopback and put a reverse proxy with TLS and single sign-on in front.");
ABSL_FLAG(uint32_t, weeks, 12, "Weeks of history for rates and trends (1..104).");
ABSL_FLAG(absl::Duration, poll_interval, absl::Seconds(2),
          "How often the dashboard asks the hub whether the figures moved (one poll for all "
          "open pages), e.g. 2s.");
ABSL_FLAG(std::string, chart_js, "/usr/share/javascript/chart.js/chart.min.js",
          "Chart.js 3 UMD build to serve as /static/chart.js (Debian: libjs-chart.js).");
ABSL_FLAG(int, http_threads, 50, "HTTP worker threads; each open page's live stream holds one.");
ABSL_FLAG(std::string, user_header, "",
          "Request header with the signed-in user's id, set by the reverse proxy after single "
          "sign-on (e.g. X-Forwarded-User). Empty: no header is trusted.");
ABSL_FLAG(std::string, role_header, "",
          "Request header with the user's role(s), comma-separated (e.g. X-Forwarded-Role).");
ABSL_FLAG(std::string, trusted_proxies, "127.0.0.1,::1",
          "Addresses whose --user_header/--role_header are believed (the proxy's).");
ABSL_FLAG(std::string, dev_board_user, "",
          "DEVELOPMENT ONLY: the manager assumed for decisions boards when no signed-in user "
          "arrives, e.g. sergeant-demo. Never in production.");
ABSL_FLAG(std::string, dev_board_role, "",
          "DEVELOPMENT ONLY: --dev_board_user's role: sergeant | inspector | "
          "senior_probation_officer | head_of_pdu.");
ABSL_FLAG(std::string, board_cert_dir, "",
          "Directory of the partner systems' SYSTEM.pem and SYSTEM.key named by "
          "--board_police_systems and --board_probation_systems.");
ABSL_FLAG(std::string, board_police_systems, "",
          "Police systems that read decisions boards for sergeants and inspectors, by area: "
          "AREA=SYSTEM,... (e.g. gwent=gwent-police-niche; *=SYSTEM for any other area). Empty: "
          "no board for police managers.");
ABSL_FLAG(std::string, board_probation_systems, "",
          "Probation systems that read decisions boards for senior probation officers and heads "
          "of PDU, by area: AREA=SYSTEM,... (e.g. gwent=wales-probation-ndelius).");
ABSL_FLAG(std::string, board_purpose, "iom_case_management",
          "The purpose decisions-board calls assert.");

namespace {

constexpr char kUsage[] =
    "iomhub-dashboard: the IOM dashboard, a web server that reads the hub's aggregates\n"
    "(CaseService.GetDashboard) with its own certificate and shows Wales, each police force\n"
    "area and each IOM team, with charts, their tables and live updates; and a team's\n"
    "decisions board for its signed-in managers, read through the hub's sharing policy.\n"
    "  iomhub-dashboard --hub=iomhub.example:50051 --ca=ca.pem --cert=iom-dashboard.pem \\\n"
    "      --key=iom-dashboard.key --listen=127.0.0.1:8080 \\\n"
    "      --user_header=X-Forwarded-User --role_header=X-Forwarded-Role \\\n"
    "      --board_cert_dir=/etc/iomhub/boards --board_police_systems=gwent=gwent-police-niche \\\n"
    "      --board_probation_systems=gwent=wales-probation-ndelius\n"
    "Connection flags as iomctl's: --hub --ca --cert --key --server_name --profile (and the\n"
    "IOMHUB_* environment); identity defaults: --user=iom-dashboard --role=analyst\n"
    "--purpose=iom_performance.\n"
    "Prints \"dashboard: serving http://HOST:PORT/\" once serving; SIGTERM or SIGINT stops it.\n"
    "Exit 0 when stopped, 1 when it cannot serve, 2 on a usage error. See docs/dashboard.md.";

// The dashboard's identity unless given (flag, environment or profile).
void DefaultIdentity(const char* flag, const char* env, const char* value) {
  if (!iomhub::clients::EnvOr(env).empty()) return;
  absl::CommandLineFlag* f = absl::FindCommandLineFlag(flag);
  if (f != nullptr && f->CurrentValue().empty()) {
    std::string error;
    f->ParseFrom(value, &error);
  }
}

// A channel per area for the systems `flag` names (AREA=SYSTEM,...), each
// with its certificate from --board_cert_dir.
absl::StatusOr<std::map<std::string, std::shared_ptr<grpc::Channel>>> BoardChannels(
    const iomhub::clients::HubClientOptions& base, const char* flag, const std::string& text) {
  absl::StatusOr<std::map<std::string, std::string>> systems =
      iomhub::dashboard::ParseBoardSystems(flag, text);
  if (!systems.ok()) return systems.status();
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels;
  const std::string dir = absl::GetFlag(FLAGS_board_cert_dir);
  for (const auto& [area, system] : *systems) {
    if (dir.empty())
      return absl::InvalidArgumentError(absl::StrCat("--", flag, " needs --board_cert_dir"));
    iomhub::clients::HubClientOptions options = base;
    options.cert_file = absl::StrCat(dir, "/", system, ".pem");
    options.key_file = absl::StrCat(dir, "/", system, ".key");
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        iomhub::dashboard::MakeDashboardChannel(options);
    if (!channel.ok()) return channel.status();
    channels[area] = *std::move(channel);
  }
  return channels;
}

void QuietGrpcLog(gpr_log_func_args* /*args*/) {}

}  // namespace

int main(int argc, char** argv) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a browser that goes away mid-answer
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function(QuietGrpcLog);
  if (std::optional<int> done = iomhub::clients::StartCommandLine(argc, argv, "iomhub-dashboard",
                                                                  kUsage, "dashboard_main")) {
    return *done;
  }
  DefaultIdentity("user", "IOMHUB_USER", "iom-dashboard");
  DefaultIdentity("role", "IOMHUB_ROLE", "analyst");
  DefaultIdentity("purpose", "IOMHUB_PURPOSE", "iom_performance");
  absl::StatusOr<iomhub::clients::Connection> connection = iomhub::clients::ConnectionFromFlags();
  if (!connection.ok()) {
    std::cerr << "iomhub-dashboard: " << connection.status().message() << "\n";
    return 2;
  }
  const uint32_t weeks = absl::GetFlag(FLAGS_weeks);
  if (weeks < 1 || weeks > 104) {
    std::cerr << "iomhub-dashboard: --weeks=" << weeks << ": want 1..104\n";
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      iomhub::dashboard::MakeDashboardChannel(connection->options);
  if (!channel.ok()) {
    std::cerr << "iomhub-dashboard: " << channel.status().message() << "\n";
    return 2;
  }
  auto police = BoardChannels(connection->options, "board_police_systems",
                              absl::GetFlag(FLAGS_board_police_systems));
  auto probation = BoardChannels(connection->options, "board_probation_systems",
                                 absl::GetFlag(FLAGS_board_probation_systems));
  for (const auto* board : {&police, &probation}) {
    if (!board->ok()) {
      std::cerr << "iomhub-dashboard: decisions board: " << board->status().message() << "\n";
      return 2;
    }
  }
  iomhub::dashboard::HubReader reader({.channel = *channel,
                                       .identity = connection->identity,
                                       .police_boards = *police,
                                       .probation_boards = *probation,
                                       .board_purpose = absl::GetFlag(FLAGS_board_purpose),
                                       .weeks = weeks});
  iomhub::dashboard::DashboardServerOptions options;
  options.listen = absl::GetFlag(FLAGS_listen);
  options.chart_js_file = absl::GetFlag(FLAGS_chart_js);
  if (access(options.chart_js_file.c_str(), R_OK) != 0) {
    std::cerr << "iomhub-dashboard: WARNING: --chart_js=" << options.chart_js_file
              << " cannot be read (install libjs-chart.js): pages show tables without charts\n";
  }
  options.threads = absl::GetFlag(FLAGS_http_threads);
  options.access = {.user_header = absl::GetFlag(FLAGS_user_header),
                    .role_header = absl::GetFlag(FLAGS_role_header),
                    .trusted_proxies = absl::StrSplit(absl::GetFlag(FLAGS_trusted_proxies), ',',
                                                      absl::SkipWhitespace()),
                    .dev_user = absl::GetFlag(FLAGS_dev_board_user),
                    .dev_role = absl::GetFlag(FLAGS_dev_board_role)};
  if (absl::Status s = iomhub::dashboard::ValidateManagerAccess(options.access); !s.ok()) {
    std::cerr << "iomhub-dashboard: " << s.message() << "\n";
    return 2;
  }
  if (!options.access.dev_user.empty()) {
    std::cerr << "iomhub-dashboard: WARNING: --dev_board_user: anyone who reaches this dashboard "
                 "sees decisions boards as "
              << options.access.dev_user << " (" << options.access.dev_role
              << "). For development only.\n";
  }
  iomhub::dashboard::UpdateBroadcaster broadcaster;
  iomhub::dashboard::HubPoller poller([&reader] { return reader.ViewPosition(); },
                                      absl::GetFlag(FLAGS_poll_interval), &broadcaster);
  absl::StatusOr<std::unique_ptr<iomhub::dashboard::DashboardServer>> server =
      iomhub::dashboard::DashboardServer::Start(options, &reader, &broadcaster);
  if (!server.ok()) {
    std::cerr << "iomhub-dashboard: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << "dashboard: serving " << (*server)->url() << std::endl;
  int sig = 0;
  sigwait(&signals, &sig);
  std::cerr << "iomhub-dashboard: " << (sig == SIGTERM ? "SIGTERM" : "SIGINT") << ": stopping"
            << std::endl;
  server->reset();
  return 0;
}
