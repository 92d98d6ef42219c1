// The dashboard's pages, rendered on the server from what the hub returned,
// so every figure is in an accessible table (caption, th scope) that works
// without JavaScript; dashboard.js draws each table's chart from the table
// itself and keeps the page live. Every string from the hub is escaped.
// Pure functions; thread-safe.
#ifndef IOMHUB_CLIENTS_DASHBOARD_PAGES_H_
#define IOMHUB_CLIENTS_DASHBOARD_PAGES_H_

#include <string>

#include "absl/strings/string_view.h"
#include "clients/dashboard/manager_access.h"
#include "iomhub/v1/case_service.pb.h"
#include "iomhub/v1/dashboard.pb.h"

namespace iomhub::dashboard {

// One table and its chart's data: <table data-chart=...> with a row per
// cell (data-key, data-value; a suppressed cell shows kSuppressedText, has
// data-suppressed="true" and no data-value), a reference column when any
// cell has one, the total in <tfoot>, then the note; under an <h`heading_level`>.
std::string RenderTable(const v1::DashboardTable& table, int index, int heading_level = 2);

// Wales (areas to drill into, each with the latest week of its own trends),
// an area (its teams) or a team (its facts and the decisions board link),
// then every table in the hub's order: the hub decides which tables exist.
// On the Wales page the tables the hub made for one area ("<id>/<area>")
// follow, area by area in the hub's order: areas are never ranked here.
std::string RenderDashboardPage(const v1::GetDashboardResponse& response);

// A team's decisions board as `manager` may see it: open considerations
// (oldest first) and recently closed ones, person ids as the hub gives them.
std::string RenderBoardPage(const v1::GetDecisionsBoardResponse& response, const Manager& manager);

// A page saying what went wrong (hub unavailable, not found, refused), in
// the same frame, so the live script can swap the figures in when the hub
// answers again.
std::string RenderProblemPage(absl::string_view title, absl::string_view message);

}  // namespace iomhub::dashboard

#endif  // IOMHUB_CLIENTS_DASHBOARD_PAGES_H_
