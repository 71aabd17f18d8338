#include "domain/alerts.h"

#include <absl/time/civil_time.h>

#include <algorithm>
#include <array>

namespace hubtable::domain {

namespace {

constexpr std::array<std::string_view, 7> kDayNames = {"mon", "tue", "wed", "thu",
                                                       "fri", "sat", "sun"};

// "HH:MM" → minutes after midnight; -1 when malformed.
int parse_clock(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return -1;
  auto digit = [&](std::size_t i) { return t[i] >= '0' && t[i] <= '9' ? t[i] - '0' : -100; };
  const int h = digit(0) * 10 + digit(1);
  const int m = digit(3) * 10 + digit(4);
  if (h < 0 || h > 24 || m < 0 || m > 59 || (h == 24 && m != 0)) return -1;
  return h * 60 + m;
}

}  // namespace

bool is_access_refusal(std::string_view status_code) {
  return status_code == "PERMISSION_DENIED" || status_code == "UNAUTHENTICATED";
}

const std::vector<std::string_view>& alert_kinds() {
  static const std::vector<std::string_view> kAll = {
      kAlertBreakGlass,      kAlertMassDisclosure,     kAlertAfterHours,
      kAlertRepeatedDenials, kAlertVerificationFailed, kAlertAccessStatement};
  return kAll;
}

absl::StatusOr<WorkingHours> parse_working_hours(std::string_view range,
                                                 const std::vector<std::string>& days) {
  WorkingHours h;
  const auto dash = range.find('-');
  const int start = dash == std::string_view::npos ? -1 : parse_clock(range.substr(0, dash));
  const int end = dash == std::string_view::npos ? -1 : parse_clock(range.substr(dash + 1));
  if (start < 0 || end < 0 || start >= end) {
    return absl::InvalidArgumentError(
        "working hours must read HH:MM-HH:MM with the start before the end, e.g. 07:00-19:00");
  }
  h.start_minute = start;
  h.end_minute = end;
  h.days = 0;
  for (const auto& d : days) {
    const auto* it = std::find(kDayNames.begin(), kDayNames.end(), d);
    if (it == kDayNames.end()) {
      return absl::InvalidArgumentError("working days are mon, tue, wed, thu, fri, sat or sun");
    }
    h.days |= 1U << static_cast<unsigned>(it - kDayNames.begin());
  }
  if (h.days == 0) return absl::InvalidArgumentError("name at least one working day");
  return h;
}

bool within_working_hours(const WorkingHours& hours, absl::TimeZone zone, std::int64_t us) {
  const absl::CivilSecond local = absl::ToCivilSecond(absl::FromUnixMicros(us), zone);
  const absl::Weekday wd = absl::GetWeekday(local);
  // absl::Weekday counts Monday as 0.
  const auto bit = 1U << static_cast<unsigned>(static_cast<int>(wd));
  if ((hours.days & bit) == 0) return false;
  const int minute = local.hour() * 60 + local.minute();
  return minute >= hours.start_minute && minute < hours.end_minute;
}

}  // namespace hubtable::domain
