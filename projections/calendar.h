// The hub's calendar: ISO 8601 weeks in Europe/London local time.
//
// A week runs from Monday 00:00 London time (GMT or BST, whichever is in
// force) to the next Monday 00:00, so a contact at Sunday 23:30 BST belongs to
// the week it ends, although it is already Monday in UTC. Week 1 of an ISO year
// is the week with the year's first Thursday, so 29-31 December may belong to
// week 1 of the next year and 1-3 January to week 52 or 53 of the previous.
//
// Pure: no clock is read; the time zone rules come from the system's tzdata
// (/usr/share/zoneinfo), loaded once. If they cannot be loaded every function
// that needs them returns FAILED_PRECONDITION: the hub never silently falls
// back to UTC, which would move contacts between weeks for half the year.
//
// Thread-safe: all functions may be called concurrently.
#ifndef IOMHUB_PROJECTIONS_CALENDAR_H_
#define IOMHUB_PROJECTIONS_CALENDAR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace iomhub::projections {

// An ISO 8601 week: `year` is the ISO week-numbering year, which differs from
// the calendar year for a few days around New Year; `week` is 1..52 or 1..53.
struct IsoWeek {
  int year = 0;
  int week = 0;

  friend bool operator==(const IsoWeek&, const IsoWeek&) = default;
};

// The Europe/London zone. FAILED_PRECONDITION if tzdata cannot be loaded.
absl::StatusOr<absl::TimeZone> LondonTimeZone();

// The ISO week, in London local time, that contains `t`.
// INVALID_ARGUMENT if `t` is infinite; FAILED_PRECONDITION as above.
absl::StatusOr<IsoWeek> WeekOf(absl::Time t);

// The instant the week starts: its Monday 00:00 London time.
// INVALID_ARGUMENT if `week.week` is not a week of `week.year`.
absl::StatusOr<absl::Time> WeekStart(IsoWeek week);

// The instant the following week starts (the end, exclusive, of `week`).
// INVALID_ARGUMENT if `week.week` is not a week of `week.year`.
absl::StatusOr<absl::Time> NextWeekStart(IsoWeek week);

// 52 or 53: the number of ISO weeks in ISO year `year`.
int WeeksInIsoYear(int year);

// "2026-W05": the ISO 8601 week label (year at least 4 digits, week 2).
std::string WeekLabel(IsoWeek week);

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_CALENDAR_H_
