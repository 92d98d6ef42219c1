// `iomctl dashboard` (CaseService.GetDashboard): the IOM dashboard's
// aggregates for Wales, an area or a team, as the web dashboard receives
// them, printed as one protobuf JSON line (or a few lines for people).
#ifndef IOMHUB_CLIENTS_IOMCTL_DASHBOARD_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_DASHBOARD_COMMAND_H_

#include <cstdint>
#include <string>

#include "clients/iomctl/command_env.h"
#include "iomhub/v1/dashboard.pb.h"

namespace iomhub::iomctl {

struct DashboardOptions {
  std::string area_id{};  // neither area nor team: all Wales
  std::string team_id{};
  uint32_t weeks = 0;  // 0: the hub's default (12)
  uint64_t min_position = 0;
  std::string as_of{};  // RFC 3339; "" = now
  bool summary = false;
};

// Each table as "title (unit)" then "  label: value" lines, suppressed
// cells as "suppressed".
std::string SummarizeDashboard(const v1::GetDashboardResponse& response);

int RunDashboard(const CommandEnv& env, const DashboardOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_DASHBOARD_COMMAND_H_
