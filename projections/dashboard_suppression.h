// Small-number suppression for the dashboard's aggregates: a count below
// kSuppressBelow (5) never leaves the hub, nor does a rate built on one,
// nor — where a table has a total — a lone suppressed cell that the total
// minus the other cells would give back. Counts of 0 are suppressed too:
// "none of the 4 people" tells as much as "3 of them".
#ifndef IOMHUB_PROJECTIONS_DASHBOARD_SUPPRESSION_H_
#define IOMHUB_PROJECTIONS_DASHBOARD_SUPPRESSION_H_

#include <cstdint>
#include <string>

#include "iomhub/v1/dashboard.pb.h"

namespace iomhub::projections {

inline constexpr uint32_t kSuppressBelow = 5;

// A count; suppressed (value 0) when below kSuppressBelow.
v1::DashboardCell CountCell(std::string key, std::string label, uint64_t count,
                            double reference = 0);

enum class RateKind {
  kAverage,  // numerator per denominator (contacts per person-week, mean days)
  kShare,    // a percentage of the denominator: its complement counts too
};

// scale × numerator / denominator, suppressed when the numerator or the
// denominator is below kSuppressBelow, or (a share) when fewer than
// kSuppressBelow are outside it — 96 % of 25 would tell that one person is not.
v1::DashboardCell RateCell(std::string key, std::string label, uint64_t numerator,
                           uint64_t denominator, RateKind kind, double scale = 100,
                           double reference = 0);

// Secondary suppression for a table whose cells partition its total: with
// exactly one cell suppressed, the smallest other one is suppressed as well
// (or, with no other, the total). Call after the table is complete.
void ProtectTotal(v1::DashboardTable& table);

// Suppresses `cell` in place.
void Suppress(v1::DashboardCell& cell);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_DASHBOARD_SUPPRESSION_H_
