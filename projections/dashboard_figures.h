// The dashboard's tables (dashboard.proto), counted from the dashboard view
// (dashboard_view.h) of the teams in a scope — all Wales, an area or a team —
// and suppressed (dashboard_suppression.h) before they leave the hub. A pure
// function of the view, the teams' configuration and the moment asked for.
#ifndef IOMHUB_PROJECTIONS_DASHBOARD_FIGURES_H_
#define IOMHUB_PROJECTIONS_DASHBOARD_FIGURES_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iomhub/v1/config.pb.h"
#include "iomhub/v1/dashboard.pb.h"
#include "projections/dashboard_view.h"

namespace iomhub::projections {

struct DashboardTeam {
  v1::Team team;
  TeamDashboardData data;
};

struct DashboardWindow {
  absl::Time as_of;
  int weeks = 12;  // ending with as_of's ISO week
};

// Fills `response`'s from_week, to_week and tables from `teams` (the scope).
// `trend_areas`: with more than one, each area gets its own trend tables
// ("accommodation_trend/<area id>"), never one table ranking them.
absl::Status BuildDashboard(const std::vector<DashboardTeam>& teams,
                            const std::vector<v1::Area>& trend_areas, const DashboardWindow& window,
                            v1::GetDashboardResponse* response);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_DASHBOARD_FIGURES_H_
