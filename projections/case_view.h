// The case view: what a practitioner sees of one person at a moment `as_of`
// (v1::CaseView in proto/iomhub/v1/person_state.proto): the person's state
// plus figures derived for that moment.
//
// This week's contacts: the ISO week (Europe/London, calendar.h) holding
// as_of. A contact is *offered* when it was scheduled for a time in the week,
// in a mode the contact plan counts (every named mode when the plan lists
// none), and its outcome is not RESCHEDULED; it is *kept* when offered and
// attended (ATTENDED_COMPLIED or ATTENDED_FAILED_TO_COMPLY). An acceptable
// absence is offered but not kept. The minimum is the plan's; without a plan,
// 3 for a person on IOM in the Fixed cohort, otherwise 0. below_plan is
// offered < minimum.
//
// Open items at as_of: breach considerations not decided; referrals sent and
// not answered (age in whole 24-hour days since sent; overdue once as_of is
// past respond_by — a referral without respond_by is never overdue here);
// alerts raised and not resolved; warnings with liable_until after as_of.
//
// Pure: as_of is given, no clock is read; view_position is left 0 for the
// caller to set. Thread-safe: shares nothing.
#ifndef IOMHUB_PROJECTIONS_CASE_VIEW_H_
#define IOMHUB_PROJECTIONS_CASE_VIEW_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "iomhub/v1/person_state.pb.h"

namespace iomhub::projections {

// The contacts a week counts when no plan is set and the person is on IOM
// in the Fixed cohort (DOMAIN.md: at least 3 offered per week).
inline constexpr int kDefaultFixedContactsPerWeek = 3;

// This ISO week's contacts (the week holding `as_of`) against the plan, as
// the case view shows them; `default_minimum` is the minimum for a person
// on IOM in Fixed without a plan. `offered_positions`, if given, receives
// the log positions (ContactScheduled) of the contacts counted as offered.
absl::StatusOr<v1::CaseView::ContactWeek> ContactWeekAt(
    const v1::PersonState& state, absl::Time as_of,
    uint32_t default_minimum = kDefaultFixedContactsPerWeek,
    std::vector<uint64_t>* offered_positions = nullptr);

// Renders `state` as seen at `as_of`.
// INVALID_ARGUMENT if as_of is infinite; FAILED_PRECONDITION if the
// Europe/London time zone cannot be loaded (calendar.h).
absl::StatusOr<v1::CaseView> RenderCaseView(const v1::PersonState& state, absl::Time as_of);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_CASE_VIEW_H_
