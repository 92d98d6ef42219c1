#include "projections/case_view_projection.h"

#include "absl/strings/str_cat.h"
#include "projections/person_state.h"

namespace iomhub::projections {

std::string PersonIdOf(absl::string_view stream) { return std::string(PersonIdIn(stream)); }

absl::Status CaseViewProjection::Apply(const v1::Event& event, ViewTxn& txn) const {
  absl::StatusOr<v1::PersonState*> state = txn.Mutable<v1::PersonState>(PersonIdOf(event.stream()));
  if (!state.ok()) return state.status();
  return ApplyToPersonState(event, *state);
}

absl::StatusOr<v1::PersonState> ReadPersonState(eventstore::ViewStore& views,
                                                const std::string& view,
                                                const std::string& person_id) {
  absl::StatusOr<std::optional<std::string>> stored = views.Get(view, person_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::NotFoundError(absl::StrCat("no person ", person_id, " in the case view"));
  }
  v1::PersonState state;
  if (!state.ParseFromString(**stored)) {
    return absl::DataLossError(
        absl::StrCat("the case view of person ", person_id, " does not parse"));
  }
  return state;
}

}  // namespace iomhub::projections
