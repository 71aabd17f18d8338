// The agenda planner: order, time boxes that fit the meeting, late additions.

#include "domain/agenda.h"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace hubtable::domain {
namespace {

constexpr std::int64_t kHourUs = std::int64_t{3600} * 1'000'000;

std::vector<AgendaEntry> entries(int news, int returning, int overdue) {
  std::vector<AgendaEntry> out;
  // Listed newest first and interleaved, to show the planner orders them.
  for (int i = 0; i < std::max({news, returning, overdue}); ++i) {
    // absl::StrCat: GCC 12's -O3 warns (-Wrestrict, a false positive) on "o" + std::string.
    if (i < overdue) out.push_back({absl::StrCat("o", i), AgendaSection::kOverdue, -i});
    if (i < returning) out.push_back({absl::StrCat("r", i), AgendaSection::kReturning, -i});
    if (i < news) out.push_back({absl::StrCat("n", i), AgendaSection::kNew, -i});
  }
  return out;
}

TEST(Agenda, NewSituationsOldestFirstThenReturningThenOverdue) {
  const auto plan = plan_agenda(entries(2, 2, 1), 90);
  std::vector<std::string> order;
  for (const auto& i : plan.items) order.push_back(i.situation_id);
  EXPECT_EQ(order, (std::vector<std::string>{"n1", "n0", "r1", "r0", "o0"}));
}

TEST(Agenda, NominalBoxesWhenTheyFit) {
  const auto plan = plan_agenda(entries(3, 2, 1), 90);
  EXPECT_EQ(plan.available_seconds, 80 * 60);  // 90 less 10 minutes opening and wrap-up
  EXPECT_TRUE(plan.fits);
  EXPECT_EQ(plan.items[0].time_box_seconds, 600);
  EXPECT_EQ(plan.items[3].time_box_seconds, 180);
  EXPECT_EQ(plan.items[5].time_box_seconds, 300);
  EXPECT_EQ(plan.planned_seconds, 3 * 600 + 2 * 180 + 300);
  int offset = 0;
  for (const auto& i : plan.items) {
    EXPECT_EQ(i.start_offset_seconds, offset);
    EXPECT_FALSE(i.beyond_time);
    EXPECT_FALSE(i.late);
    offset += i.time_box_seconds;
  }
}

TEST(Agenda, BoxesShrinkInProportionSoABusyAgendaStillFits) {
  // 8 new (80 min nominal) + 10 returning (30) + 4 overdue (20) = 130 min > 80.
  const auto plan = plan_agenda(entries(8, 10, 4), 90);
  EXPECT_TRUE(plan.fits) << plan.planned_seconds;
  EXPECT_LE(plan.planned_seconds, plan.available_seconds);
  for (const auto& i : plan.items) {
    EXPECT_EQ(i.time_box_seconds % 30, 0);
    EXPECT_FALSE(i.beyond_time);
  }
  // New situations keep the most time: the table's first decision is on them.
  EXPECT_GT(plan.items.front().time_box_seconds, plan.items.back().time_box_seconds);
  EXPECT_LT(plan.items.front().time_box_seconds, 600);
}

TEST(Agenda, WhatCannotFitEvenAtTheFloorIsMarkedBeyondTime) {
  const auto plan = plan_agenda(entries(25, 0, 0), 90);  // 25 x 4 min floor = 100 > 80
  EXPECT_FALSE(plan.fits);
  EXPECT_EQ(plan.items.front().time_box_seconds, 240);
  EXPECT_FALSE(plan.items[19].beyond_time);  // ends exactly at 80 minutes
  EXPECT_TRUE(plan.items[20].beyond_time);
  EXPECT_TRUE(plan.items.back().beyond_time);
}

TEST(Agenda, ShortMeetingsStillKeepTenMinutesInReserve) {
  EXPECT_EQ(available_seconds(15), 5 * 60);
  EXPECT_EQ(available_seconds(60), 50 * 60);
  EXPECT_EQ(available_seconds(240), 216 * 60);
  EXPECT_TRUE(plan_agenda({}, 90).items.empty());
  EXPECT_TRUE(plan_agenda({}, 90).fits);
}

TEST(Agenda, LateAdditionIsAppendedWithItsNominalBoxAndMarked) {
  const auto item = plan_late_addition({"x", AgendaSection::kNew, 0}, 75 * 60, 80 * 60);
  EXPECT_TRUE(item.late);
  EXPECT_EQ(item.start_offset_seconds, 75 * 60);
  EXPECT_EQ(item.time_box_seconds, 600);
  EXPECT_TRUE(item.beyond_time);
  EXPECT_FALSE(plan_late_addition({"y", AgendaSection::kNew, 0}, 0, 80 * 60).beyond_time);
}

TEST(Agenda, AcceptedSituationsBecomeOverdueAfterFortyEightHoursWithoutIntervention) {
  // Due 48 hours after acceptance at 0.
  EXPECT_EQ(section_for_accepted(48 * kHourUs, std::nullopt, 48 * kHourUs),
            AgendaSection::kReturning);
  EXPECT_EQ(section_for_accepted(48 * kHourUs, std::nullopt, 48 * kHourUs + 1),
            AgendaSection::kOverdue);
  EXPECT_EQ(section_for_accepted(48 * kHourUs, 30 * kHourUs, 100 * kHourUs),
            AgendaSection::kReturning);
  // A table with a 24-hour deadline.
  EXPECT_EQ(section_for_accepted(24 * kHourUs, std::nullopt, 25 * kHourUs),
            AgendaSection::kOverdue);
}

}  // namespace
}  // namespace hubtable::domain
