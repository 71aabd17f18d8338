#pragma once
// A table's meeting schedule in its IANA time zone. All civil-time arithmetic
// (daylight saving included) is Abseil's; nothing here knows a DST rule.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hubtable::domain {

struct WeeklySlot {
  int weekday = 2;  // ISO: 1 = Monday ... 7 = Sunday
  int start_minute = 600;
  int duration_minutes = 90;
};

/// One meeting of the schedule (or an extra one).
struct Occurrence {
  std::int64_t start_us = 0;  // UTC
  int duration_minutes = 0;
  std::string local_start;  // "Tue 2026-11-24 10:00 EST"
  std::string id_suffix;    // "20261124-1000" (local)

  std::int64_t end_us() const { return start_us + std::int64_t{duration_minutes} * 60 * 1'000'000; }
};

/// How long before its start a scheduled meeting may be opened.
inline constexpr std::int64_t kOpenLeadUs = std::int64_t{30} * 60 * 1'000'000;

class Schedule {
 public:
  /// Fails on an unknown time zone or an empty or out-of-range slot list.
  static absl::StatusOr<Schedule> make(const std::string& time_zone, std::vector<WeeklySlot> slots);

  /// The first `n` scheduled starts at or after `from_us`, soonest first.
  std::vector<Occurrence> upcoming(std::int64_t from_us, int n) const;
  /// The scheduled meeting that may be opened at `now_us`: its start is at
  /// most kOpenLeadUs away and it has not ended.
  std::optional<Occurrence> openable(std::int64_t now_us) const;
  /// An extra meeting starting now (to the minute), as long as the first slot.
  Occurrence extra(std::int64_t now_us) const;
  /// `us` as "Tue 2026-11-24 10:00 EST" in the table's zone.
  std::string local_label(std::int64_t us) const;
  const std::string& time_zone() const { return zone_name_; }

 private:
  Schedule(absl::TimeZone tz, std::string name, std::vector<WeeklySlot> slots)
      : tz_(tz), zone_name_(std::move(name)), slots_(std::move(slots)) {}
  Occurrence at(absl::Time start, int duration_minutes) const;
  /// Scheduled starts on the local days [first, first + days).
  std::vector<Occurrence> on_days(absl::CivilDay first, int days) const;

  absl::TimeZone tz_;
  std::string zone_name_;
  std::vector<WeeklySlot> slots_;
};

/// "<table>-<id_suffix>", e.g. "riverside-20261124-1000".
std::string meeting_id(const std::string& table_code, const Occurrence& o);

}  // namespace hubtable::domain
