#include "services/append_judge.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "projections/alert_rules/command_rules.h"
#include "projections/decision_rules.h"
#include "projections/person_state.h"

namespace iomhub::services {

bool NeedsJudging(const v1::Event& event) {
  return projections::alert_rules::NeedsPersonCheck(event) ||
         projections::IsDecisionStep(event);
}

absl::Status JudgeAppend(HubContext& hub, const v1::Actor& producer,
                         const std::vector<v1::Event>& events,
                         const PersonCommands::Current& current, v1::PersonState* after) {
  namespace rules = projections::alert_rules;
  const absl::Time now = hub.clock()->Now();
  v1::PersonState state = current.state;
  for (size_t i = 0; i < events.size(); ++i) {
    v1::Event e = events[i];
    e.set_stream(current.stream);
    e.set_stream_version(state.events_folded());
    if (NeedsJudging(e)) {
      std::string team = state.team_id();
      if (team.empty()) team = projections::TeamAssignedBy(e).value_or("");
      const v1::Team* found = hub.teams().FindTeam(team);
      const std::string area = found != nullptr ? found->area_id() : "";
      const rules::Parameters& params = hub.rules().ForArea(area);
      absl::Status judged = projections::JudgeDecisionStep(state, e, producer, area);
      if (judged.ok()) judged = rules::CheckConsentWithdrawal(state, e, producer.agency());
      if (judged.ok()) {
        judged = rules::JudgeCommand(state, e, producer.role(), hub.rules(), params, now);
      }
      if (!judged.ok()) {
        return absl::Status(judged.code(), absl::StrCat("events[", i, "]: ", judged.message(),
                                                        "; nothing was written"));
      }
    }
    // The next event is judged on the state this one makes.
    if (absl::Status folded = projections::ApplyToPersonState(e, &state); !folded.ok()) {
      return folded;
    }
  }
  if (after != nullptr) *after = std::move(state);
  return absl::OkStatus();
}

}  // namespace iomhub::services
