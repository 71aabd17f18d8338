#pragma once
// What every report looks codes and agencies up in: the vocabulary of the
// tables reported on (in display order), the agencies and their sectors,
// each risk factor's category; and how a report writes a month and a
// decision.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "domain/lifecycle.h"
#include "report/report.h"
#include "store/reports.h"

namespace hubtable::report {

struct Entry {
  std::string code;
  std::string label;
  std::string parent;
  bool retired = false;
};

// The vocabulary of the tables reported on, by kind, in display order.
class Labels {
 public:
  static absl::StatusOr<Labels> load(store::Connection& c, const std::vector<ReportTable>& tables);
  const std::vector<Entry>& of(const std::string& kind) const;
  // risk factor -> risk category
  std::map<std::string, std::string, std::less<>> parents(const std::string& kind) const;

 private:
  std::map<std::string, std::vector<Entry>> by_kind_;
};

struct ReportContext {
  Labels labels;
  std::map<std::int64_t, store::AgencyFacts> agencies;
  std::map<std::string, std::string, std::less<>> category_of;  // risk factor -> category

  static absl::StatusOr<ReportContext> load(store::Connection& c,
                                            const std::vector<ReportTable>& tables);
};

/// "2026-03".
std::string month_text(absl::CivilMonth m);

/// The report's decision codes are the lifecycle's state names.
std::string_view code(domain::SituationState s);
/// A situation accepted then closed counts as accepted.
std::string_view decision_code(domain::SituationState s);

/// The breakdown cell of a decision, e.g. "decisions:ACCEPTED".
std::string decision_cell(domain::SituationState s);

/// The sector of agency `id` ("UNKNOWN" for none known).
std::string_view sector_of(const std::map<std::int64_t, store::AgencyFacts>& agencies,
                           std::int64_t id);

}  // namespace hubtable::report
