#include "services/alert_service.h"
#include "services/audit_trail.h"

#include "common/status_macros.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/ids.h"
#include "common/timestamps.h"
#include "projections/alert_rules/rule_catalogue.h"
#include "projections/case_view_projection.h"
#include "projections/cohort_view.h"
#include "services/admission.h"
#include "services/delivery_cursor.h"
#include "services/disclosed_state.h"
#include "services/grpc_status.h"
#include "services/unary_call.h"
#include "services/view_query.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

bool Wanted(const v1::PersonState::Alert& alert, const v1::ListAlertsRequest& request) {
  const bool open = alert.has_raised_at() && !alert.has_resolved_at();
  switch (request.state()) {
    case v1::ALERT_STATE_UNSPECIFIED:
    case v1::ALERT_STATE_OPEN:
      if (!open) return false;
      break;
    case v1::ALERT_STATE_RESOLVED:
      if (open || !alert.has_resolved_at()) return false;
      break;
    default:
      break;
  }
  if (!request.rules().empty() &&
      std::find(request.rules().begin(), request.rules().end(), alert.rule()) ==
          request.rules().end()) {
    return false;
  }
  return alert.severity() >= request.min_severity();
}

void AddAlerts(const v1::PersonState& state, const v1::ListAlertsRequest& request,
               v1::ListAlertsResponse* response) {
  for (const v1::PersonState::Alert& alert : state.alerts()) {
    if (!Wanted(alert, request)) continue;
    v1::PersonAlert* out = response->add_alerts();
    out->set_person_id(state.person_id());
    out->set_team_id(state.team_id());
    *out->mutable_alert() = alert;
  }
}

// When the recipient receives alerts whole and unconditionally, the case
// view's state may stand for what it would be sent.
constexpr int kAlertTypes[] = {v1::Event::kAlertRaisedFieldNumber,
                               v1::Event::kAlertResolvedFieldNumber};

absl::Status CheckRules(const v1::ListAlertsRequest& request) {
  for (const std::string& rule : request.rules()) {
    const v1::RuleDescription* found = projections::alert_rules::FindRule(rule);
    if (found == nullptr || found->kind() == v1::RULE_KIND_COMMAND) {
      return absl::InvalidArgumentError(
          absl::StrCat("rules: no alert rule \"", rule, "\" (ListAlertRules lists them)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

AlertServiceImpl::AlertServiceImpl(HubContext* hub) : hub_(hub) {}

grpc::ServerUnaryReactor* AlertServiceImpl::ListAlerts(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* raw_request,
                                                       grpc::ByteBuffer* raw_response) {
  v1::ListAlertsRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kQueryCases, "ListAlerts");
  if (actor.ok() && request.scope_case() == v1::ListAlertsRequest::SCOPE_NOT_SET) {
    actor = absl::InvalidArgumentError("say whose alerts: person_id or team_id");
  }
  if (actor.ok()) {
    absl::Status valid = CheckRules(request);
    if (valid.ok() && request.has_person_id() &&
        !IsCanonicalUuid(request.person_id())) {
      valid = absl::InvalidArgumentError(
          absl::StrCat("person_id \"", request.person_id(), "\" is not a UUID"));
    }
    if (valid.ok() && request.has_team_id() &&
        hub_->teams().FindTeam(request.team_id()) == nullptr) {
      valid = absl::NotFoundError(
          absl::StrCat("no IOM team \"", request.team_id(), "\" in the hub's teams file"));
    }
    if (!valid.ok()) actor = valid;
  }
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  auto cursor = std::make_shared<DeliveryCursor>(*actor, hub_->delivery());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::vector<std::string> views = {projections::kCaseView};
  if (request.has_team_id()) views.push_back(projections::kCohortView);
  RunViewQuery(
      hub_->runner(), hub_->executor(), context, reactor, std::move(views), request.min_position(),
      [hub = hub_, request, cursor, raw_response,
       channel = ChannelOf(*context, "iomhub.v1.AlertService/ListAlerts")]() -> absl::Status {
        uint64_t position = (*hub->runner().Watermark(projections::kCaseView))->position();
        std::vector<std::string> people;
        if (request.has_person_id()) {
          people.push_back(absl::AsciiStrToLower(request.person_id()));
        } else {
          position = std::min(position,
                              (*hub->runner().Watermark(projections::kCohortView))->position());
          absl::StatusOr<std::string> cohort = hub->runner().PhysicalView(projections::kCohortView);
          if (!cohort.ok()) return cohort.status();
          absl::StatusOr<std::vector<std::string>> members =
              projections::TeamMembers(hub->views(), *cohort, request.team_id());
          if (!members.ok()) return members.status();
          people = *std::move(members);
        }
        absl::StatusOr<std::string> case_view = hub->runner().PhysicalView(projections::kCaseView);
        if (!case_view.ok()) return case_view.status();
        const bool whole = cursor->plan().FirstNotWholeOnPeek(kAlertTypes) == 0;
        v1::ListAlertsResponse response;
        for (const std::string& person : people) {
          absl::StatusOr<v1::PersonState> state =
              whole ? projections::ReadPersonState(hub->views(), *case_view, person)
                    : DisclosedState(*hub, *cursor, person, position);
          if (absl::IsNotFound(state.status())) {
            if (request.has_person_id()) return NoCaseFor(person);
            continue;  // not one the caller may see, or views at different positions
          }
          if (!state.ok()) return state.status();
          // A team's list is its cohort list: people on IOM.
          if (request.has_team_id() && !state->cohort().on_iom()) continue;
          AddAlerts(*state, request, &response);
        }
        auto key = [](const v1::PersonAlert& a) {
          return std::make_tuple(-static_cast<int>(a.alert().severity()),
                                 -a.alert().raised_at().seconds(), a.person_id(), a.alert().rule(),
                                 a.alert().window());
        };
        std::sort(response.mutable_alerts()->begin(), response.mutable_alerts()->end(),
                  [&](const v1::PersonAlert& a, const v1::PersonAlert& b) { return key(a) < key(b); });
        response.set_view_position(position);
        // The people whose alerts are shown, and the view.
        cursor->disclosed().Clear();
        std::vector<std::string> shown;
        for (const v1::PersonAlert& a : response.alerts()) shown.push_back(a.person_id());
        std::sort(shown.begin(), shown.end());
        shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
        IOMHUB_RETURN_IF_ERROR(hub->audit().RecordConsultation(cursor->recipient(), channel,
                                                               {"alerts"}, shown));
        *raw_response = ToByteBuffer(response);
        return absl::OkStatus();
      });
  return reactor;
}

grpc::ServerUnaryReactor* AlertServiceImpl::ListAlertRules(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* raw_request,
                                                           grpc::ByteBuffer* raw_response) {
  v1::ListAlertRulesRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kReadRules, "ListAlertRules");
  if (actor.ok() && !request.area_id().empty() &&
      hub_->teams().FindArea(request.area_id()) == nullptr) {
    actor = absl::NotFoundError(
        absl::StrCat("no area \"", request.area_id(), "\" in the hub's teams file"));
  }
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());
  const projections::alert_rules::RuleConfig& rules = hub_->rules();
  v1::ListAlertRulesResponse response;
  for (v1::RuleDescription& rule : rules.Describe()) *response.add_rules() = std::move(rule);
  *response.mutable_parameters() = rules.ParametersProto(request.area_id());
  for (const std::string& day : rules.BankHolidays()) response.add_bank_holidays(day);
  for (v1::Role role : rules.OverrideRoles()) response.add_override_roles(role);
  *raw_response = ToByteBuffer(response);
  return FinishUnaryCall(context, absl::OkStatus());
}

}  // namespace iomhub::services
