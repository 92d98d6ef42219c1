// The pure fold of one person's stream `person-<uuid>` into v1::PersonState
// (proto/iomhub/v1/person_state.proto). Views, alert rules and command
// handlers all read a person through it, so what an event means is written
// once (DESIGN.md "Growing the next floor").
//
// Pure and deterministic: no clock, no I/O; every time in the state is the
// occurred_at of an event, every "by" its producer. The same events give a
// state with the same DeterministicBytes(), however it was built.
//
// Thread-safe: the functions share nothing; a state must not be applied to
// from two threads at once.
#ifndef IOMHUB_PROJECTIONS_PERSON_STATE_H_
#define IOMHUB_PROJECTIONS_PERSON_STATE_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "iomhub/v1/envelope.pb.h"
#include "iomhub/v1/person_state.pb.h"

namespace iomhub::projections {

// Folds `event`, the next event of the person's stream, into `*state`.
//
// An empty state (person_id empty) takes its person_id from the stream.
// Every payload type is handled; payload data that makes no sense (an outcome
// for a contact never scheduled, a withdrawal of an unknown consent) is kept
// as far as it goes, never refused: data quality is the partner's. An NHS
// identifier is never stored (it stays in the health partition).
//
// REQUIRES: event.stream() is "person-<uuid>".
// Returns INVALID_ARGUMENT, leaving `*state` unchanged, only for an event that
// cannot be the next one of this state's stream — a bug upstream, not bad
// data: a stream that is not person-<uuid> or is another person's, or a
// stream_version other than state->events_folded() (versions are gapless
// from 0, so the first event folded has version 0).
absl::Status ApplyToPersonState(const v1::Event& event, v1::PersonState* state);

// As ApplyToPersonState, for the events of a stream one recipient was given
// (sharing policy): some are left out, so versions may skip, but they must
// rise. The state is what that recipient may know (events_folded counts
// what it was given).
absl::Status ApplyDisclosedToPersonState(const v1::Event& event, v1::PersonState* state);

// Folds `events`, in order, into a new state: for tests and for command
// handlers that read a stream from its start. Fails as ApplyToPersonState
// does, on the first event that does not fit.
absl::StatusOr<v1::PersonState> FoldPersonState(absl::Span<const v1::Event> events);

// The IOM team `event` assigns its person to, if it assigns one: the team of
// a NominalReferred or CohortSelected that names one, or the to_team_id of a
// TeamChanged. The one rule for team membership (the fold and the cohort
// view both use it; CohortViewProjection::Wants lists the same three types).
std::optional<std::string> TeamAssignedBy(const v1::Event& event);

// The breach consideration `id` of `state`, or nullptr. The fold keeps the
// steps of one whose opening has not arrived yet (no opened_at), so callers
// that need an opened one check has_opened_at.
const v1::PersonState::BreachConsideration* FindConsideration(const v1::PersonState& state,
                                                              absl::string_view id);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_PERSON_STATE_H_
