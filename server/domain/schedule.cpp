#include "domain/schedule.h"

#include <algorithm>

#include "absl/time/civil_time.h"

namespace hubtable::domain {

namespace {
constexpr std::int64_t kMinuteUs = 60'000'000;

int iso_weekday(absl::CivilDay d) {
  // absl::Weekday runs monday = 0 ... sunday = 6.
  return static_cast<int>(absl::GetWeekday(d)) + 1;
}
}  // namespace

absl::StatusOr<Schedule> Schedule::make(const std::string& time_zone,
                                        std::vector<WeeklySlot> slots) {
  absl::TimeZone tz;
  if (time_zone.empty() || !absl::LoadTimeZone(time_zone, &tz)) {
    return absl::InvalidArgumentError("unknown time zone '" + time_zone + "'");
  }
  if (slots.empty()) return absl::InvalidArgumentError("a schedule needs at least one weekday");
  for (const auto& s : slots) {
    if (s.weekday < 1 || s.weekday > 7 || s.start_minute < 0 || s.start_minute > 1439 ||
        s.duration_minutes < 15 || s.duration_minutes > 480) {
      return absl::InvalidArgumentError("schedule slot out of range");
    }
  }
  std::sort(slots.begin(), slots.end(), [](const WeeklySlot& a, const WeeklySlot& b) {
    return std::tie(a.weekday, a.start_minute) < std::tie(b.weekday, b.start_minute);
  });
  return Schedule(tz, time_zone, std::move(slots));
}

Occurrence Schedule::at(absl::Time start, int duration_minutes) const {
  Occurrence o;
  o.start_us = absl::ToUnixMicros(start);
  o.duration_minutes = duration_minutes;
  o.local_start = absl::FormatTime("%a %Y-%m-%d %H:%M %Z", start, tz_);
  o.id_suffix = absl::FormatTime("%Y%m%d-%H%M", start, tz_);
  return o;
}

std::vector<Occurrence> Schedule::on_days(absl::CivilDay first, int days) const {
  std::vector<Occurrence> out;
  for (int i = 0; i < days; ++i) {
    const absl::CivilDay day = first + i;
    for (const auto& s : slots_) {
      if (s.weekday != iso_weekday(day)) continue;
      const absl::CivilMinute local(day.year(), day.month(), day.day(), s.start_minute / 60,
                                    s.start_minute % 60);
      // A start inside a spring-forward gap maps to the transition, the
      // moment the clocks jump (Abseil's FromCivil); in a repeated hour, to
      // its first occurrence.
      out.push_back(at(absl::FromCivil(local, tz_), s.duration_minutes));
    }
  }
  return out;
}

std::vector<Occurrence> Schedule::upcoming(std::int64_t from_us, int n) const {
  std::vector<Occurrence> out;
  if (n <= 0) return out;
  const absl::CivilDay start = absl::ToCivilDay(absl::FromUnixMicros(from_us), tz_) - 1;
  // Every slot repeats weekly, so n / slots + 2 weeks always hold n starts.
  const int weeks = n / static_cast<int>(slots_.size()) + 2;
  for (auto& o : on_days(start, weeks * 7)) {
    if (o.start_us >= from_us) out.push_back(std::move(o));
    if (static_cast<int>(out.size()) == n) break;
  }
  return out;
}

std::optional<Occurrence> Schedule::openable(std::int64_t now_us) const {
  const absl::CivilDay today = absl::ToCivilDay(absl::FromUnixMicros(now_us), tz_);
  for (auto& o : on_days(today - 1, 3)) {
    if (o.start_us - kOpenLeadUs <= now_us && now_us < o.end_us()) return std::move(o);
  }
  return std::nullopt;
}

Occurrence Schedule::extra(std::int64_t now_us) const {
  return at(absl::FromUnixMicros(now_us - now_us % kMinuteUs), slots_.front().duration_minutes);
}

std::string Schedule::local_label(std::int64_t us) const {
  return absl::FormatTime("%a %Y-%m-%d %H:%M %Z", absl::FromUnixMicros(us), tz_);
}

std::string meeting_id(const std::string& table_code, const Occurrence& o) {
  return table_code + "-" + o.id_suffix;
}

}  // namespace hubtable::domain
