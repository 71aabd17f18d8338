#pragma once
// Times as people at a table read and type them: in the table's zone, to the
// minute, without a UTC offset unless asked ("Thu 2026-12-03 16:30"); typed
// as "16:30", "yesterday 16:30" or "mon 9:15" as well as RFC 3339.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hubtable::client {

class LocalTime {
 public:
  /// Times in `zone` (an IANA name). Empty or unknown: the machine's own
  /// zone. With `utc_offsets`, times are shown as RFC 3339 instead.
  static LocalTime in(std::string_view zone, bool utc_offsets);

  /// The zone's name as the user knows it ("America/Regina").
  const std::string& zone_name() const { return name_; }

  /// "Thu 2026-12-03 16:30", or "2026-12-03T16:30:00-06:00" with offsets.
  std::string show(std::int64_t us) const;
  /// The same with seconds, for the audit trail.
  std::string show_seconds(std::int64_t us) const;

  /// A moment typed by a person, at `now_us`: "now"; a time of day ("16:30",
  /// "9:05") for today; "today", "yesterday" or a weekday ("mon", "Monday":
  /// the latest one, today included) followed by a time of day; a date and
  /// time ("2026-12-02 16:30", "2026-12-02T16:30"); or RFC 3339 with its
  /// offset. The error names `option` and the accepted forms, not the text.
  absl::StatusOr<std::int64_t> parse_when(std::string_view text, std::int64_t now_us,
                                          std::string_view option) const;

  /// A --from/--to bound: a date ("2026-11-22", the zone's midnight that
  /// begins it) or any form parse_when takes; 0 for empty.
  absl::StatusOr<std::int64_t> parse_bound(std::string_view text, std::int64_t now_us,
                                           std::string_view option) const;

 private:
  LocalTime(absl::TimeZone tz, std::string name, bool utc_offsets)
      : tz_(tz), name_(std::move(name)), utc_offsets_(utc_offsets) {}

  absl::TimeZone tz_;
  std::string name_;
  bool utc_offsets_ = false;
};

}  // namespace hubtable::client
