#include "clients/iomctl/alert_command.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "clients/iomctl/query_flags.h"
#include "iomhub/v1/alert_service.grpc.pb.h"

namespace iomhub::iomctl {

std::string SummarizeAlerts(const v1::ListAlertsResponse& response) {
  std::string out = absl::StrCat(response.alerts_size(), " alert",
                                 response.alerts_size() == 1 ? "" : "s", "\n");
  for (const v1::PersonAlert& a : response.alerts()) {
    const v1::PersonState::Alert& alert = a.alert();
    const bool open = !alert.has_resolved_at();
    absl::StrAppend(&out, "  ", Day(alert.raised_at()), "  ",
                    Short(v1::AlertSeverity_descriptor(), alert.severity(), "ALERT_SEVERITY_"),
                    "  ", alert.rule(), " ", alert.window(), "  person ", a.person_id(),
                    a.team_id().empty() ? "" : absl::StrCat(" (", a.team_id(), ")"), "\n    ",
                    alert.summary(), "\n");
    if (!open) {
      absl::StrAppend(&out, "    resolved ", Day(alert.resolved_at()), ": ",
                      alert.resolution_reason(), "\n");
    }
  }
  absl::StrAppend(&out, "(the views reflect the log to position ", response.view_position(), ")\n");
  return out;
}

std::string SummarizeRules(const v1::ListAlertRulesResponse& response) {
  std::string out;
  for (const v1::RuleDescription& rule : response.rules()) {
    absl::StrAppend(&out, rule.id(), rule.domain_rule() > 0
                                         ? absl::StrCat(" (DOMAIN rule ", rule.domain_rule(), ")")
                                         : "",
                    "  ", Short(v1::RuleKind_descriptor(), rule.kind(), "RULE_KIND_"),
                    rule.severity() != v1::ALERT_SEVERITY_UNSPECIFIED
                        ? absl::StrCat(", ", Short(v1::AlertSeverity_descriptor(), rule.severity(),
                                                   "ALERT_SEVERITY_"))
                        : "",
                    rule.enabled() ? "" : "  DISABLED", "\n  ", rule.description(),
                    "\n  source: ", rule.source(), "\n");
  }
  const v1::RuleParameters& p = response.parameters();
  absl::StrAppend(&out, "parameters: ", p.fixed_min_contacts_per_week(),
                  " contacts a week (Fixed, no plan); ", p.absences_for_concern(),
                  " unacceptable absences in ", p.absence_window_days(), " days; Y2A ",
                  p.y2a_min_flex_months(), " months in Flex; warnings for ",
                  p.warning_liability_months(), " months; breach decisions within ",
                  p.breach_decision_days(), " days; reviews every ", p.review_interval_weeks(),
                  " weeks; referrals answered within ", p.referral_response_working_days(),
                  " working days");
  for (const v1::ServiceResponseTime& s : p.referral_response_by_service()) {
    absl::StrAppend(&out, " (", Short(v1::ServiceKind_descriptor(), s.service(), "SERVICE_KIND_"),
                    ": ", s.working_days(), ")");
  }
  absl::StrAppend(&out, "; appointments ", p.default_appointment_minutes(),
                  " minutes when no duration is given\n");
  std::vector<std::string> roles;
  for (int role : response.override_roles()) {
    roles.push_back(absl::AsciiStrToLower(absl::StripPrefix(v1::Role_Name(role), "ROLE_")));
  }
  absl::StrAppend(&out, "override roles: ", absl::StrJoin(roles, ", "), "\nbank holidays: ",
                  response.bank_holidays_size(), " configured\n");
  return out;
}

int RunAlerts(const CommandEnv& env, const AlertsOptions& options) {
  auto stub = v1::AlertService::NewStub(env.channel);
  if (options.list_rules) {
    v1::ListAlertRulesRequest request;
    request.set_area_id(options.area);
    v1::ListAlertRulesResponse response;
    const int code = Unary(
        env,
        [&](grpc::ClientContext* c, v1::ListAlertRulesResponse* r) {
          return stub->ListAlertRules(c, request, r);
        },
        &response);
    if (code != kExitOk) return code;
    return PrintResponse(env, response, options.summary, &SummarizeRules);
  }
  if (options.person_id.empty() == options.team_id.empty()) {
    return ReportUsageError(env, "give one of --person=<uuid> or --team=ID (or --rules)");
  }
  v1::ListAlertsRequest request;
  if (!options.person_id.empty()) {
    request.set_person_id(options.person_id);
  } else {
    request.set_team_id(options.team_id);
  }
  absl::StatusOr<v1::AlertState> state =
      ParseEnumFlag<v1::AlertState>("state", options.state, "ALERT_STATE_", v1::AlertState_Parse);
  if (!state.ok()) return ReportUsageError(env, state.status().message());
  absl::StatusOr<v1::AlertSeverity> severity = ParseEnumFlag<v1::AlertSeverity>(
      "min_severity", options.min_severity, "ALERT_SEVERITY_", v1::AlertSeverity_Parse);
  if (!severity.ok()) return ReportUsageError(env, severity.status().message());
  request.set_state(*state);
  request.set_min_severity(*severity);
  for (const std::string& rule : options.rules) request.add_rules(rule);
  request.set_min_position(options.min_position);
  v1::ListAlertsResponse response;
  const int code = Unary(
      env,
      [&](grpc::ClientContext* c, v1::ListAlertsResponse* r) {
        return stub->ListAlerts(c, request, r);
      },
      &response);
  if (code != kExitOk) return code;
  return PrintResponse(env, response, options.summary, &SummarizeAlerts);
}

}  // namespace iomhub::iomctl
