#pragma once
// What reports read: a table's situations submitted in a period, with their
// codes and agencies, and the table's attendance, streamed row by row (a
// province's ten years is a million situations). Never the narrative, notes
// or anything sealed. Runs inside the caller's read transaction.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "domain/lifecycle.h"
#include "store/connection.h"

namespace hubtable::store {

/// Situations of one table submitted in [from_us, to_us).
struct ReportPeriod {
  std::int64_t table_id = 0;
  std::int64_t from_us = 0;
  std::int64_t to_us = 0;
};

/// One situation's de-identified facts, from its reporting row (schema
/// 0013: kept current by triggers on every write). The views are valid
/// during the call.
struct SituationFacts {
  std::string_view id;
  std::int64_t submitted_us = 0;
  domain::SituationState state = domain::SituationState::kAwaitingDecision;
  std::string_view situation_type;
  std::string_view age_band;  // empty once rejected or withdrawn
  std::string_view gender;
  std::int64_t originating_agency_id = 0;
  std::optional<std::int64_t> decided_us;
  std::string_view rejection_reason;
  std::optional<std::int64_t> intervened_us;
  std::string_view outcome;         // the intervention's (accepted only)
  std::int64_t lead_agency_id = 0;  // 0: none
  std::optional<std::int64_t> ack_due_us;
  std::optional<std::int64_t> acked_us;
  std::optional<std::int64_t> intervention_due_us;
  std::optional<std::int64_t> closed_us;
  std::string_view closure_reason;
  // An accepted situation's codes at submission and at closure, its
  // assisting agencies and its intervention's outcome (the reporting row of
  // one not accepted holds none); each list in no particular order.
  std::vector<std::string_view> risk_factors;
  std::vector<std::string_view> protective_factors;
  std::vector<std::string_view> study_flags;
  std::vector<std::string_view> services;
  std::vector<std::string_view> closure_protective_factors;
  std::vector<std::int64_t> assisting_agencies;
};
using SituationVisitor = std::function<void(const SituationFacts&)>;

/// Every situation of the period, in submission order.
absl::Status for_each_report_situation(Connection& c, const ReportPeriod& p,
                                       const SituationVisitor& visit);
/// How many situations the period holds.
absl::StatusOr<std::uint64_t> count_report_situations(Connection& c, const ReportPeriod& p);
/// A page of the period's situations in submission order (then by id):
/// `limit` of them after skipping `offset`.
absl::Status report_situation_page(Connection& c, const ReportPeriod& p, std::uint64_t offset,
                                   std::uint64_t limit, const SituationVisitor& visit);

/// Reporting rows that differ from what their situations and child rows
/// make of them (schema 0013's situation_report_source), or that have no
/// situation: 0 unless a write escaped the triggers.
absl::StatusOr<std::uint64_t> stale_report_rows(Connection& c);

/// Attendance of the table's meetings held in the period: the number of
/// meetings, and one row per rep who checked in for an agency.
struct AttendanceFact {
  std::string_view meeting_id;
  std::int64_t agency_id = 0;
  std::int64_t user_id = 0;
};
absl::StatusOr<std::uint32_t> meetings_held(Connection& c, const ReportPeriod& p);
absl::Status for_each_rep_attendance(Connection& c, const ReportPeriod& p,
                                     const std::function<void(const AttendanceFact&)>& visit);

struct AgencyFacts {
  std::int64_t id = 0;
  std::string code;
  std::string name;
  std::string sector;
};
/// Every agency (by id).
absl::StatusOr<std::vector<AgencyFacts>> list_agencies(Connection& c);
/// The agencies that sit at a table.
absl::StatusOr<std::vector<std::int64_t>> table_agency_ids(Connection& c, std::int64_t table_id);

}  // namespace hubtable::store
