#include "projections/case_view_projection.h"

#include "absl/strings/str_cat.h"
#include "projections/person_state.h"

namespace iomhub::projections {

std::string PersonIdOf(absl::string_view stream) { return std::string(PersonIdIn(stream)); }

const SplitLayout& PersonStateLayout() {
  static const SplitLayout* const layout =
      new SplitLayout(SplitLayout::RepeatedMessagesOf(v1::PersonState::descriptor()));
  return *layout;
}

absl::Status CaseViewProjection::Apply(const v1::Event& event, ViewTxn& txn) const {
  absl::StatusOr<v1::PersonState*> state =
      txn.MutableSplit<v1::PersonState>(PersonIdOf(event.stream()), PersonStateLayout());
  if (!state.ok()) return state.status();
  return ApplyToPersonState(event, *state);
}

absl::StatusOr<v1::PersonState> ReadPersonState(eventstore::ViewStore& views,
                                                const std::string& view,
                                                const std::string& person_id) {
  v1::PersonState state;
  absl::StatusOr<bool> found = ReadSplit(views, view, person_id, PersonStateLayout(), &state);
  if (!found.ok()) {
    return absl::Status(found.status().code(), absl::StrCat("the case view of person ", person_id,
                                                            ": ", found.status().message()));
  }
  if (!*found) {
    return absl::NotFoundError(absl::StrCat("no person ", person_id, " in the case view"));
  }
  return state;
}

}  // namespace iomhub::projections
