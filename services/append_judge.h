// JudgeAppend: the verdict of the IOM rules on an append to a person's
// stream — the rules that refuse an append (command_rules.h: Y2A, WISDOM,
// second warnings, overlapping appointments), consent withdrawals, and the
// steps of a joint breach decision (decision_rules.h) — each event judged on
// the state the events before it make. EventService.Append and
// DecisionService both ask it, through PersonCommands, so a workflow cannot
// be bypassed by appending its events raw.
#ifndef IOMHUB_SERVICES_APPEND_JUDGE_H_
#define IOMHUB_SERVICES_APPEND_JUDGE_H_

#include <vector>

#include "absl/status/status.h"
#include "iomhub/v1/actor.pb.h"
#include "iomhub/v1/envelope.pb.h"
#include "services/hub_context.h"
#include "services/person_commands.h"

namespace iomhub::services {

// Whether an append of `event` needs JudgeAppend (it reads the person).
bool NeedsJudging(const v1::Event& event);

// OK, or the first refusal, its message prefixed "events[i]: " and ending
// "; nothing was written": FAILED_PRECONDITION (a rule, a step out of
// turn, an unknown consent), PERMISSION_DENIED (a role, agency or area that
// may not, an override by a role that may not override), INVALID_ARGUMENT
// (a decision step missing its rationale, reason or trigger). `events` carry
// the producer the hub stamped; the moment is the hub clock's now. When OK
// and `after` is given: the person's state with `events` folded in.
absl::Status JudgeAppend(HubContext& hub, const v1::Actor& producer,
                         const std::vector<v1::Event>& events,
                         const PersonCommands::Current& current,
                         v1::PersonState* after = nullptr);

}  // namespace iomhub::services

#endif  // IOMHUB_SERVICES_APPEND_JUDGE_H_
