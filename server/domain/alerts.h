#pragma once
// When the server raises an alert for the privacy officers (issue 5,
// DESIGN.md "Audit"): the rules' thresholds and the working-hours test. The
// counting itself runs over the audit log (api/alerts.cpp); everything here
// is pure.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace hubtable::domain {

// Alert kinds; each is recorded as the audit action "alert.<kind>".
inline constexpr std::string_view kAlertBreakGlass = "break_glass";
inline constexpr std::string_view kAlertMassDisclosure = "mass_disclosure";
inline constexpr std::string_view kAlertAfterHours = "after_hours";
inline constexpr std::string_view kAlertRepeatedDenials = "repeated_denials";
inline constexpr std::string_view kAlertVerificationFailed = "verification_failed";
// A privacy officer searched the table by a person's name and date of birth
// for an access request (break-glass class: to the other officers and chairs).
inline constexpr std::string_view kAlertAccessStatement = "access_statement";

/// Every alert kind, for validation and help text.
const std::vector<std::string_view>& alert_kinds();

/// Whether a refusal with this status code (its name, "PERMISSION_DENIED")
/// counts towards repeated_denials: refusals of permission or
/// authentication do; a mistyped code, a missing field or a rule of the
/// process (INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND...) does not.
bool is_access_refusal(std::string_view status_code);

/// The days and local times at which a table's case data is normally used.
/// Evaluated in each table's own time zone.
struct WorkingHours {
  int start_minute = 7 * 60;  // inclusive, local
  int end_minute = 19 * 60;   // exclusive, local; start < end
  unsigned days = 0x1f;       // bit (ISO weekday - 1): Monday..Friday
};

/// "07:00-19:00" and day names ("mon".."sun"); INVALID_ARGUMENT naming what
/// is wrong.
absl::StatusOr<WorkingHours> parse_working_hours(std::string_view range,
                                                 const std::vector<std::string>& days);

/// Whether `us` (UTC microseconds) falls inside `hours` in `zone`.
bool within_working_hours(const WorkingHours& hours, absl::TimeZone zone, std::int64_t us);

struct AlertRules {
  // A user revealing identifiers of this many distinct situations within
  // the window.
  int reveal_situations = 10;
  std::int64_t reveal_window_us = std::int64_t{60} * 60 * 1'000'000;
  // This many refusals of permission or authentication of one user within
  // the window (is_access_refusal).
  int denials = 5;
  std::int64_t denial_window_us = std::int64_t{15} * 60 * 1'000'000;
  // Access to case data outside working hours: one alert per user and table
  // per this quiet period.
  WorkingHours hours;
  std::int64_t after_hours_quiet_us = std::int64_t{12} * 3600 * 1'000'000;
  // How often the server re-verifies its whole stored log (0: only at start).
  std::int64_t verify_interval_us = std::int64_t{24} * 3600 * 1'000'000;
};

}  // namespace hubtable::domain
