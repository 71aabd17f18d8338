// The alert rules' pure parts: working hours in a table's own time zone.

#include "domain/alerts.h"

#include <absl/time/civil_time.h>
#include <gtest/gtest.h>

namespace hubtable::domain {
namespace {

std::int64_t at(const char* zone, int y, int mo, int d, int h, int mi) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(zone, &tz));
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), tz));
}

absl::TimeZone zone(const char* name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz));
  return tz;
}

TEST(WorkingHours, ParsesARangeAndDayNames) {
  auto h = parse_working_hours("08:30-17:15", {"mon", "wed", "sun"});
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->start_minute, 8 * 60 + 30);
  EXPECT_EQ(h->end_minute, 17 * 60 + 15);
  EXPECT_EQ(h->days, 0b1000101U);
  auto all_day = parse_working_hours("00:00-24:00", {"sat"});
  ASSERT_TRUE(all_day.ok());
  EXPECT_EQ(all_day->end_minute, 24 * 60);
  for (const char* bad : {"", "8:30-17:00", "08:30", "17:00-08:30", "08:00-08:00", "25:00-26:00",
                          "08:60-09:00", "24:30-24:45", "ab:cd-ef:gh"}) {
    EXPECT_FALSE(parse_working_hours(bad, {"mon"}).ok()) << bad;
  }
  EXPECT_FALSE(parse_working_hours("08:00-17:00", {"monday"}).ok());
  EXPECT_FALSE(parse_working_hours("08:00-17:00", {}).ok());
}

TEST(WorkingHours, AreJudgedInTheTablesOwnTimeZone) {
  const WorkingHours h;  // Monday to Friday, 07:00 to 19:00
  const absl::TimeZone toronto = zone("America/Toronto");
  const absl::TimeZone regina = zone("America/Regina");
  // Tuesday 24 November 2026.
  EXPECT_TRUE(within_working_hours(h, toronto, at("America/Toronto", 2026, 11, 24, 7, 0)));
  EXPECT_TRUE(within_working_hours(h, toronto, at("America/Toronto", 2026, 11, 24, 18, 59)));
  EXPECT_FALSE(within_working_hours(h, toronto, at("America/Toronto", 2026, 11, 24, 19, 0)));
  EXPECT_FALSE(within_working_hours(h, toronto, at("America/Toronto", 2026, 11, 24, 6, 59)));
  // 18:30 in Regina is 19:30 in Toronto: one instant, two verdicts.
  const std::int64_t instant = at("America/Regina", 2026, 11, 24, 18, 30);
  EXPECT_TRUE(within_working_hours(h, regina, instant));
  EXPECT_FALSE(within_working_hours(h, toronto, instant));
  // Saturday and Sunday are not working days by default.
  EXPECT_FALSE(within_working_hours(h, toronto, at("America/Toronto", 2026, 11, 28, 12, 0)));
  EXPECT_FALSE(within_working_hours(h, toronto, at("America/Toronto", 2026, 11, 29, 12, 0)));
  // Across the spring change of clocks: 07:30 local on Monday 9 March 2026.
  EXPECT_TRUE(within_working_hours(h, toronto, at("America/Toronto", 2026, 3, 9, 7, 30)));
}

TEST(AlertKinds, EachHasAnAuditActionName) {
  EXPECT_EQ(alert_kinds().size(), 6U);
  for (auto k : alert_kinds()) {
    EXPECT_FALSE(k.empty());
    EXPECT_EQ(k.find('.'), std::string_view::npos) << k;
  }
}

}  // namespace
}  // namespace hubtable::domain
