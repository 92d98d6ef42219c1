// `iomctl alerts` (AlertService): the alerts the IOM rules raised for a
// person or a team, open or resolved, as JSON lines or a summary; and
// `iomctl alerts --rules`: the rules with this hub's parameters.
#ifndef IOMHUB_CLIENTS_IOMCTL_ALERT_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_ALERT_COMMAND_H_

#include <cstdint>
#include <string>
#include <vector>

#include "clients/iomctl/command_env.h"
#include "iomhub/v1/alert_service.pb.h"

namespace iomhub::iomctl {

struct AlertsOptions {
  std::string person_id{};  // either this
  std::string team_id{};    // or this
  std::string state{};      // open (default) | resolved | all
  std::vector<std::string> rules{};
  std::string min_severity{};  // info | action | urgent
  uint64_t min_position = 0;
  bool summary = false;
  // Instead: the rules and their parameters for `area` ("" = defaults).
  bool list_rules = false;
  std::string area{};
};

std::string SummarizeAlerts(const v1::ListAlertsResponse& response);
std::string SummarizeRules(const v1::ListAlertRulesResponse& response);

int RunAlerts(const CommandEnv& env, const AlertsOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_ALERT_COMMAND_H_
