// The alert rules projection ("alert_rules"): runs the alert rules over each
// person's stream as it grows and keeps, in its view,
//   "p/<person>"                              AlertTrack: the person's state
//                                             (the one fold, person_state.h)
//                                             and alerts decided, not yet in
//                                             the log;
//   "o/<position:20>/<n:3>"                   the outbox: each decided alert
//                                             event (serialized v1::Event), in
//                                             the order decided;
//   "d/<due unix seconds:20>/<person>/<rule>/<window>"
//                                             the deadline index: when a
//                                             time-driven alert falls due;
//   "f/<person>"                              the people on IOM in Fixed (the
//                                             week-end rule's population).
//
// Event-driven alerts are decided here, in Apply — purely, from the events —
// and written to the outbox with the batch's checkpoint, so a crash neither
// loses nor repeats a decision. The AlertRunner (alert_runner.h) appends the
// outbox to the log; when an alert event comes back through the log, Apply
// deletes it from the outbox. Time-driven alerts are raised by the
// AlertRunner from the deadline index and the Fixed index. A rebuild
// decides everything again with the same derived event ids, and the log
// stores each alert once.
#ifndef IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_PROJECTION_H_
#define IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_PROJECTION_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "eventstore/view_store.h"
#include "iomhub/v1/rules.pb.h"
#include "projections/alert_rules/rule_config.h"
#include "projections/projection.h"
#include "projections/split_record.h"
#include "projections/team_directory.h"

namespace iomhub::projections::alert_rules {

inline constexpr char kAlertRulesView[] = "alert_rules";

inline constexpr char kTrackPrefix[] = "p/";
inline constexpr char kOutboxPrefix[] = "o/";
inline constexpr char kDeadlinePrefix[] = "d/";
inline constexpr char kFixedPrefix[] = "f/";

class AlertRulesProjection final : public Projection {
 public:
  // `teams` is not owned and must outlive the projection.
  AlertRulesProjection(std::shared_ptr<const RuleConfig> config, const TeamDirectory* teams);

  absl::string_view name() const override { return kAlertRulesView; }
  bool PartitionedByStream() const override { return true; }
  absl::Status Apply(const v1::Event& event, ViewTxn& txn) const override;

 private:
  const std::shared_ptr<const RuleConfig> config_;
  const TeamDirectory* const teams_;
};

// The parameters for a person: those of their team's area.
const Parameters& ParametersFor(const RuleConfig& config, const TeamDirectory& teams,
                                const v1::PersonState& state);

// How an AlertTrack is stored: its person's lists per item (split_record.h).
const SplitLayout& AlertTrackLayout();

// The stored track of `person_id` in the physical view `view`, or NOT_FOUND.
absl::StatusOr<v1::AlertTrack> ReadTrack(eventstore::ViewStore& views, const std::string& view,
                                         const std::string& person_id);

// The person id a deadline or Fixed index key names.
std::string PersonOfIndexKey(absl::string_view key);

}  // namespace iomhub::projections::alert_rules

#endif  // IOMHUB_PROJECTIONS_ALERT_RULES_ALERT_RULES_PROJECTION_H_
