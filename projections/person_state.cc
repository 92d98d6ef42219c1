#include "projections/person_state.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "projections/payload_fold.h"

namespace iomhub::projections {
namespace {

constexpr absl::string_view kPersonPrefix = "person-";

// OK if `event` can be the next event of `state`'s stream (`gaps`: one of
// the next, in order).
absl::Status CheckBelongs(const v1::Event& event, const v1::PersonState& state, bool gaps) {
  const absl::string_view stream = event.stream();
  if (state.person_id().empty()) {
    if (!absl::StartsWith(stream, kPersonPrefix) ||
        !IsCanonicalUuid(stream.substr(kPersonPrefix.size()))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event ", event.event_id(), " is on stream \"", stream,
          "\", which is not person-<uuid>: only a person's own stream folds into its state "
          "(a bug upstream)"));
    }
  } else if (stream != absl::StrCat(kPersonPrefix, state.person_id())) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.event_id(), " is on stream \"", stream, "\", not person-",
                     state.person_id(), " whose state is being folded (a bug upstream)"));
  }
  if (gaps) {
    if (state.events_folded() == 0 || event.stream_version() > state.stream_version()) {
      return absl::OkStatus();
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "event ", event.event_id(), " has stream_version ", event.stream_version(),
        ", not after the last one folded (", state.stream_version(), "): events out of order "
        "(a bug upstream)"));
  }
  if (event.stream_version() != state.events_folded()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event ", event.event_id(), " has stream_version ", event.stream_version(), " but ", stream,
        " has ", state.events_folded(), " events folded, so the next must have version ",
        state.events_folded(), ": an event was skipped, repeated or reordered (a bug upstream)"));
  }
  return absl::OkStatus();
}

absl::Status Apply(const v1::Event& event, v1::PersonState* state, bool gaps) {
  IOMHUB_RETURN_IF_ERROR(CheckBelongs(event, *state, gaps));
  if (state->person_id().empty()) {
    state->set_person_id(
        std::string(absl::string_view(event.stream()).substr(kPersonPrefix.size())));
  }
  ApplyPayload(event, state);
  if (state->events_folded() == 0) *state->mutable_first_occurred_at() = event.occurred_at();
  *state->mutable_last_occurred_at() = event.occurred_at();
  state->set_events_folded(state->events_folded() + 1);
  state->set_stream_version(event.stream_version());
  state->set_last_position(event.position());
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyToPersonState(const v1::Event& event, v1::PersonState* state) {
  return Apply(event, state, /*gaps=*/false);
}

absl::Status ApplyDisclosedToPersonState(const v1::Event& event, v1::PersonState* state) {
  return Apply(event, state, /*gaps=*/true);
}

absl::StatusOr<v1::PersonState> FoldPersonState(absl::Span<const v1::Event> events) {
  v1::PersonState state;
  for (const v1::Event& event : events) {
    IOMHUB_RETURN_IF_ERROR(ApplyToPersonState(event, &state));
  }
  return state;
}

std::optional<std::string> TeamAssignedBy(const v1::Event& event) {
  std::string team;
  switch (event.payload_case()) {
    case v1::Event::kNominalReferred:
      team = event.nominal_referred().team_id();
      break;
    case v1::Event::kCohortSelected:
      team = event.cohort_selected().team_id();
      break;
    case v1::Event::kTeamChanged:
      team = event.team_changed().to_team_id();
      break;
    default:
      break;
  }
  if (team.empty()) return std::nullopt;
  return team;
}

const v1::PersonState::BreachConsideration* FindConsideration(const v1::PersonState& state,
                                                              absl::string_view id) {
  for (const auto& bc : state.breach_considerations()) {
    if (bc.consideration_id() == id) return &bc;
  }
  return nullptr;
}

}  // namespace iomhub::projections
