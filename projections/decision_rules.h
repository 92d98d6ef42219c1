// Decision rules: who may take which step of a joint breach decision, and
// when (DOMAIN.md rule 6, "Joint decisions"; docs/decisions.md). A breach
// consideration is opened by police or probation; the police Sergeant and
// the Senior Probation Officer each record a position (a later one from the
// same agency supersedes); if they agree, either records the joint decision
// (the agreed position); if they differ, either escalates — to the
// Inspector or the head of the probation delivery unit — whose decision is
// final. Every step is by someone acting for the person's IOM team's area.
// A consideration may be withdrawn, with a reason, while open.
//
// The same check judges DecisionService's commands and raw appends of these
// events (EventService.Append), so the workflow cannot be bypassed.
//
// Pure: the state before the step, the step and who takes it. Thread-safe.
#ifndef IOMHUB_PROJECTIONS_DECISION_RULES_H_
#define IOMHUB_PROJECTIONS_DECISION_RULES_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "iomhub/v1/actor.pb.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"

namespace iomhub::projections {

// Whether `event` is a step of a joint breach decision.
bool IsDecisionStep(const v1::Event& event);

// Judges the step `event` (already validated as an event) taken by `actor`
// on the person whose state before it is `state`; `person_area` is the area
// of the person's IOM team ("" when unknown: then any area may act).
//   OK
//   INVALID_ARGUMENT     a required field is missing (rationale, reason,
//                        trigger, position, the named alternative)
//   PERMISSION_DENIED    wrong role, wrong agency, or another area
//   FAILED_PRECONDITION  not now: no such consideration, already open,
//                        decided or withdrawn, a position missing, positions
//                        that differ (escalate), escalated (only the
//                        escalated manager decides)
// Each message names what is missing or who may act instead.
absl::Status JudgeDecisionStep(const v1::PersonState& state, const v1::Event& event,
                               const v1::Actor& actor, absl::string_view person_area);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_DECISION_RULES_H_
