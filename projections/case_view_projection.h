// The case view projection ("case_view"): one v1::PersonState per person,
// key = the person's uuid, the fold of their stream (person_state.h),
// stored split (split_record.h): a head and one key per contact, arrest,
// referral..., so an event writes what it adds, not the person's history.
// CaseService renders it as a v1::CaseView at query time (case_view.h), so
// time-dependent figures (this week's contacts, overdue referrals) are never
// stored and a rebuild is byte-identical.
#ifndef IOMHUB_PROJECTIONS_CASE_VIEW_PROJECTION_H_
#define IOMHUB_PROJECTIONS_CASE_VIEW_PROJECTION_H_

#include <string>

#include "absl/status/statusor.h"
#include "eventstore/view_store.h"
#include "iomhub/v1/person_state.pb.h"
#include "projections/projection.h"
#include "projections/split_record.h"

namespace iomhub::projections {

inline constexpr char kCaseView[] = "case_view";

class CaseViewProjection final : public Projection {
 public:
  absl::string_view name() const override { return kCaseView; }
  bool PartitionedByStream() const override { return true; }
  absl::Status Apply(const v1::Event& event, ViewTxn& txn) const override;
};

// How a PersonState is stored: every repeated message field per item.
const SplitLayout& PersonStateLayout();

// The uuid of a "person-<uuid>" stream. REQUIRES: IsPersonStream(stream).
std::string PersonIdOf(absl::string_view stream);

// The stored state of `person_id` in the physical case view `view`, or
// NOT_FOUND. DATA_LOSS if it does not parse.
absl::StatusOr<v1::PersonState> ReadPersonState(eventstore::ViewStore& views,
                                                const std::string& view,
                                                const std::string& person_id);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_CASE_VIEW_PROJECTION_H_
