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

#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
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
// The week a WeekLabel names ("2026-W05": four-digit year, a week the year
// has), or nullopt.
std::optional<IsoWeek> ParseWeekLabel(absl::string_view label);

// The week before / after `week` (across ISO years).
IsoWeek PreviousWeek(IsoWeek week);
IsoWeek FollowingWeek(IsoWeek week);
// True if `a` is earlier than `b`.
bool Before(IsoWeek a, IsoWeek b);

// The London calendar day of `t`, and the instant a London day starts
// (00:00 local, which the clock changes never skip). FAILED_PRECONDITION as
// above; INVALID_ARGUMENT for an infinite time.
absl::StatusOr<absl::CivilDay> LondonDayOf(absl::Time t);
absl::StatusOr<absl::Time> LondonDayStart(absl::CivilDay day);
// "2026-12-06".
std::string DayLabel(absl::CivilDay day);

// "YYYY-MM-DD" (exactly that form, a real date), or nullopt.
std::optional<absl::CivilDay> ParseDate(absl::string_view text);

// Working days in England and Wales: Monday to Friday, except the bank
// holidays it is given (configuration: they change by proclamation).
// Immutable; thread-safe.
class WorkingCalendar {
 public:
  WorkingCalendar() = default;
  explicit WorkingCalendar(const std::vector<absl::CivilDay>& bank_holidays);

  bool IsWorkingDay(absl::CivilDay day) const;

  // When "within n working days" of `t` ends: 00:00 London after the n-th
  // working day that follows t's London day (the day itself does not
  // count). Sent on a Monday with n = 5: due by the end of the next Monday;
  // sent on a Saturday: by the end of the next Friday. REQUIRES: n >= 1.
  absl::StatusOr<absl::Time> EndOfWorkingDays(absl::Time t, int n) const;

 private:
  absl::flat_hash_set<absl::CivilDay> holidays_;
};

}  // namespace iomhub::projections

#endif  // IOMHUB_PROJECTIONS_CALENDAR_H_
