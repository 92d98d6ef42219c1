// The simulated partnership's clock and calendar: local time in
// Europe/London, and the working days of England and Wales (weekends and
// bank holidays excluded), as the hub's rules count them (DOMAIN.md "Clock
// and calendar"). Bank holidays are computed from their rules (New Year,
// Good Friday, Easter Monday, the early May, spring and summer holidays,
// Christmas and Boxing Day, with the usual substitute days), so any year
// works; one-off holidays (a coronation, a jubilee) are not known.
//
// Pure functions; thread-safe.
#ifndef IOMHUB_CLIENTS_SIMULATE_SIM_CALENDAR_H_
#define IOMHUB_CLIENTS_SIMULATE_SIM_CALENDAR_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace iomhub::simulate {

// Europe/London (UTC if the time zone database is missing).
const absl::TimeZone& London();

bool IsBankHoliday(absl::CivilDay day);
// Monday to Friday and not a bank holiday.
bool IsWorkingDay(absl::CivilDay day);
// The `n`th working day after `day` (n >= 1), or `day` itself when n <= 0.
absl::CivilDay AddWorkingDays(absl::CivilDay day, int n);
// The first working day on or after `day`.
absl::CivilDay NextWorkingDay(absl::CivilDay day);
// Working days in (from, to]: 0 when to <= from.
int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to);

// `day` at hour:minute, London time.
absl::Time AtLondon(absl::CivilDay day, int hour, int minute = 0);
// The London calendar day of `t`.
absl::CivilDay LondonDay(absl::Time t);
// The Monday of `day`'s ISO week.
absl::CivilDay MondayOf(absl::CivilDay day);

}  // namespace iomhub::simulate

#endif  // IOMHUB_CLIENTS_SIMULATE_SIM_CALENDAR_H_
