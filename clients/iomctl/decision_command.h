// `iomctl decide open|position|escalate|record|withdraw` (DecisionService)
// and `iomctl board` (CaseService.GetDecisionsBoard): the joint breach
// decision of police and probation from the command line.
#ifndef IOMHUB_CLIENTS_IOMCTL_DECISION_COMMAND_H_
#define IOMHUB_CLIENTS_IOMCTL_DECISION_COMMAND_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clients/iomctl/command_env.h"
#include "iomhub/v1/case_service.pb.h"
#include "iomhub/v1/decision_service.pb.h"

namespace iomhub::iomctl {

struct DecideOptions {
  std::string step{};  // open | position | escalate | record | withdraw
  std::string person_id{};
  std::string consideration_id{};
  // "": a new one, printed to stderr so a retry can reuse it.
  std::string command_id{};
  std::string occurred_at{};  // RFC 3339; "" = now at the hub
  std::optional<uint64_t> expected_version{};
  // open
  std::string trigger{};  // missed_contacts | new_offence | arrest | intelligence | failures_to_comply_limit
  std::string order_ref{};
  std::string summary_text{};
  std::vector<uint64_t> evidence{};
  // position, record
  std::string position{};  // breach | recall | warn | no_further_action | alternative
  std::string alternative{};
  std::string rationale{};
  std::string override_reason{};
  // escalate
  std::string to_role{};
  // escalate, withdraw
  std::string reason{};
  bool summary = false;
};

struct BoardOptions {
  std::string team_id{};
  bool include_closed = false;
  uint64_t min_position = 0;
  std::string as_of{};
  bool summary = false;
};

std::string SummarizeDecision(const v1::DecisionResponse& response);
std::string SummarizeBoard(const v1::GetDecisionsBoardResponse& response);

int RunDecide(const CommandEnv& env, const DecideOptions& options);
int RunBoard(const CommandEnv& env, const BoardOptions& options);

}  // namespace iomhub::iomctl

#endif  // IOMHUB_CLIENTS_IOMCTL_DECISION_COMMAND_H_
