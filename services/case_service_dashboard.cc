// CaseService.GetDashboard: the dashboard's aggregates for all Wales, an
// area or a team, counted from the dashboard view (projections/
// dashboard_view.h, dashboard_figures.h) and suppressed before they leave.
// No person is read through the sharing policy and none is disclosed, so
// nothing is written to the disclosure audit; the caller must still be a
// party to an aggregates-only agreement in force.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/timestamps.h"
#include "projections/dashboard_figures.h"
#include "projections/dashboard_suppression.h"
#include "projections/dashboard_view.h"
#include "projections/sharing/agreement_set.h"
#include "projections/sharing/policy.h"
#include "projections/team_directory.h"
#include "services/admission.h"
#include "services/case_service.h"
#include "services/grpc_status.h"
#include "services/sharing_config.h"
#include "services/unary_call.h"
#include "services/view_query.h"
#include "services/wire_batch.h"

namespace iomhub::services {
namespace {

constexpr uint32_t kDefaultWeeks = 12;
constexpr uint32_t kMaxWeeks = 104;

// OK when an aggregates-only agreement in force names the caller's agency.
absl::Status CheckAggregatesAgreement(HubContext& hub, const v1::Actor& actor) {
  const absl::CivilDay today = projections::sharing::LondonDay(hub.clock()->Now());
  for (const auto& la : hub.sharing().policy()->agreements().agreements()) {
    const v1::Agreement& a = la.agreement;
    if (!a.aggregates_only() || !projections::sharing::AgreementSet::InForce(a, today)) continue;
    for (const v1::Partner& p : a.partners()) {
      if (p.agency() == actor.agency()) return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError(absl::StrCat("no aggregates-only agreement in force names ",
                                                  v1::AgencyKind_Name(actor.agency()), " (",
                                                  actor.system(), ") as a partner"));
}

// The teams a request's scope covers (all Wales, an area, a team), with the
// response's scope fields filled; `trend_areas`: each area its own trend
// (Wales only). INVALID_ARGUMENT or NOT_FOUND naming what was wrong.
absl::Status ResolveScope(const projections::TeamDirectory& directory,
                          const v1::GetDashboardRequest& request,
                          std::vector<const v1::Team*>* teams, std::vector<v1::Area>* trend_areas,
                          v1::GetDashboardResponse* response) {
  if (!request.area_id().empty() && !request.team_id().empty()) {
    return absl::InvalidArgumentError("give area_id or team_id, not both");
  }
  if (request.weeks() > kMaxWeeks) {
    return absl::InvalidArgumentError(
        absl::StrCat("weeks is ", request.weeks(), "; at most ", kMaxWeeks));
  }
  const v1::TeamsConfig& config = directory.config();
  if (!request.team_id().empty()) {
    const v1::Team* team = directory.FindTeam(request.team_id());
    if (team == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no IOM team \"", request.team_id(), "\" in the hub's teams file"));
    }
    teams->push_back(team);
    response->set_scope(team->name());
    *response->mutable_team() = *team;
    if (const v1::Area* area = directory.FindArea(team->area_id())) {
      *response->mutable_area() = *area;
    }
    return absl::OkStatus();
  }
  if (!request.area_id().empty()) {
    const v1::Area* area = directory.FindArea(request.area_id());
    if (area == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("no area \"", request.area_id(), "\" in the hub's teams file"));
    }
    response->set_scope(area->name());
    *response->mutable_area() = *area;
    for (const v1::Team& t : config.team()) {
      if (t.area_id() != area->id()) continue;
      teams->push_back(&t);
      *response->add_teams() = t;
    }
    return absl::OkStatus();
  }
  response->set_scope("Wales");
  for (const v1::Area& a : config.area()) *response->add_areas() = a;
  for (const v1::Team& t : config.team()) teams->push_back(&t);
  trend_areas->assign(config.area().begin(), config.area().end());
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* CaseServiceImpl::GetDashboard(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* raw_request,
                                                        grpc::ByteBuffer* raw_response) {
  v1::GetDashboardRequest request;
  absl::StatusOr<v1::Actor> actor = OpenUnaryCall(*hub_, context, raw_request, &request,
                                                  Operation::kReadAggregates, "GetDashboard");
  if (!actor.ok()) return FinishUnaryCall(context, actor.status());  // counted already
  v1::GetDashboardResponse response;
  std::vector<const v1::Team*> teams;
  std::vector<v1::Area> trend_areas;
  absl::Status allowed = CheckAggregatesAgreement(*hub_, *actor);
  if (allowed.ok()) {
    allowed = ResolveScope(hub_->teams(), request, &teams, &trend_areas, &response);
  }
  if (!allowed.ok()) {
    hub_->metrics().RecordRejected("GetDashboard", allowed.code());
    return FinishUnaryCall(context, allowed);
  }
  response.set_suppression_threshold(projections::kSuppressBelow);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  RunViewQuery(
      hub_->runner(), hub_->executor(), context, reactor, {projections::kDashboardView},
      request.min_position(),
      [hub = hub_, request, teams = std::move(teams), trend_areas = std::move(trend_areas),
       response = std::move(response), raw_response]() mutable -> absl::Status {
        const uint64_t position =
            (*hub->runner().Watermark(projections::kDashboardView))->position();
        absl::StatusOr<std::string> view = hub->runner().PhysicalView(projections::kDashboardView);
        if (!view.ok()) return view.status();
        std::vector<projections::DashboardTeam> data;
        for (const v1::Team* team : teams) {
          absl::StatusOr<projections::TeamDashboardData> d =
              projections::ReadTeamDashboard(hub->views(), *view, team->id());
          if (!d.ok()) return d.status();
          data.push_back({*team, *std::move(d)});
        }
        projections::DashboardWindow window;
        window.as_of = AsOf(request.as_of(), hub->clock());
        window.weeks = static_cast<int>(request.weeks() == 0 ? kDefaultWeeks : request.weeks());
        if (absl::Status built = projections::BuildDashboard(data, trend_areas, window, &response);
            !built.ok()) {
          return built;
        }
        response.set_view_position(position);
        *raw_response = ToByteBuffer(response);
        return absl::OkStatus();
      });
  return reactor;
}

}  // namespace iomhub::services
