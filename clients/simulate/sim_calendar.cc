#include "clients/simulate/sim_calendar.h"

namespace iomhub::simulate {
namespace {

using absl::CivilDay;
using absl::Weekday;

CivilDay Easter(absl::civil_year_t y) {
  // The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const int64_t a = y % 19, b = y / 100, c = y % 100, d = b / 4, e = b % 4;
  const int64_t f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int64_t h = (19 * a + b - d - g + 15) % 30;
  const int64_t i = c / 4, k = c % 4;
  const int64_t l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int64_t m = (a + 11 * h + 22 * l) / 451;
  const int64_t month = (h + l - 7 * m + 114) / 31;
  const int64_t day = (h + l - 7 * m + 114) % 31 + 1;
  return CivilDay(y, static_cast<int>(month), static_cast<int>(day));
}

// The first Monday on or after `day`.
CivilDay MondayOnOrAfter(CivilDay day) {
  while (absl::GetWeekday(day) != Weekday::monday) ++day;
  return day;
}

// The last Monday on or before `day`.
CivilDay MondayOnOrBefore(CivilDay day) {
  while (absl::GetWeekday(day) != Weekday::monday) --day;
  return day;
}

bool IsWeekend(CivilDay day) {
  const Weekday w = absl::GetWeekday(day);
  return w == Weekday::saturday || w == Weekday::sunday;
}

}  // namespace

const absl::TimeZone& London() {
  static const absl::TimeZone* zone = [] {
    auto* tz = new absl::TimeZone;
    if (!absl::LoadTimeZone("Europe/London", tz)) *tz = absl::UTCTimeZone();
    return tz;
  }();
  return *zone;
}

bool IsBankHoliday(CivilDay day) {
  const absl::civil_year_t y = day.year();
  // New Year's Day, or the Monday after when it falls at a weekend.
  CivilDay new_year(y, 1, 1);
  if (IsWeekend(new_year)) new_year = MondayOnOrAfter(new_year);
  if (day == new_year) return true;
  const CivilDay easter = Easter(y);
  if (day == easter - 2 || day == easter + 1) return true;
  if (day == MondayOnOrAfter(CivilDay(y, 5, 1))) return true;    // early May
  if (day == MondayOnOrBefore(CivilDay(y, 5, 31))) return true;  // spring
  if (day == MondayOnOrBefore(CivilDay(y, 8, 31))) return true;  // summer
  if (day.month() != 12 || day.day() < 25 || day.day() > 28) return false;
  // Christmas and Boxing Day with their substitutes.
  switch (absl::GetWeekday(CivilDay(y, 12, 25))) {
    case Weekday::friday:
      return day.day() == 25 || day.day() == 28;
    case Weekday::saturday:
      return day.day() == 27 || day.day() == 28;
    case Weekday::sunday:
      return day.day() == 26 || day.day() == 27;
    default:
      return day.day() == 25 || day.day() == 26;
  }
}

bool IsWorkingDay(CivilDay day) { return !IsWeekend(day) && !IsBankHoliday(day); }

CivilDay AddWorkingDays(CivilDay day, int n) {
  while (n > 0) {
    ++day;
    if (IsWorkingDay(day)) --n;
  }
  return day;
}

CivilDay NextWorkingDay(CivilDay day) {
  while (!IsWorkingDay(day)) ++day;
  return day;
}

int WorkingDaysBetween(CivilDay from, CivilDay to) {
  int n = 0;
  for (CivilDay d = from + 1; d <= to; ++d) n += IsWorkingDay(d) ? 1 : 0;
  return n;
}

absl::Time AtLondon(CivilDay day, int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), hour, minute),
                         London());
}

CivilDay LondonDay(absl::Time t) { return absl::ToCivilDay(t, London()); }

CivilDay MondayOf(CivilDay day) { return MondayOnOrBefore(day); }

}  // namespace iomhub::simulate
