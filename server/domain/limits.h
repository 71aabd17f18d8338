#pragma once
// Every limit on what a request may hold or an answer may carry, in one
// place (SQLite's sqliteLimit.h is the model). Lengths of free text are in
// characters (code points), of other strings in bytes. Messages that state a
// limit print these constants; none repeats a number by hand. Limits that a
// deployment may tune (frame size, rate, sessions, queues) are in
// config/limits.h instead.

#include <cstddef>
#include <cstdint>

namespace hubtable::domain {

// --- Free text written before Filter 3 (scanned for identifiers) ---------
inline constexpr std::size_t kNarrativeMaxChars = 1000;  // a situation's narrative
inline constexpr std::size_t kNoteMaxChars = 500;        // a decision's note
inline constexpr std::size_t kMaxDeidCheckBytes = std::size_t{16} * 1024;  // a draft to check

// --- Free text of Filters 3 and 4 ----------------------------------------
inline constexpr std::size_t kPlanMaxChars = 2000;         // a sealed planning note
inline constexpr std::size_t kUpdateMaxChars = 500;        // a status update
inline constexpr std::size_t kJustificationMinChars = 20;  // a break-glass justification
inline constexpr std::size_t kJustificationMaxChars = 2000;

// --- Identifying information (Filter 3) ----------------------------------
inline constexpr std::size_t kMaxPeople = 10;  // a family or household
inline constexpr std::size_t kMaxAliases = 5;
inline constexpr std::size_t kMaxNameChars = 200;
inline constexpr std::size_t kMaxAddressChars = 300;
inline constexpr std::size_t kMaxPhoneChars = 40;

// --- Codes ---------------------------------------------------------------
inline constexpr int kMaxCodesPerKind = 20;  // risk factors (etc.) on one situation

// --- Logging in ----------------------------------------------------------
inline constexpr std::size_t kMaxUsernameBytes = 64;
inline constexpr std::size_t kMaxTotpBytes = 16;
inline constexpr std::size_t kMinPasswordBytes = 12;  // a chosen password
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// --- Pages of answers that grow with data (each also bounded in bytes) ----
inline constexpr std::size_t kDefaultListPage = 100;  // situations
inline constexpr std::size_t kMaxListPage = 1000;
inline constexpr std::size_t kUpdatesShown = 100;  // status updates on one record
inline constexpr std::size_t kNotesPage = 100;     // planning notes
inline constexpr std::size_t kAgendaPage = 500;    // agenda and minutes lines
inline constexpr std::uint32_t kDefaultMeetingsListed = 4;
inline constexpr std::uint32_t kMaxMeetingsUpcoming = 52;
inline constexpr std::uint32_t kMaxMeetingsPast = 200;
inline constexpr std::uint32_t kDefaultLogPage = 1000;  // audit events to verify
inline constexpr std::uint32_t kMaxLogPage = 5000;
inline constexpr std::uint32_t kDefaultQueryPage = 100;  // audit query, alerts, disclosures
inline constexpr std::uint32_t kMaxQueryPage = 1000;
inline constexpr std::uint32_t kDefaultExportPage = 1000;  // report export rows
inline constexpr std::uint32_t kMaxExportPage = 5000;
inline constexpr std::size_t kMaxReportTables = 500;  // tables one report covers
inline constexpr std::size_t kReplayPage = 1000;      // missed events one watch replays

// --- Events kept for `watch` to replay to whoever was away -------------------
inline constexpr std::int64_t kEventReplayWindowUs = std::int64_t{14} * 24 * 3600 * 1'000'000;

}  // namespace hubtable::domain
