#include "clients/iomctl/dashboard_command.h"

#include "absl/strings/str_cat.h"
#include "clients/iomctl/query_flags.h"
#include "iomhub/v1/case_service.grpc.pb.h"

namespace iomhub::iomctl {
namespace {

std::string CellText(const v1::DashboardCell& cell) {
  std::string out = absl::StrCat("  ", cell.label().empty() ? cell.key() : cell.label(), ": ",
                                 cell.suppressed() ? "suppressed" : absl::StrCat(cell.value()));
  if (cell.reference() != 0) absl::StrAppend(&out, " (reference ", cell.reference(), ")");
  return out + "\n";
}

}  // namespace

std::string SummarizeDashboard(const v1::GetDashboardResponse& r) {
  std::string out = absl::StrCat(r.scope(), ": ISO weeks ", r.from_week(), " to ", r.to_week(),
                                 ", counts below ", r.suppression_threshold(), " suppressed\n");
  for (const v1::DashboardTable& table : r.tables()) {
    absl::StrAppend(&out, table.title(), table.unit().empty() ? "" : " (" + table.unit() + ")",
                    "\n");
    for (const v1::DashboardCell& cell : table.cells()) absl::StrAppend(&out, CellText(cell));
    if (table.has_total()) absl::StrAppend(&out, CellText(table.total()));
  }
  absl::StrAppend(&out, "(the views reflect the log to position ", r.view_position(), ")\n");
  return out;
}

int RunDashboard(const CommandEnv& env, const DashboardOptions& options) {
  if (!options.area_id.empty() && !options.team_id.empty()) {
    return ReportUsageError(env, "give --area or --team, not both (neither: all Wales)");
  }
  v1::GetDashboardRequest request;
  request.set_area_id(options.area_id);
  request.set_team_id(options.team_id);
  request.set_weeks(options.weeks);
  request.set_min_position(options.min_position);
  // Only a given --as_of is sent: a present but zero timestamp would mean 1970.
  if (!options.as_of.empty()) {
    if (absl::Status s = ParseAsOf(options.as_of, request.mutable_as_of()); !s.ok()) {
      return ReportUsageError(env, s.message());
    }
  }
  auto stub = v1::CaseService::NewStub(env.channel);
  v1::GetDashboardResponse response;
  const int code = Unary(
      env,
      [&](grpc::ClientContext* c, v1::GetDashboardResponse* r) {
        return stub->GetDashboard(c, request, r);
      },
      &response);
  if (code != kExitOk) return code;
  return PrintResponse(env, response, options.summary, &SummarizeDashboard);
}

}  // namespace iomhub::iomctl
