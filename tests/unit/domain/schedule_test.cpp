// Meeting schedules in IANA time zones, across daylight-saving changes.

#include "domain/schedule.h"

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"

namespace hubtable::domain {
namespace {

std::int64_t utc(int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMicros(
      absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone()));
}

Schedule tue_thu_toronto() {
  return *Schedule::make("America/Toronto", {{4, 600, 90}, {2, 600, 90}});
}

TEST(Schedule, TenOClockStaysTenOClockWhenDaylightSavingEnds) {
  // Clocks in Toronto go back on Sunday 1 November 2026.
  const auto next = tue_thu_toronto().upcoming(utc(2026, 10, 26, 12, 0), 4);
  ASSERT_EQ(next.size(), 4u);
  EXPECT_EQ(next[0].start_us, utc(2026, 10, 27, 14, 0));  // 10:00 EDT
  EXPECT_EQ(next[1].start_us, utc(2026, 10, 29, 14, 0));
  EXPECT_EQ(next[2].start_us, utc(2026, 11, 3, 15, 0));  // 10:00 EST
  EXPECT_EQ(next[3].start_us, utc(2026, 11, 5, 15, 0));
  EXPECT_EQ(next[0].local_start, "Tue 2026-10-27 10:00 EDT");
  EXPECT_EQ(next[2].local_start, "Tue 2026-11-03 10:00 EST");
  EXPECT_EQ(next[2].id_suffix, "20261103-1000");
  EXPECT_EQ(next[2].duration_minutes, 90);
}

TEST(Schedule, TenOClockStaysTenOClockWhenDaylightSavingBegins) {
  // Clocks in Toronto go forward on Sunday 8 March 2026.
  const auto next = tue_thu_toronto().upcoming(utc(2026, 3, 5, 16, 0), 2);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].start_us, utc(2026, 3, 10, 14, 0));  // Tue, 10:00 EDT
  EXPECT_EQ(next[1].start_us, utc(2026, 3, 12, 14, 0));
}

TEST(Schedule, AStartInsideTheSpringGapFallsAfterIt) {
  // 02:30 does not exist on 8 March 2026 in Toronto: the meeting starts the
  // moment the clocks jump, 03:00 EDT (the first instant not before 02:30).
  auto sched = *Schedule::make("America/Toronto", {{7, 150, 60}});
  const auto next = sched.upcoming(utc(2026, 3, 7, 0, 0), 2);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].start_us, utc(2026, 3, 8, 7, 0));
  EXPECT_EQ(next[0].local_start, "Sun 2026-03-08 03:00 EDT");
  EXPECT_EQ(next[1].start_us, utc(2026, 3, 15, 6, 30));  // 02:30 EDT the week after
}

TEST(Schedule, AZoneWithoutDaylightSavingKeepsItsOffset) {
  auto sched = *Schedule::make("America/Regina", {{3, 810, 60}});
  const auto next = sched.upcoming(utc(2026, 10, 26, 0, 0), 2);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].start_us, utc(2026, 10, 28, 19, 30));
  EXPECT_EQ(next[1].start_us, utc(2026, 11, 4, 19, 30));
  EXPECT_EQ(next[0].local_start, "Wed 2026-10-28 13:30 CST");
}

TEST(Schedule, UpcomingStartsAtTheGivenInstantAndIsOrdered) {
  auto sched = tue_thu_toronto();
  const std::int64_t start = utc(2026, 11, 24, 15, 0);  // exactly Tue 10:00 EST
  const auto next = sched.upcoming(start, 10);
  ASSERT_EQ(next.size(), 10u);
  EXPECT_EQ(next.front().start_us, start);
  for (std::size_t i = 1; i < next.size(); ++i) EXPECT_LT(next[i - 1].start_us, next[i].start_us);
  EXPECT_TRUE(sched.upcoming(start, 0).empty());
}

TEST(Schedule, AMeetingOpensFromHalfAnHourBeforeItsStartUntilItsEnd) {
  auto sched = tue_thu_toronto();
  EXPECT_FALSE(sched.openable(utc(2026, 11, 24, 14, 29)).has_value());
  auto early = sched.openable(utc(2026, 11, 24, 14, 30));
  ASSERT_TRUE(early.has_value());
  EXPECT_EQ(early->start_us, utc(2026, 11, 24, 15, 0));
  EXPECT_TRUE(sched.openable(utc(2026, 11, 24, 16, 29)).has_value());
  EXPECT_FALSE(sched.openable(utc(2026, 11, 24, 16, 30)).has_value());  // 11:30, it has ended
  EXPECT_FALSE(sched.openable(utc(2026, 11, 25, 15, 0)).has_value());   // Wednesday
}

TEST(Schedule, ALateEveningMeetingCanBeOpenedAfterMidnight) {
  auto sched = *Schedule::make("America/Toronto", {{5, 23 * 60 + 30, 90}});  // Fri 23:30
  auto o = sched.openable(utc(2026, 11, 28, 5, 30));                         // Sat 00:30 EST
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->local_start, "Fri 2026-11-27 23:30 EST");
}

TEST(Schedule, AnExtraMeetingStartsNowToTheMinuteWithTheUsualLength) {
  auto sched = tue_thu_toronto();
  auto o = sched.extra(utc(2026, 11, 22, 19, 37) + 42'000'000);
  EXPECT_EQ(o.start_us, utc(2026, 11, 22, 19, 37));
  EXPECT_EQ(o.local_start, "Sun 2026-11-22 14:37 EST");
  EXPECT_EQ(meeting_id("t1", o), "t1-20261122-1437");
  EXPECT_EQ(o.duration_minutes, 90);
}

TEST(Schedule, RefusesUnknownZonesAndEmptyOrBadSlots) {
  EXPECT_FALSE(Schedule::make("Mars/Olympus_Mons", {{2, 600, 90}}).ok());
  EXPECT_FALSE(Schedule::make("", {{2, 600, 90}}).ok());
  EXPECT_FALSE(Schedule::make("America/Toronto", {}).ok());
  EXPECT_FALSE(Schedule::make("America/Toronto", {{8, 600, 90}}).ok());
  EXPECT_FALSE(Schedule::make("America/Toronto", {{2, 1440, 90}}).ok());
  EXPECT_FALSE(Schedule::make("America/Toronto", {{2, 600, 10}}).ok());
}

}  // namespace
}  // namespace hubtable::domain
