#include "lib/local_time.h"

#include <array>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"

namespace hubtable::client {

namespace {

constexpr const char* kShown = "%a %Y-%m-%d %H:%M";
constexpr const char* kShownSeconds = "%a %Y-%m-%d %H:%M:%S";
constexpr const char* kRfc3339 = "%Y-%m-%dT%H:%M:%S%Ez";

struct DayWord {
  const char* word;
  std::optional<absl::Weekday> weekday;  // nullopt: today or yesterday
  int days_back = 0;
};

// English and Canadian French, full and short.
constexpr std::array<DayWord, 34> kDayWords{{
    {"today", std::nullopt, 0},
    {"aujourd'hui", std::nullopt, 0},
    {"yesterday", std::nullopt, 1},
    {"hier", std::nullopt, 1},
    {"monday", absl::Weekday::monday},
    {"mon", absl::Weekday::monday},
    {"lundi", absl::Weekday::monday},
    {"lun", absl::Weekday::monday},
    {"tuesday", absl::Weekday::tuesday},
    {"tue", absl::Weekday::tuesday},
    {"mardi", absl::Weekday::tuesday},
    {"mar", absl::Weekday::tuesday},
    {"wednesday", absl::Weekday::wednesday},
    {"wed", absl::Weekday::wednesday},
    {"mercredi", absl::Weekday::wednesday},
    {"mer", absl::Weekday::wednesday},
    {"thursday", absl::Weekday::thursday},
    {"thu", absl::Weekday::thursday},
    {"jeudi", absl::Weekday::thursday},
    {"jeu", absl::Weekday::thursday},
    {"friday", absl::Weekday::friday},
    {"fri", absl::Weekday::friday},
    {"vendredi", absl::Weekday::friday},
    {"ven", absl::Weekday::friday},
    {"saturday", absl::Weekday::saturday},
    {"sat", absl::Weekday::saturday},
    {"samedi", absl::Weekday::saturday},
    {"sam", absl::Weekday::saturday},
    {"sunday", absl::Weekday::sunday},
    {"sun", absl::Weekday::sunday},
    {"dimanche", absl::Weekday::sunday},
    {"dim", absl::Weekday::sunday},
    {"tues", absl::Weekday::tuesday},
    {"thurs", absl::Weekday::thursday},
}};

/// The day a day word names, counting back from `today` (today included).
std::optional<absl::CivilDay> day_named(std::string_view word, absl::CivilDay today) {
  for (const auto& d : kDayWords) {
    if (word != d.word) continue;
    if (!d.weekday) return today - d.days_back;
    absl::CivilDay day = today;
    while (absl::GetWeekday(day) != *d.weekday) --day;
    return day;
  }
  return std::nullopt;
}

struct TimeOfDay {
  int hour = 0;
  int minute = 0;
};

/// "16:30", "9:05", "16h30", "16h", "4:30pm", "4pm", "4:30 pm" (already
/// lower case, spaces before am/pm removed).
std::optional<TimeOfDay> time_of_day(std::string_view text) {
  int add = 0;
  bool twelve_hour = false;
  if (text.size() > 2 &&
      (text.substr(text.size() - 2) == "am" || text.substr(text.size() - 2) == "pm")) {
    twelve_hour = true;
    add = text.substr(text.size() - 2) == "pm" ? 12 : 0;
    text.remove_suffix(2);
  }
  const std::size_t sep = text.find_first_of(":h");
  std::string_view hours = text.substr(0, sep);
  std::string_view minutes = sep == std::string_view::npos ? "" : text.substr(sep + 1);
  if (sep != std::string_view::npos && text[sep] == ':' && minutes.empty()) return std::nullopt;
  if (sep == std::string_view::npos && !twelve_hour) return std::nullopt;  // "16" alone
  int h = 0;
  int m = 0;
  if (hours.empty() || hours.size() > 2 ||
      !absl::SimpleAtoi(absl::string_view(hours.data(), hours.size()), &h))
    return std::nullopt;
  if (!minutes.empty() &&
      (minutes.size() != 2 ||
       !absl::SimpleAtoi(absl::string_view(minutes.data(), minutes.size()), &m))) {
    return std::nullopt;
  }
  if (twelve_hour) {
    if (h < 1 || h > 12) return std::nullopt;
    h = h % 12 + add;
  }
  if (h > 23 || m > 59 || h < 0 || m < 0) return std::nullopt;
  return TimeOfDay{h, m};
}

absl::Status not_understood(std::string_view option, const std::string& zone) {
  return absl::InvalidArgumentError(
      std::string(option) +
      ": give a time like 16:30, \"yesterday 16:30\", \"mon 9:15\", \"2026-12-02 16:30\" or "
      "now (times are in " +
      zone + ")");
}

}  // namespace

LocalTime LocalTime::in(std::string_view zone, bool utc_offsets) {
  absl::TimeZone tz;
  if (!zone.empty() && absl::LoadTimeZone(std::string(zone), &tz)) {
    return {tz, std::string(zone), utc_offsets};
  }
  tz = absl::LocalTimeZone();
  std::string name = tz.name();
  if (name == "localtime") name = "this computer's time zone";
  return {tz, std::move(name), utc_offsets};
}

std::string LocalTime::show(std::int64_t us) const {
  return absl::FormatTime(utc_offsets_ ? kRfc3339 : kShown, absl::FromUnixMicros(us), tz_);
}

std::string LocalTime::show_seconds(std::int64_t us) const {
  return absl::FormatTime(utc_offsets_ ? kRfc3339 : kShownSeconds, absl::FromUnixMicros(us), tz_);
}

absl::StatusOr<std::int64_t> LocalTime::parse_when(std::string_view typed, std::int64_t now_us,
                                                   std::string_view option) const {
  const absl::string_view stripped =
      absl::StripAsciiWhitespace(absl::string_view(typed.data(), typed.size()));
  const std::string text = absl::AsciiStrToLower(stripped);
  if (text == "now" || text == "maintenant") return now_us;
  absl::Time t;
  std::string err;
  // A date and time, with an offset (RFC 3339) or in the zone.
  for (const char* format : {absl::RFC3339_full, "%Y-%m-%d%ET%H:%M%Ez"}) {
    if (absl::ParseTime(format, stripped, &t, &err)) return absl::ToUnixMicros(t);
  }
  for (const char* format :
       {"%Y-%m-%d %H:%M", "%Y-%m-%d%ET%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d%ET%H:%M:%S"}) {
    if (absl::ParseTime(format, stripped, tz_, &t, &err)) return absl::ToUnixMicros(t);
  }
  // [day word] time of day; "4:30 pm" is one time.
  std::vector<std::string> words = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (words.size() >= 2 && (words.back() == "am" || words.back() == "pm")) {
    words[words.size() - 2] += words.back();
    words.pop_back();
  }
  if (words.empty() || words.size() > 2) return not_understood(option, name_);
  const absl::CivilDay today = absl::ToCivilDay(absl::FromUnixMicros(now_us), tz_);
  absl::CivilDay day = today;
  if (words.size() == 2) {
    auto named = day_named(words[0], today);
    if (!named) return not_understood(option, name_);
    day = *named;
  }
  auto tod = time_of_day(words.back());
  if (!tod) return not_understood(option, name_);
  const absl::CivilMinute minute(day.year(), day.month(), day.day(), tod->hour, tod->minute);
  return absl::ToUnixMicros(absl::FromCivil(minute, tz_));
}

absl::StatusOr<std::int64_t> LocalTime::parse_bound(std::string_view typed, std::int64_t now_us,
                                                    std::string_view option) const {
  const std::string text = absl::AsciiStrToLower(
      absl::StripAsciiWhitespace(absl::string_view(typed.data(), typed.size())));
  if (text.empty()) return 0;
  absl::CivilDay day;
  if (absl::ParseCivilTime(text, &day)) return absl::ToUnixMicros(absl::FromCivil(day, tz_));
  if (auto named = day_named(text, absl::ToCivilDay(absl::FromUnixMicros(now_us), tz_))) {
    return absl::ToUnixMicros(absl::FromCivil(*named, tz_));
  }
  auto when = parse_when(text, now_us, option);
  if (!when.ok()) {
    return absl::InvalidArgumentError(std::string(option) +
                                      ": give a date (2026-11-22, the day's start), \"monday\", "
                                      "\"yesterday\", or a time like \"2026-11-22 16:30\" (times "
                                      "are in " +
                                      name_ + ")");
  }
  return when;
}

}  // namespace hubtable::client
