#include "projections/calendar.h"

#include "absl/time/civil_time.h"
#include "common/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "projections/test_person_stream.h"

namespace iomhub::projections {
namespace {

using ::iomhub::projections::testing::London;
using ::iomhub::testing::IsOk;
using ::iomhub::testing::StatusIs;

absl::Time Utc(int y, int mo, int d, int h = 0, int mi = 0) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, 0), absl::UTCTimeZone());
}

IsoWeek Week(absl::Time t) {
  absl::StatusOr<IsoWeek> week = WeekOf(t);
  EXPECT_THAT(week, IsOk());
  return week.value_or(IsoWeek{});
}

TEST(Calendar, LondonTimeZoneLoads) { EXPECT_THAT(LondonTimeZone(), IsOk()); }

TEST(Calendar, SundayHalfPastElevenBstCountsInTheWeekItEnds) {
  // Sunday 14 June 2026, 23:30 BST (22:30 UTC).
  EXPECT_EQ(Week(London(2026, 6, 14, 23, 30)), (IsoWeek{2026, 24}));
}

TEST(Calendar, MondayHalfPastMidnightBstCountsInTheNextWeekThoughUtcIsStillSunday) {
  const absl::Time t = London(2026, 6, 15, 0, 30);
  ASSERT_EQ(t, Utc(2026, 6, 14, 23, 30));
  EXPECT_EQ(Week(t), (IsoWeek{2026, 25}));
}

TEST(Calendar, WeekHoldingTheLastSundayOfMarchIsAnHourShort) {
  // Clocks go forward at 01:00 GMT on Sunday 29 March 2026.
  const IsoWeek w13{2026, 13};
  absl::StatusOr<absl::Time> start = WeekStart(w13);
  absl::StatusOr<absl::Time> end = NextWeekStart(w13);
  ASSERT_THAT(start, IsOk());
  ASSERT_THAT(end, IsOk());
  EXPECT_EQ(*start, Utc(2026, 3, 23));       // Monday 00:00 GMT
  EXPECT_EQ(*end, Utc(2026, 3, 29, 23, 0));  // Monday 00:00 BST
  EXPECT_EQ(*end - *start, absl::Hours(7 * 24 - 1));
  EXPECT_EQ(Week(London(2026, 3, 29, 23, 30)), w13);
  EXPECT_EQ(Week(London(2026, 3, 30, 0, 30)), (IsoWeek{2026, 14}));
  EXPECT_EQ(Week(London(2026, 3, 22, 23, 30)), (IsoWeek{2026, 12}));
}

TEST(Calendar, WeekHoldingTheLastSundayOfOctoberIsAnHourLong) {
  // Clocks go back at 02:00 BST on Sunday 25 October 2026.
  const IsoWeek w43{2026, 43};
  absl::StatusOr<absl::Time> start = WeekStart(w43);
  absl::StatusOr<absl::Time> end = NextWeekStart(w43);
  ASSERT_THAT(start, IsOk());
  ASSERT_THAT(end, IsOk());
  EXPECT_EQ(*start, Utc(2026, 10, 18, 23, 0));  // Monday 00:00 BST
  EXPECT_EQ(*end, Utc(2026, 10, 26));           // Monday 00:00 GMT
  EXPECT_EQ(*end - *start, absl::Hours(7 * 24 + 1));
  EXPECT_EQ(Week(London(2026, 10, 19, 0, 30)), w43);  // Sunday 23:30 UTC
  EXPECT_EQ(Week(London(2026, 10, 25, 23, 30)), w43);
  EXPECT_EQ(Week(London(2026, 10, 26, 0, 30)), (IsoWeek{2026, 44}));
}

TEST(Calendar, TwentyEighthOfDecemberIsAlwaysInTheLastWeekOfItsYear) {
  EXPECT_EQ(Week(London(2025, 12, 28, 12)), (IsoWeek{2025, 52}));  // a Sunday
  EXPECT_EQ(Week(London(2026, 12, 28, 12)), (IsoWeek{2026, 53}));  // a Monday
  EXPECT_EQ(Week(London(2020, 12, 28, 12)), (IsoWeek{2020, 53}));
}

TEST(Calendar, LateDecemberCanBelongToWeekOneOfTheNextIsoYear) {
  // 1 January 2026 is a Thursday, so week 1 of 2026 starts on 29 December 2025.
  EXPECT_EQ(Week(London(2025, 12, 29, 0, 0)), (IsoWeek{2026, 1}));
  EXPECT_EQ(Week(London(2025, 12, 31, 23, 59)), (IsoWeek{2026, 1}));
  EXPECT_EQ(Week(London(2024, 12, 30, 9)), (IsoWeek{2025, 1}));
}

TEST(Calendar, FirstToThirdOfJanuaryCanBelongToTheLastWeekOfThePreviousIsoYear) {
  // 1 January 2027 is a Friday: 1-3 January are in week 53 of 2026.
  EXPECT_EQ(Week(London(2027, 1, 1, 0, 0)), (IsoWeek{2026, 53}));
  EXPECT_EQ(Week(London(2027, 1, 3, 23, 59)), (IsoWeek{2026, 53}));
  EXPECT_EQ(Week(London(2027, 1, 4, 0, 0)), (IsoWeek{2027, 1}));
  // 2021 likewise, into week 53 of 2020.
  EXPECT_EQ(Week(London(2021, 1, 1, 12)), (IsoWeek{2020, 53}));
  EXPECT_EQ(Week(London(2021, 1, 4, 12)), (IsoWeek{2021, 1}));
}

TEST(Calendar, FirstToFourthOfJanuaryAreInWeekOneWhenTheYearStartsOnThursday) {
  for (int day = 1; day <= 4; ++day) {
    EXPECT_EQ(Week(London(2026, 1, day, 12)), (IsoWeek{2026, 1})) << day;
  }
  EXPECT_EQ(Week(London(2026, 1, 5, 0, 0)), (IsoWeek{2026, 2}));
}

TEST(Calendar, IsoYearsHaveFiftyTwoOrFiftyThreeWeeks) {
  EXPECT_EQ(WeeksInIsoYear(2020), 53);
  EXPECT_EQ(WeeksInIsoYear(2025), 52);
  EXPECT_EQ(WeeksInIsoYear(2026), 53);
  EXPECT_EQ(WeeksInIsoYear(2027), 52);
}

TEST(Calendar, EveryWeekStartsOnMondayMidnightLondonAndHoldsItsWholeSpan) {
  absl::StatusOr<absl::TimeZone> tz = LondonTimeZone();
  ASSERT_THAT(tz, IsOk());
  for (int year = 2019; year <= 2031; ++year) {
    for (int w = 1; w <= WeeksInIsoYear(year); ++w) {
      const IsoWeek week{year, w};
      absl::StatusOr<absl::Time> start = WeekStart(week);
      absl::StatusOr<absl::Time> end = NextWeekStart(week);
      ASSERT_THAT(start, IsOk());
      ASSERT_THAT(end, IsOk());
      const absl::CivilSecond local = absl::ToCivilSecond(*start, *tz);
      EXPECT_EQ(absl::GetWeekday(local), absl::Weekday::monday) << WeekLabel(week);
      EXPECT_EQ(local, absl::CivilSecond(absl::CivilDay(local))) << WeekLabel(week);
      EXPECT_EQ(Week(*start), week);
      EXPECT_EQ(Week(*end - absl::Nanoseconds(1)), week);
    }
  }
}

TEST(Calendar, AWeekTheYearDoesNotHaveIsInvalidArgument) {
  EXPECT_THAT(WeekStart({2025, 53}), StatusIs(absl::StatusCode::kInvalidArgument, "no week 53"));
  EXPECT_THAT(NextWeekStart({2026, 0}), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WeekStart({2026, 53}), IsOk());
}

TEST(Calendar, AnInfiniteTimeHasNoWeek) {
  EXPECT_THAT(WeekOf(absl::InfiniteFuture()), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(WeekOf(absl::InfinitePast()), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Calendar, WeekLabelIsIsoYearDashWAndTwoDigitWeek) {
  EXPECT_EQ(WeekLabel({2026, 5}), "2026-W05");
  EXPECT_EQ(WeekLabel({2026, 48}), "2026-W48");
  EXPECT_EQ(WeekLabel({2026, 53}), "2026-W53");
}

TEST(Calendar, ParseWeekLabelReadsBackWhatWeekLabelWrites) {
  for (IsoWeek week : {IsoWeek{2026, 1}, IsoWeek{2026, 48}, IsoWeek{2026, 53}, IsoWeek{2027, 9}}) {
    EXPECT_EQ(ParseWeekLabel(WeekLabel(week)), week) << WeekLabel(week);
  }
  // Not a week label, or a week the year does not have (2027 has 52).
  for (const char* label : {"", "2026-W5", "2026W05", "2026-w05", "2026-W00", "2027-W53",
                            "2026-W+5", "+026-W05", "2026-12-06"}) {
    EXPECT_EQ(ParseWeekLabel(label), std::nullopt) << label;
  }
}

TEST(Calendar, WeeksStepAcrossIsoYears) {
  EXPECT_EQ(FollowingWeek({2026, 52}), (IsoWeek{2026, 53}));
  EXPECT_EQ(FollowingWeek({2026, 53}), (IsoWeek{2027, 1}));
  EXPECT_EQ(PreviousWeek({2027, 1}), (IsoWeek{2026, 53}));
  EXPECT_EQ(PreviousWeek({2026, 10}), (IsoWeek{2026, 9}));
  EXPECT_TRUE(Before({2026, 53}, {2027, 1}));
  EXPECT_FALSE(Before({2027, 1}, {2027, 1}));
}

TEST(Calendar, LondonDayFollowsSummerTime) {
  // 23:30 UTC on 30 June is already 1 July in London (BST).
  EXPECT_EQ(*LondonDayOf(Utc(2026, 6, 30, 23, 30)), absl::CivilDay(2026, 7, 1));
  EXPECT_EQ(*LondonDayOf(Utc(2026, 12, 31, 23, 30)), absl::CivilDay(2026, 12, 31));
  EXPECT_EQ(*LondonDayStart(absl::CivilDay(2026, 7, 1)), Utc(2026, 6, 30, 23, 0));
  EXPECT_EQ(DayLabel(absl::CivilDay(2026, 7, 1)), "2026-07-01");
}

TEST(WorkingCalendar, FiveWorkingDaysFromMondayEndWithTheNextMonday) {
  const WorkingCalendar calendar;
  // Monday 7 December 2026, 10:00: Tue..Mon are the five working days.
  EXPECT_EQ(*calendar.EndOfWorkingDays(London(2026, 12, 7, 10, 0), 5), London(2026, 12, 15, 0, 0));
  // Saturday: counting starts on Monday, so due by the end of Friday.
  EXPECT_EQ(*calendar.EndOfWorkingDays(London(2026, 12, 12, 9, 0), 5), London(2026, 12, 19, 0, 0));
}

TEST(WorkingCalendar, BankHolidaysAreNotWorkingDays) {
  const WorkingCalendar calendar({absl::CivilDay(2026, 12, 25), absl::CivilDay(2026, 12, 28),
                                  absl::CivilDay(2027, 1, 1)});
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2026, 12, 25)));
  EXPECT_FALSE(calendar.IsWorkingDay(absl::CivilDay(2026, 12, 26)));  // Saturday
  EXPECT_TRUE(calendar.IsWorkingDay(absl::CivilDay(2026, 12, 24)));
  // Sent Wednesday 23 December: 24, 29, 30, 31 December and 4 January.
  EXPECT_EQ(*calendar.EndOfWorkingDays(London(2026, 12, 23, 16, 0), 5), London(2027, 1, 5, 0, 0));
  // Without the holidays: 24, 25, 28, 29, 30 December.
  EXPECT_EQ(*WorkingCalendar().EndOfWorkingDays(London(2026, 12, 23, 16, 0), 5),
            London(2026, 12, 31, 0, 0));
}

TEST(WorkingCalendar, DueTimesAreLondonMidnightInSummerToo) {
  // Friday 26 June 2026 14:00 BST + 1 working day: due by the end of Monday 29 June (London).
  EXPECT_EQ(*WorkingCalendar().EndOfWorkingDays(London(2026, 6, 26, 14, 0), 1),
            Utc(2026, 6, 29, 23, 0));
}

}  // namespace
TEST(ParseDate, AcceptsRealDatesInIsoForm) {
  EXPECT_EQ(ParseDate("2026-04-01"), absl::CivilDay(2026, 4, 1));
  EXPECT_EQ(ParseDate("2028-02-29"), absl::CivilDay(2028, 2, 29));
}

TEST(ParseDate, RefusesAnythingElse) {
  for (const char* text :
       {"", "2026-02-29", "2026-13-01", "2026-00-10", "2026-04-31", "2026-4-01", "2026/04/01",
        "+026-04-01", " 2026-04-01", "2026-04-01 ", "2026-04-011", "20260401", "2026-04-0x"}) {
    EXPECT_EQ(ParseDate(text), std::nullopt) << '"' << text << '"';
  }
}

}  // namespace iomhub::projections
