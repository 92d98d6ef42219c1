// The cohort view ("cohort_view"): which people each IOM team holds, so a
// team's cohort list is one ordered scan. Keys:
//   "t/<team_id>/<person_id>" → ""         membership
//   "m/<person_id>"           → team_id    the person's current team
// A person moves team when an event assigns another (TeamAssignedBy in
// person_state.h, the rule the fold uses too). CaseService joins each member
// with the case view to show cohort, strand and this week's contacts.
#ifndef IOMHUB_PROJECTIONS_COHORT_VIEW_H_
#define IOMHUB_PROJECTIONS_COHORT_VIEW_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eventstore/view_store.h"
#include "projections/projection.h"

namespace iomhub::projections {

inline constexpr char kCohortView[] = "cohort_view";

class CohortViewProjection final : public Projection {
 public:
  absl::string_view name() const override { return kCohortView; }
  // Only the events that can assign a team (TeamAssignedBy) are parsed.
  bool Wants(const eventstore::EventPeek& event) const override;
  bool PartitionedByStream() const override { return true; }
  absl::Status Apply(const v1::Event& event, ViewTxn& txn) const override;
};

// The person ids of `team_id`'s members, in id order, from the physical
// cohort view `view`.
absl::StatusOr<std::vector<std::string>> TeamMembers(eventstore::ViewStore& views,
                                                     const std::string& view,
                                                     const std::string& team_id);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_COHORT_VIEW_H_
