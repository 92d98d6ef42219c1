#include "projections/calendar.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace iomhub::projections {
namespace {

constexpr char kLondon[] = "Europe/London";

static_assert(static_cast<int>(absl::Weekday::monday) == 0 &&
              static_cast<int>(absl::Weekday::sunday) == 6);

// Days since Monday: Monday 0 .. Sunday 6.
int DaysSinceMonday(absl::CivilDay day) { return static_cast<int>(absl::GetWeekday(day)); }

// The ISO week of a civil day: the week's Thursday decides the year.
IsoWeek IsoWeekOfDay(absl::CivilDay day) {
  const absl::CivilDay thursday = day + (3 - DaysSinceMonday(day));
  return IsoWeek{.year = static_cast<int>(thursday.year()),
                 .week = (absl::GetYearDay(thursday) - 1) / 7 + 1};
}

// Monday of week 1: the week that holds 4 January.
absl::CivilDay FirstMonday(int year) {
  const absl::CivilDay jan4(year, 1, 4);
  return jan4 - DaysSinceMonday(jan4);
}

absl::Status CheckWeek(IsoWeek week) {
  if (week.week < 1 || week.week > WeeksInIsoYear(week.year)) {
    return absl::InvalidArgumentError(absl::StrCat("ISO year ", week.year, " has no week ",
                                                   week.week, " (it has 1..",
                                                   WeeksInIsoYear(week.year), ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Time> MondayStart(IsoWeek week, int weeks_later) {
  if (absl::Status s = CheckWeek(week); !s.ok()) return s;
  absl::StatusOr<absl::TimeZone> tz = LondonTimeZone();
  if (!tz.ok()) return tz.status();
  const absl::CivilDay monday = FirstMonday(week.year) + 7 * (week.week - 1 + weeks_later);
  // Monday 00:00 is never skipped or repeated in London (the clocks change at
  // 01:00 UTC on Sundays), so the conversion is unique.
  return absl::FromCivil(absl::CivilSecond(monday), *tz);
}

}  // namespace

absl::StatusOr<absl::TimeZone> LondonTimeZone() {
  // Loaded once; function-local static initialisation is thread-safe.
  static const absl::StatusOr<absl::TimeZone>* const kZone = [] {
    absl::TimeZone tz;
    if (!absl::LoadTimeZone(kLondon, &tz)) {
      return new absl::StatusOr<absl::TimeZone>(absl::FailedPreconditionError(absl::StrCat(
          "cannot load time zone ", kLondon,
          " (install tzdata, /usr/share/zoneinfo); weeks are never computed in UTC instead")));
    }
    return new absl::StatusOr<absl::TimeZone>(tz);
  }();
  return *kZone;
}

absl::StatusOr<IsoWeek> WeekOf(absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    return absl::InvalidArgumentError("an infinite time has no ISO week");
  }
  absl::StatusOr<absl::TimeZone> tz = LondonTimeZone();
  if (!tz.ok()) return tz.status();
  return IsoWeekOfDay(absl::ToCivilDay(t, *tz));
}

absl::StatusOr<absl::Time> WeekStart(IsoWeek week) { return MondayStart(week, 0); }

absl::StatusOr<absl::Time> NextWeekStart(IsoWeek week) { return MondayStart(week, 1); }

int WeeksInIsoYear(int year) {
  // 28 December is always in the last week of its ISO year.
  return IsoWeekOfDay(absl::CivilDay(year, 12, 28)).week;
}

std::string WeekLabel(IsoWeek week) { return absl::StrFormat("%04d-W%02d", week.year, week.week); }

std::optional<IsoWeek> ParseWeekLabel(absl::string_view label) {
  IsoWeek week;
  if (label.size() != 8 || label[4] != '-' || label[5] != 'W' ||
      !std::all_of(label.begin(), label.begin() + 4, absl::ascii_isdigit) ||
      !std::all_of(label.begin() + 6, label.end(), absl::ascii_isdigit) ||
      !absl::SimpleAtoi(label.substr(0, 4), &week.year) ||
      !absl::SimpleAtoi(label.substr(6), &week.week) || week.week < 1 ||
      week.week > WeeksInIsoYear(week.year)) {
    return std::nullopt;
  }
  return week;
}

IsoWeek PreviousWeek(IsoWeek week) {
  if (week.week > 1) return {week.year, week.week - 1};
  return {week.year - 1, WeeksInIsoYear(week.year - 1)};
}

IsoWeek FollowingWeek(IsoWeek week) {
  if (week.week < WeeksInIsoYear(week.year)) return {week.year, week.week + 1};
  return {week.year + 1, 1};
}

bool Before(IsoWeek a, IsoWeek b) {
  return a.year != b.year ? a.year < b.year : a.week < b.week;
}

absl::StatusOr<absl::CivilDay> LondonDayOf(absl::Time t) {
  if (t == absl::InfiniteFuture() || t == absl::InfinitePast()) {
    return absl::InvalidArgumentError("an infinite time has no calendar day");
  }
  absl::StatusOr<absl::TimeZone> tz = LondonTimeZone();
  if (!tz.ok()) return tz.status();
  return absl::ToCivilDay(t, *tz);
}

absl::StatusOr<absl::Time> LondonDayStart(absl::CivilDay day) {
  absl::StatusOr<absl::TimeZone> tz = LondonTimeZone();
  if (!tz.ok()) return tz.status();
  // 00:00 is never skipped or repeated in London (the clocks change at 01:00 UTC).
  return absl::FromCivil(absl::CivilSecond(day), *tz);
}

std::string DayLabel(absl::CivilDay day) { return absl::FormatCivilTime(day); }

std::optional<absl::CivilDay> ParseDate(absl::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto number = [text](size_t pos, size_t size) -> std::optional<int> {
    int value = 0;
    for (char c : text.substr(pos, size)) {
      if (!absl::ascii_isdigit(c)) return std::nullopt;
      value = value * 10 + (c - '0');
    }
    return value;
  };
  const auto year = number(0, 4), month = number(5, 2), day = number(8, 2);
  if (!year || !month || !day) return std::nullopt;
  // CivilDay normalizes 2026-02-30 to 2026-03-02: a real date survives unchanged.
  const absl::CivilDay date(*year, *month, *day);
  if (date.year() != *year || date.month() != *month || date.day() != *day) return std::nullopt;
  return date;
}

WorkingCalendar::WorkingCalendar(const std::vector<absl::CivilDay>& bank_holidays)
    : holidays_(bank_holidays.begin(), bank_holidays.end()) {}

bool WorkingCalendar::IsWorkingDay(absl::CivilDay day) const {
  return DaysSinceMonday(day) < 5 && !holidays_.contains(day);
}

absl::StatusOr<absl::Time> WorkingCalendar::EndOfWorkingDays(absl::Time t, int n) const {
  absl::StatusOr<absl::CivilDay> day = LondonDayOf(t);
  if (!day.ok()) return day.status();
  for (int counted = 0; counted < std::max(n, 1);) {
    day = *day + 1;
    if (IsWorkingDay(*day)) ++counted;
  }
  return LondonDayStart(*day + 1);
}

}  // namespace iomhub::projections
