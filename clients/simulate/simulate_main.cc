// iomhub-simulate: a simulated Welsh IOM partnership sending its activity to
// a hub as the partners would. See --help and docs/simulation.md.
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "clients/connection_flags.h"
#include "clients/simulate/hub_sender.h"
#include "clients/simulate/scenario_stats.h"
#include "clients/simulate/sim_calendar.h"
#include "clients/simulate/simulation.h"
#include "common/cli_help.h"

ABSL_FLAG(uint64_t, seed, 1, "Chooses the run: the same seed and flags make the same events.");
ABSL_FLAG(int, weeks, 8, "Length of the simulated period in ISO weeks (1..104).");
ABSL_FLAG(int, people, 0,
          "People in all, shared between the teams by capacity; 0: each team's cohort sized to "
          "its caseload capacity (85%..115% of it).");
ABSL_FLAG(std::string, start, "",
          "The Monday the period starts, YYYY-MM-DD. Default: the period ends this ISO week.");
ABSL_FLAG(std::string, speed, "max",
          "max (as fast as possible), Nx (N simulated seconds per real second, e.g. 3600x) or "
          "realtime.");
ABSL_FLAG(bool, follow, false,
          "Keep running for steps dated after now, sending each when its time comes (without "
          "it they are counted and not sent).");
ABSL_FLAG(std::string, target, "",
          "Hub address, host:port. Default: --hub (or $IOMHUB_HUB, else 127.0.0.1:50051).");
ABSL_FLAG(std::string, cert_dir, "deploy/dev-certs/out",
          "Directory of each partner system's <principal>.pem and <principal>.key (and ca.pem, "
          "the default --ca).");
ABSL_FLAG(std::string, teams_file, "deploy/config/teams.textproto",
          "The hub's areas and teams (iomhub.v1.TeamsConfig, text format).");
ABSL_FLAG(bool, dry_run, false,
          "Print what would be sent (counts, measured rates, the scenario's digest); no hub.");
ABSL_FLAG(int, parallel, 16, "People sent in parallel (each person's steps stay in order).");

ABSL_DECLARE_FLAG(std::string, user);
ABSL_DECLARE_FLAG(std::string, role);
ABSL_DECLARE_FLAG(std::string, purpose);
ABSL_DECLARE_FLAG(std::string, ca);

namespace iomhub::simulate {
namespace {

constexpr char kUsage[] =
    "iomhub-simulate: a simulated Welsh IOM partnership (the four force areas and the teams of\n"
    "--teams_file) generating realistic synthetic activity — referrals and selection into\n"
    "Fixed/Flex/Free with Y2A and WISDOM strands, contact plans and reviews, contacts kept and\n"
    "missed, referrals to housing, substance misuse, mental health and employment, arrests and\n"
    "charges, warnings, joint breach decisions, custody and release, consent — and sending it\n"
    "to the hub through its real API, each step with the certificate of the partner system\n"
    "that would take it. Deterministic for a seed; no real person's data (no names at all).\n"
    "  iomhub-simulate [--seed=N] [--weeks=8] [--people=N] [--start=YYYY-MM-DD] [--speed=max]\n"
    "                  [--target=HOST:PORT] [--cert_dir=DIR] [--dry_run]\n"
    "Connection flags as for iomctl: --hub, --ca, --server_name, --insecure, --profile,\n"
    "--purpose (--cert, --key, --user and --role are not used: each step names its own).\n"
    "Prints a summary; exit 0 when every event was accepted, 1 when any was refused (or the\n"
    "run stopped), 2 for a usage error. See docs/simulation.md.";

int Main(int argc, char** argv) {
  if (std::optional<int> done = iomhub::clients::StartCommandLine(argc, argv, "iomhub-simulate",
                                                                  kUsage, "simulate_main")) {
    return *done;
  }
  auto usage_error = [](absl::string_view message) {
    std::cerr << "iomhub-simulate: " << message << " (see --help)\n";
    return 2;
  };
  absl::StatusOr<double> factor = ParseSpeed(absl::GetFlag(FLAGS_speed));
  if (!factor.ok()) return usage_error(factor.status().message());
  SimulationOptions options{.seed = absl::GetFlag(FLAGS_seed),
                            .weeks = absl::GetFlag(FLAGS_weeks),
                            .people = absl::GetFlag(FLAGS_people),
                            .start = absl::CivilDay()};
  if (const std::string start = absl::GetFlag(FLAGS_start); !start.empty()) {
    if (!absl::ParseCivilTime(start, &options.start)) {
      return usage_error(absl::StrCat("--start=", start, ": not a date YYYY-MM-DD"));
    }
  } else {
    options.start = DefaultStart(LondonDay(absl::Now()), options.weeks);
  }
  absl::StatusOr<Partnership> partnership = Partnership::Load(absl::GetFlag(FLAGS_teams_file));
  if (!partnership.ok()) return usage_error(partnership.status().message());
  absl::StatusOr<Scenario> scenario = Simulate(*partnership, options);
  if (!scenario.ok()) return usage_error(scenario.status().message());
  const std::string head =
      absl::StrCat("seed ", options.seed, ", ", options.weeks, " weeks from ",
                   absl::FormatCivilTime(options.start), ", ", scenario->people.size(),
                   " people, digest ", Digest(*scenario));
  if (absl::GetFlag(FLAGS_dry_run)) {
    std::cout << "iomhub-simulate (dry run): " << head << "\n"
              << Measure(*scenario, *partnership).ToString();
    return 0;
  }

  // The connection flags' identity is not used (each step names its own),
  // but they must parse: give them values when unset.
  if (absl::GetFlag(FLAGS_user).empty()) absl::SetFlag(&FLAGS_user, "iomhub-simulate");
  if (absl::GetFlag(FLAGS_role).empty()) absl::SetFlag(&FLAGS_role, "system");
  if (absl::GetFlag(FLAGS_purpose).empty()) absl::SetFlag(&FLAGS_purpose, "iom_case_management");
  const std::string cert_dir = absl::GetFlag(FLAGS_cert_dir);
  absl::StatusOr<clients::Connection> connection = clients::ConnectionFromFlags();
  if (!connection.ok()) return usage_error(connection.status().message());
  SendOptions send{.hub = connection->options,
                   .cert_dir = cert_dir,
                   .purpose = connection->identity.purpose,
                   .factor = *factor,
                   .follow = absl::GetFlag(FLAGS_follow),
                   .parallel = absl::GetFlag(FLAGS_parallel),
                   .err = &std::cerr};
  if (const std::string target = absl::GetFlag(FLAGS_target); !target.empty()) {
    send.hub.address = target;
  }
  if (!send.hub.insecure && send.hub.ca_file.empty()) send.hub.ca_file = cert_dir + "/ca.pem";
  std::cout << "iomhub-simulate: " << head << "; sending to " << send.hub.address << std::endl;
  absl::StatusOr<SendSummary> summary = SendScenario(*scenario, send);
  if (!summary.ok()) {
    std::cerr << "iomhub-simulate: stopped: " << summary.status().message() << "\n";
    return absl::IsInvalidArgument(summary.status()) ? 2 : 1;
  }
  std::cout << summary->ToString();
  return summary->events_refused > 0 ? 1 : 0;
}

}  // namespace
}  // namespace iomhub::simulate

int main(int argc, char** argv) { return iomhub::simulate::Main(argc, argv); }
