// iomctl: the hub's command-line client. It talks to the hub over gRPC
// exactly as a partner system does; see the usage text below.
#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/connection_flags.h"
#include "clients/hub_client.h"
#include "clients/iomctl/admin_command.h"
#include "clients/iomctl/alert_command.h"
#include "clients/iomctl/append_command.h"
#include "clients/iomctl/audit_command.h"
#include "clients/iomctl/case_command.h"
#include "clients/iomctl/command_env.h"
#include "clients/iomctl/dashboard_command.h"
#include "clients/iomctl/decision_command.h"
#include "clients/iomctl/read_command.h"
#include "clients/iomctl/sharing_command.h"
#include "clients/iomctl/subscribe_command.h"
#include "clients/iomctl/usage.h"
#include "clients/profile.h"
#include "common/cli_help.h"
#include "grpc/support/log.h"

using iomhub::clients::EnvOr;

ABSL_FLAG(double, timeout, -1,
          "Deadline in seconds for append and read calls; 0 means none. "
          "Unset: 30 for append, none for reads. Not applied to subscribe.");

// Command flags.
ABSL_FLAG(std::string, stream, "", "append, read-stream: the stream, e.g. person-<uuid>.");
ABSL_FLAG(std::string, expected, "",
          "append: any | no_stream | exists | <version of the stream's last event>.");
ABSL_FLAG(std::string, file, "", "append: input file (default or '-': stdin).");
ABSL_FLAG(bool, generate_ids, false, "append: give events without event_id a random UUID.");
ABSL_FLAG(std::string, from, "",
          "read-stream: first version; read-all: first position; "
          "subscribe: deliver positions after this one.");
ABSL_FLAG(bool, backwards, false,
          "read-stream: newest first; from the newest event unless --from names a version.");
ABSL_FLAG(bool, from_end, false, "read-stream: start at the last event (implies --backwards).");
ABSL_FLAG(uint64_t, limit, 0, "read-stream, read-all: at most this many events; 0: all.");
ABSL_FLAG(std::string, types, "", "read-all, subscribe: only these event types, e.g. A,B.");
ABSL_FLAG(std::string, streams, "", "subscribe: only these streams, e.g. S1,S2.");
ABSL_FLAG(bool, from_start, false, "subscribe: deliver from position 1.");
ABSL_FLAG(bool, heartbeats, false, "subscribe: also print heartbeats as {\"heartbeat\":...}.");
ABSL_FLAG(uint32_t, heartbeat_ms, 0, "subscribe: heartbeat interval; 0: the hub's default.");
ABSL_FLAG(uint64_t, max_events, 0, "subscribe: exit 0 after this many events; 0: never.");
ABSL_FLAG(bool, no_reconnect, false, "subscribe: exit on disconnect instead of resuming.");
ABSL_FLAG(std::string, person, "", "case, alerts: the hub person id (the uuid of person-<uuid>).");
ABSL_FLAG(std::string, identifier, "",
          "case, find: an identifier your agency uses, kind:value (pnc, niche, crn, noms).");
ABSL_FLAG(std::string, team, "",
          "cohort, alerts, board, dashboard: the IOM team id, e.g. gwent-newport.");
ABSL_FLAG(std::string, cohort, "", "cohort: only fixed | flex | free.");
ABSL_FLAG(std::string, strand, "", "cohort: only neighbourhood_crime | y2a | wisdom | local.");
ABSL_FLAG(bool, include_deselected, false, "cohort: also people deselected from IOM.");
ABSL_FLAG(uint64_t, min_position, 0,
          "case, cohort, find: answer only once the views reflect this log position "
          "(read your own writes: the lastPosition an append printed).");
ABSL_FLAG(std::string, as_of, "",
          "case, cohort: the moment (RFC 3339) the week is counted at; "
          "default now.");
ABSL_FLAG(std::string, view, "", "rebuild: the view, e.g. case_view (see iomctl views).");
ABSL_FLAG(bool, wait, false, "rebuild: wait until the rebuilt view is swapped in.");
ABSL_FLAG(bool, summary, false,
          "case, cohort, alerts, agreements, explain, dashboard: a few lines for people instead "
          "of JSON.");
ABSL_FLAG(bool, in_force_only, false, "agreements: only those events flow under now.");
ABSL_FLAG(std::string, id, "", "agreements: show this one, ID or ID@VERSION.");
ABSL_FLAG(std::string, system, "",
          "explain: the recipient principal id (e.g. cardiff-housing); default: yourself.");
ABSL_FLAG(std::string, as_role, "", "explain: the role the recipient calls with.");
ABSL_FLAG(std::string, as_purpose, "", "explain: the purpose the recipient calls for.");
ABSL_FLAG(uint64_t, position, 0, "explain: the log position of the event.");
ABSL_FLAG(bool, skip_verify, false,
          "admin backup: put the backup in place without verifying it first.");
ABSL_FLAG(bool, digests, false, "views: also print each view's content digest (scans it).");
ABSL_FLAG(std::string, state, "", "alerts: open (default) | resolved | all.");
ABSL_FLAG(std::string, rule, "",
          "alerts: only these rules, e.g. REFERRAL_OVERDUE,ARREST_OR_CHARGE.");
ABSL_FLAG(std::string, min_severity, "", "alerts: only info | action | urgent and above.");
ABSL_FLAG(bool, rules, false, "alerts: list the rules and their parameters instead.");
ABSL_FLAG(std::string, area, "",
          "alerts --rules: the parameters of this area; dashboard: this area (e.g. gwent).");
ABSL_FLAG(uint32_t, weeks, 0, "dashboard: weeks of history (1..104); 0: the hub's default (12).");
ABSL_FLAG(std::string, consideration, "", "decide: the breach consideration id.");
ABSL_FLAG(std::string, command_id, "",
          "decide: the command's UUID; reuse it to retry (default: a new one, printed).");
ABSL_FLAG(std::string, occurred_at, "", "decide: when it happened (RFC 3339); default now.");
ABSL_FLAG(std::string, expected_version, "",
          "decide: the person's stream version you decided on; ABORTED if it moved on.");
ABSL_FLAG(std::string, trigger, "",
          "decide open: missed_contacts | new_offence | arrest | intelligence | "
          "failures_to_comply_limit.");
ABSL_FLAG(std::string, order, "", "decide open: the order it concerns.");
ABSL_FLAG(std::string, summary_text, "", "decide open: a short summary (no offence detail).");
ABSL_FLAG(std::string, evidence, "", "decide open: log positions of the evidence, e.g. 41,57.");
ABSL_FLAG(std::string, action, "",
          "decide position|record: the enforcement action: breach | recall | warn | "
          "no_further_action | alternative.");
ABSL_FLAG(std::string, alternative, "", "decide position|record: name the alternative.");
ABSL_FLAG(std::string, rationale, "", "decide position|record: why (required).");
ABSL_FLAG(std::string, override_reason, "",
          "decide record: a manager's reason to decide a warning within 12 months (rule 5).");
ABSL_FLAG(std::string, to, "", "decide escalate: inspector | head_of_pdu (default: your own).");
ABSL_FLAG(std::string, reason, "", "decide escalate|withdraw: why (required).");
ABSL_FLAG(bool, closed, false, "board: also decided and withdrawn considerations.");
ABSL_FLAG(std::string, agreement, "", "audit query|summary: an agreement, ID or ID@VERSION.");
ABSL_FLAG(std::string, agency, "", "audit query: the actor's agency, e.g. housing.");
ABSL_FLAG(std::string, by_user, "", "audit query: the actor's user id.");
ABSL_FLAG(std::string, operation, "",
          "audit query: collect | alter | consult | disclose | combine | erase.");
ABSL_FLAG(std::string, since, "", "audit: from this moment (RFC 3339).");
ABSL_FLAG(std::string, until, "", "audit: before this moment (RFC 3339).");
ABSL_FLAG(std::string, format, "", "audit sar: json (default) | csv.");
ABSL_FLAG(std::string, public_key, "",
          "audit verify: the published PEM public key to check signatures against "
          "(default: the one the hub reports).");

namespace iomhub::iomctl {
namespace {

// The step of `iomctl decide STEP` or `iomctl audit ACTION` (a positional
// argument).
std::string g_step;
std::string g_argument;  // `iomctl admin backup DIR`: DIR

absl::StatusOr<uint64_t> FromFlag() {
  const std::string from = absl::GetFlag(FLAGS_from);
  if (from.empty()) return 0;
  return ParseCount("from", from);
}

int Run(const std::string& command, const CommandEnv& env_in) {
  CommandEnv env = env_in;
  const double timeout = absl::GetFlag(FLAGS_timeout);
  if (timeout > 0) env.timeout = absl::Seconds(timeout);
  if (command == "append") {
    if (timeout < 0) env.timeout = absl::Seconds(30);
    return RunAppend(env,
                     {.stream = absl::GetFlag(FLAGS_stream),
                      .expected = absl::GetFlag(FLAGS_expected),
                      .file = absl::GetFlag(FLAGS_file),
                      .generate_ids = absl::GetFlag(FLAGS_generate_ids)},
                     std::cin);
  }
  absl::StatusOr<uint64_t> from = FromFlag();
  if (!from.ok()) return ReportUsageError(env, from.status().message());
  if (command == "read-stream") {
    if (absl::GetFlag(FLAGS_stream).empty()) return ReportUsageError(env, "--stream is required");
    return RunReadStream(
        env, {.stream = absl::GetFlag(FLAGS_stream),
              .from_version = *from,
              .backwards = absl::GetFlag(FLAGS_backwards),
              // --backwards alone starts at the newest event.
              .from_end = absl::GetFlag(FLAGS_from_end) ||
                          (absl::GetFlag(FLAGS_backwards) && absl::GetFlag(FLAGS_from).empty()),
              .limit = absl::GetFlag(FLAGS_limit)});
  }
  if (command == "read-all") {
    return RunReadAll(env, {.from_position = *from,
                            .limit = absl::GetFlag(FLAGS_limit),
                            .types = SplitList(absl::GetFlag(FLAGS_types))});
  }
  if (command == "subscribe") {
    const bool has_from = !absl::GetFlag(FLAGS_from).empty();
    if (has_from && absl::GetFlag(FLAGS_from_start)) {
      return ReportUsageError(env, "--from and --from_start are exclusive");
    }
    return RunSubscribe(env,
                        {.after_position = has_from ? std::optional<uint64_t>(*from) : std::nullopt,
                         .from_start = absl::GetFlag(FLAGS_from_start),
                         .types = SplitList(absl::GetFlag(FLAGS_types)),
                         .streams = SplitList(absl::GetFlag(FLAGS_streams)),
                         .print_heartbeats = absl::GetFlag(FLAGS_heartbeats),
                         .heartbeat_interval_ms = absl::GetFlag(FLAGS_heartbeat_ms),
                         .max_events = absl::GetFlag(FLAGS_max_events),
                         .reconnect = !absl::GetFlag(FLAGS_no_reconnect)});
  }
  const bool query = command == "case" || command == "cohort" || command == "find" ||
                     command == "alerts" || command == "decide" || command == "board" ||
                     command == "views" || command == "rebuild" || command == "agreements" ||
                     command == "explain" || command == "audit" || command == "admin" ||
                     command == "dashboard";
  if (query && timeout < 0) env.timeout = absl::Seconds(30);
  if (command == "case") {
    return RunCase(env, {.person_id = absl::GetFlag(FLAGS_person),
                         .identifier = absl::GetFlag(FLAGS_identifier),
                         .min_position = absl::GetFlag(FLAGS_min_position),
                         .as_of = absl::GetFlag(FLAGS_as_of),
                         .summary = absl::GetFlag(FLAGS_summary)});
  }
  if (command == "dashboard") {
    return RunDashboard(env, {.area_id = absl::GetFlag(FLAGS_area),
                              .team_id = absl::GetFlag(FLAGS_team),
                              .weeks = absl::GetFlag(FLAGS_weeks),
                              .min_position = absl::GetFlag(FLAGS_min_position),
                              .as_of = absl::GetFlag(FLAGS_as_of),
                              .summary = absl::GetFlag(FLAGS_summary)});
  }
  if (command == "cohort") {
    return RunCohort(env, {.team_id = absl::GetFlag(FLAGS_team),
                           .cohort = absl::GetFlag(FLAGS_cohort),
                           .strand = absl::GetFlag(FLAGS_strand),
                           .include_deselected = absl::GetFlag(FLAGS_include_deselected),
                           .min_position = absl::GetFlag(FLAGS_min_position),
                           .as_of = absl::GetFlag(FLAGS_as_of),
                           .summary = absl::GetFlag(FLAGS_summary)});
  }
  if (command == "alerts") {
    return RunAlerts(env, {.person_id = absl::GetFlag(FLAGS_person),
                           .team_id = absl::GetFlag(FLAGS_team),
                           .state = absl::GetFlag(FLAGS_state),
                           .rules = SplitList(absl::GetFlag(FLAGS_rule)),
                           .min_severity = absl::GetFlag(FLAGS_min_severity),
                           .min_position = absl::GetFlag(FLAGS_min_position),
                           .summary = absl::GetFlag(FLAGS_summary),
                           .list_rules = absl::GetFlag(FLAGS_rules),
                           .area = absl::GetFlag(FLAGS_area)});
  }
  if (command == "decide" || command == "board") {
    std::optional<uint64_t> expected;
    if (!absl::GetFlag(FLAGS_expected_version).empty()) {
      absl::StatusOr<uint64_t> v =
          ParseCount("expected_version", absl::GetFlag(FLAGS_expected_version));
      if (!v.ok()) return ReportUsageError(env, v.status().message());
      expected = *v;
    }
    std::vector<uint64_t> evidence;
    for (const std::string& p : SplitList(absl::GetFlag(FLAGS_evidence))) {
      absl::StatusOr<uint64_t> v = ParseCount("evidence", p);
      if (!v.ok()) return ReportUsageError(env, v.status().message());
      evidence.push_back(*v);
    }
    if (command == "board") {
      return RunBoard(env, {.team_id = absl::GetFlag(FLAGS_team),
                            .include_closed = absl::GetFlag(FLAGS_closed),
                            .min_position = absl::GetFlag(FLAGS_min_position),
                            .as_of = absl::GetFlag(FLAGS_as_of),
                            .summary = absl::GetFlag(FLAGS_summary)});
    }
    return RunDecide(env, {.step = g_step,
                           .person_id = absl::GetFlag(FLAGS_person),
                           .consideration_id = absl::GetFlag(FLAGS_consideration),
                           .command_id = absl::GetFlag(FLAGS_command_id),
                           .occurred_at = absl::GetFlag(FLAGS_occurred_at),
                           .expected_version = expected,
                           .trigger = absl::GetFlag(FLAGS_trigger),
                           .order_ref = absl::GetFlag(FLAGS_order),
                           .summary_text = absl::GetFlag(FLAGS_summary_text),
                           .evidence = evidence,
                           .position = absl::GetFlag(FLAGS_action),
                           .alternative = absl::GetFlag(FLAGS_alternative),
                           .rationale = absl::GetFlag(FLAGS_rationale),
                           .override_reason = absl::GetFlag(FLAGS_override_reason),
                           .to_role = absl::GetFlag(FLAGS_to),
                           .reason = absl::GetFlag(FLAGS_reason),
                           .summary = absl::GetFlag(FLAGS_summary)});
  }
  if (command == "find") {
    return RunFind(env, {.identifier = absl::GetFlag(FLAGS_identifier),
                         .min_position = absl::GetFlag(FLAGS_min_position)});
  }
  if (command == "views") return RunViews(env, {.digests = absl::GetFlag(FLAGS_digests)});
  if (command == "agreements") {
    return RunAgreements(env, {.id = absl::GetFlag(FLAGS_id),
                               .in_force_only = absl::GetFlag(FLAGS_in_force_only),
                               .summary = absl::GetFlag(FLAGS_summary)});
  }
  if (command == "explain") {
    return RunExplain(env, {.system = absl::GetFlag(FLAGS_system),
                            .role = absl::GetFlag(FLAGS_as_role),
                            .purpose = absl::GetFlag(FLAGS_as_purpose),
                            .position = absl::GetFlag(FLAGS_position),
                            .summary = absl::GetFlag(FLAGS_summary)});
  }
  if (command == "audit") {
    return RunAudit(env, {.action = g_step,
                          .person_id = absl::GetFlag(FLAGS_person),
                          .agency = absl::GetFlag(FLAGS_agency),
                          .system = absl::GetFlag(FLAGS_system),
                          .user_id = absl::GetFlag(FLAGS_by_user),
                          .agreement = absl::GetFlag(FLAGS_agreement),
                          .operation = absl::GetFlag(FLAGS_operation),
                          .since = absl::GetFlag(FLAGS_since),
                          .until = absl::GetFlag(FLAGS_until),
                          .limit = absl::GetFlag(FLAGS_limit),
                          .format = absl::GetFlag(FLAGS_format),
                          .public_key_file = absl::GetFlag(FLAGS_public_key)});
  }
  if (command == "admin") {
    if (timeout < 0) env.timeout = absl::Hours(1);  // a backup or verify reads the whole store
    return RunAdmin(env, {.action = g_step,
                          .argument = g_argument,
                          .skip_verify = absl::GetFlag(FLAGS_skip_verify)});
  }
  if (command == "rebuild") {
    return RunRebuild(env, {.view = absl::GetFlag(FLAGS_view), .wait = absl::GetFlag(FLAGS_wait)});
  }
  return ReportUsageError(
      env, absl::StrCat("unknown command \"", command,
                        "\" (want append, read-stream, read-all, subscribe, "
                        "case, cohort, alerts, decide, board, dashboard, find, views, rebuild, "
                        "agreements, explain, audit or admin; see "
                        "iomctl "
                        "--help)"));
}

// gRPC core's own log lines ("E1206 ... ssl_transport_security.cc ...
// Handshake failed") repeat what iomctl explains in one line; they show
// only when GRPC_VERBOSITY asks for them.
void QuietGrpcLog(gpr_log_func_args* /*args*/) {}

int Main(int argc, char** argv) {
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function(QuietGrpcLog);
  absl::SetProgramUsageMessage(kUsage);
  CommandEnv env{.out = &std::cout, .err = &std::cerr};
  if (iomhub::PrintVersionIfAsked(argc, argv)) return 0;
  if (iomhub::WantsHelp(argc, argv)) {
    iomhub::PrintHelp(std::cout, absl::StrCat("iomctl: ", kUsage), "iomctl_main");
    return kExitOk;
  }
  if (std::string problem = clients::CheckCommandLine(argc, argv); !problem.empty()) {
    return ReportUsageError(env, absl::StrCat(problem, " (see iomctl --help)"));
  }
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  // `iomctl rebuild case_view` names the view without --view, and
  // `iomctl agreements ID` the agreement without --id.
  if (positional.size() == 3 && std::string(positional[1]) == "rebuild" &&
      absl::GetFlag(FLAGS_view).empty()) {
    absl::SetFlag(&FLAGS_view, positional[2]);
    positional.pop_back();
  } else if (positional.size() == 3 && std::string(positional[1]) == "agreements" &&
             absl::GetFlag(FLAGS_id).empty()) {
    absl::SetFlag(&FLAGS_id, positional[2]);
    positional.pop_back();
  } else if ((positional.size() == 3 || positional.size() == 4) &&
             std::string(positional[1]) == "admin") {
    g_step = positional[2];  // `iomctl admin backup DIR`, `iomctl admin verify`
    if (positional.size() == 4) g_argument = positional[3];
    positional.resize(2);
  } else if (positional.size() == 3 &&
             (std::string(positional[1]) == "decide" || std::string(positional[1]) == "audit")) {
    g_step = positional[2];  // `iomctl decide open ...`, `iomctl audit verify`
    positional.pop_back();
  }
  if (positional.size() != 2) {
    return ReportUsageError(
        env, positional.size() < 2
                 ? "no command given (see iomctl --help)"
                 : absl::StrCat("one command at a time, got: ",
                                absl::StrJoin(positional.begin() + 1, positional.end(), " ")));
  }
  const std::string command = positional[1];
  if (command == "help") {
    iomhub::PrintHelp(std::cout, absl::StrCat("iomctl: ", kUsage), "iomctl_main");
    return kExitOk;
  }

  absl::StatusOr<clients::Connection> connection = clients::ConnectionFromFlags();
  if (!connection.ok()) return ReportUsageError(env, connection.status().message());
  env.identity = connection->identity;
  env.channel = connection->channel;
  env.tls = !connection->options.insecure;
  return Run(command, env);
}

}  // namespace
}  // namespace iomhub::iomctl

int main(int argc, char** argv) { return iomhub::iomctl::Main(argc, argv); }
