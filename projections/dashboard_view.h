// The dashboard projection ("dashboard_view"): what the IOM dashboard's
// aggregates are counted from (CaseService.GetDashboard). Keys (NUL-separated
// parts, as in the cohort view):
//   "p/<person_id>"               → v1::DashboardPerson  the person's facts
//   "t/<team_id>/<person_id>"     → ""                   team membership
//   "w/<team_id>/<iso week>"      → v1::DashboardTally   the team's week
// An event counts in the ISO week (Europe/London) it occurred in, for the
// team the person was in then — except a contact and its outcome, which
// count in the week the contact was scheduled for. People's states (on IOM,
// Fixed, accommodation, employment) are kept as weekly deltas, so a running
// sum gives any week's figure and a trend needs no snapshot per week.
// Merged identities are not folded together here (each stream counts as
// one person until its own events say otherwise).
#ifndef IOMHUB_PROJECTIONS_DASHBOARD_VIEW_H_
#define IOMHUB_PROJECTIONS_DASHBOARD_VIEW_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eventstore/view_store.h"
#include "iomhub/v1/dashboard_view.pb.h"
#include "projections/projection.h"

namespace iomhub::projections {

inline constexpr char kDashboardView[] = "dashboard_view";

class DashboardViewProjection final : public Projection {
 public:
  absl::string_view name() const override { return kDashboardView; }
  bool Wants(const eventstore::EventPeek& event) const override;
  absl::Status Apply(const v1::Event& event, ViewTxn& txn) const override;
};

// One team's part of the view: its people (on IOM or not) and its weeks,
// by ISO week label ("2026-W49" sorts in time order).
struct TeamDashboardData {
  std::vector<v1::DashboardPerson> people;
  std::map<std::string, v1::DashboardTally> weeks;
};

// Reads `team_id`'s part of the physical dashboard view `view`. DATA_LOSS if
// a stored record does not parse.
absl::StatusOr<TeamDashboardData> ReadTeamDashboard(eventstore::ViewStore& views,
                                                    const std::string& view,
                                                    const std::string& team_id);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_DASHBOARD_VIEW_H_
