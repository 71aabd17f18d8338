// Times as the table reads and types them.

#include "lib/local_time.h"

#include <gtest/gtest.h>

#include "absl/time/civil_time.h"

namespace hubtable::client {
namespace {

absl::TimeZone zone(const char* name) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(name, &tz)) << name;
  return tz;
}

std::int64_t at(const char* tz, int y, int mo, int d, int h, int mi) {
  return absl::ToUnixMicros(absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), zone(tz)));
}

// Thursday 3 December 2026, 20:00 in Regina (UTC-6 all year).
const std::int64_t kNow = at("America/Regina", 2026, 12, 3, 20, 0);

TEST(LocalTime, ShowsTheTablesZoneToTheMinuteWithoutAnOffset) {
  const auto t = LocalTime::in("America/Regina", false);
  EXPECT_EQ(t.zone_name(), "America/Regina");
  EXPECT_EQ(t.show(at("America/Regina", 2026, 12, 3, 16, 30)), "Thu 2026-12-03 16:30");
  EXPECT_EQ(t.show_seconds(at("America/Regina", 2026, 12, 3, 16, 30) + 5'000'000),
            "Thu 2026-12-03 16:30:05");
  // The same moment at a Toronto table.
  EXPECT_EQ(LocalTime::in("America/Toronto", false).show(at("America/Regina", 2026, 12, 3, 16, 30)),
            "Thu 2026-12-03 17:30");
}

TEST(LocalTime, ShowsRfc3339WithItsOffsetWhenAsked) {
  const auto t = LocalTime::in("America/Regina", true);
  EXPECT_EQ(t.show(at("America/Regina", 2026, 12, 3, 16, 30)), "2026-12-03T16:30:00-06:00");
  EXPECT_EQ(t.show_seconds(at("America/Regina", 2026, 12, 3, 16, 30)), "2026-12-03T16:30:00-06:00");
}

TEST(LocalTime, AnUnknownOrMissingZoneIsTheMachinesOwn) {
  const auto none = LocalTime::in("", false);
  const auto bad = LocalTime::in("Mars/Olympus", false);
  EXPECT_FALSE(none.zone_name().empty());
  EXPECT_EQ(bad.zone_name(), none.zone_name());
  EXPECT_EQ(bad.show(kNow), none.show(kNow));
}

TEST(LocalTime, ReadsTheFormsPeopleType) {
  const auto t = LocalTime::in("America/Regina", false);
  struct Case {
    const char* typed;
    std::int64_t expected;
  };
  const Case cases[] = {
      {"now", kNow},
      {" NOW ", kNow},
      {"16:30", at("America/Regina", 2026, 12, 3, 16, 30)},
      {"9:05", at("America/Regina", 2026, 12, 3, 9, 5)},
      {"16h30", at("America/Regina", 2026, 12, 3, 16, 30)},
      {"16h", at("America/Regina", 2026, 12, 3, 16, 0)},
      {"4:30pm", at("America/Regina", 2026, 12, 3, 16, 30)},
      {"4:30 PM", at("America/Regina", 2026, 12, 3, 16, 30)},
      {"4pm", at("America/Regina", 2026, 12, 3, 16, 0)},
      {"12am", at("America/Regina", 2026, 12, 3, 0, 0)},
      {"12:15 pm", at("America/Regina", 2026, 12, 3, 12, 15)},
      {"today 8:00", at("America/Regina", 2026, 12, 3, 8, 0)},
      {"yesterday 16:30", at("America/Regina", 2026, 12, 2, 16, 30)},
      {"Yesterday 4:30 pm", at("America/Regina", 2026, 12, 2, 16, 30)},
      {"hier 16h30", at("America/Regina", 2026, 12, 2, 16, 30)},
      {"mon 9:15", at("America/Regina", 2026, 11, 30, 9, 15)},
      {"Monday 9:15", at("America/Regina", 2026, 11, 30, 9, 15)},
      {"lundi 9h15", at("America/Regina", 2026, 11, 30, 9, 15)},
      {"thu 7:00", at("America/Regina", 2026, 12, 3, 7, 0)},  // today is Thursday
      {"fri 7:00", at("America/Regina", 2026, 11, 27, 7, 0)},
      {"2026-12-02 16:30", at("America/Regina", 2026, 12, 2, 16, 30)},
      {"2026-12-02T16:30", at("America/Regina", 2026, 12, 2, 16, 30)},
      {"2026-12-02 16:30:20", at("America/Regina", 2026, 12, 2, 16, 30) + 20'000'000},
      {"2026-12-02T16:30:00-05:00", at("America/Toronto", 2026, 12, 2, 16, 30)},
      {"2026-12-02T21:30:00Z", at("America/Toronto", 2026, 12, 2, 16, 30)},
      {"2026-12-02T16:30-05:00", at("America/Toronto", 2026, 12, 2, 16, 30)},
  };
  for (const auto& c : cases) {
    auto got = t.parse_when(c.typed, kNow, "--at");
    ASSERT_TRUE(got.ok()) << c.typed << ": " << got.status();
    EXPECT_EQ(*got, c.expected) << c.typed << " read as " << t.show(*got);
  }
}

TEST(LocalTime, TheSameWallClockIsTheTablesNotTheMachines) {
  // 16:30 typed at a Toronto table is an hour before 16:30 at a Regina one.
  auto toronto =
      LocalTime::in("America/Toronto", false).parse_when("2026-12-02 16:30", kNow, "--at");
  auto regina = LocalTime::in("America/Regina", false).parse_when("2026-12-02 16:30", kNow, "--at");
  ASSERT_TRUE(toronto.ok() && regina.ok());
  EXPECT_EQ(*regina - *toronto, std::int64_t{3600} * 1'000'000);
}

TEST(LocalTime, WhatItCannotReadIsRefusedNamingTheOptionAndTheFormsNotTheText) {
  const auto t = LocalTime::in("America/Regina", false);
  for (const char* typed :
       {"", "16", "25:00", "16:60", "16:3", "yesterday", "tomorrow 9:00", "13pm", "0am",
        "mon tue 9:00", "2026-13-02 16:30", "Zzqx 9:00", "9:00 Zzqx", "16:30:00:00"}) {
    auto got = t.parse_when(typed, kNow, "--at");
    ASSERT_FALSE(got.ok()) << typed << " read as " << t.show(*got);
    const std::string message(got.status().message());
    EXPECT_EQ(message.rfind("--at: give a time like 16:30", 0), 0u) << message;
    EXPECT_NE(message.find("America/Regina"), std::string::npos) << message;
    EXPECT_EQ(message.find("Zzqx"), std::string::npos) << message;
  }
}

TEST(LocalTime, BoundsAreTheTablesMidnights) {
  const auto t = LocalTime::in("America/Regina", false);
  EXPECT_EQ(*t.parse_bound("", kNow, "--from"), 0);
  EXPECT_EQ(*t.parse_bound("2026-11-22", kNow, "--from"), at("America/Regina", 2026, 11, 22, 0, 0));
  EXPECT_EQ(*t.parse_bound("monday", kNow, "--from"), at("America/Regina", 2026, 11, 30, 0, 0));
  EXPECT_EQ(*t.parse_bound("Yesterday", kNow, "--from"), at("America/Regina", 2026, 12, 2, 0, 0));
  EXPECT_EQ(*t.parse_bound("yesterday 16:30", kNow, "--to"),
            at("America/Regina", 2026, 12, 2, 16, 30));
  EXPECT_EQ(*t.parse_bound("2026-11-22T00:00:00Z", kNow, "--to"),
            at("America/Regina", 2026, 11, 21, 18, 0));
  auto bad = t.parse_bound("last winter", kNow, "--to");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()).rfind("--to: give a date", 0), 0u) << bad.status();
}

}  // namespace
}  // namespace hubtable::client
