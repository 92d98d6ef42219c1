// The decisions board view ("decisions_board"): which breach considerations
// each IOM team has, open or closed, so a team's board is one ordered scan.
// Keys:
//   "t/<team_id>/<person_id>/<consideration_id>" → "open" | "closed"
//   "m/<person_id>"                              → BoardTrack: the person's team
//                                                  and considerations
// A consideration is open from BreachConsiderationOpened until a
// JointDecisionRecorded or BreachConsiderationWithdrawn; a person's entries
// move with them when an event assigns another team (TeamAssignedBy, the
// rule the fold and the cohort view use). CaseService.GetDecisionsBoard
// joins each entry with the case view for its positions, escalation and
// decision (the one fold of the person's stream).
#ifndef IOMHUB_PROJECTIONS_DECISIONS_BOARD_H_
#define IOMHUB_PROJECTIONS_DECISIONS_BOARD_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "eventstore/view_store.h"
#include "projections/projection.h"

namespace iomhub::projections {

inline constexpr char kDecisionsBoard[] = "decisions_board";

class DecisionsBoardProjection final : public Projection {
 public:
  absl::string_view name() const override { return kDecisionsBoard; }
  // Team assignments and the steps that open and close a consideration.
  bool Wants(const eventstore::EventPeek& event) const override;
  bool PartitionedByStream() const override { return true; }
  absl::Status Apply(const v1::Event& event, ViewTxn& txn) const override;
};

struct BoardEntry {
  std::string person_id;
  std::string consideration_id;
  bool open = false;
};

// `team_id`'s considerations in the physical view `view`, by person id then
// consideration id.
absl::StatusOr<std::vector<BoardEntry>> TeamBoard(eventstore::ViewStore& views,
                                                  const std::string& view,
                                                  const std::string& team_id);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_DECISIONS_BOARD_H_
