#include "cli/advice.h"

#include <array>
#include <utility>

namespace hubtable::cli {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 12> kAdvice = {{
    {"session.missing", "run `hubtable login`"},
    {"table.ambiguous", "name it with --table CODE"},
    {"decide.missing", "say --accept, or --reject REASON"},
    {"assign.missing_lead", "name it with --lead AGENCY"},
    {"close.missing_reason", "give it with --reason CODE (`hubtable vocab list closure_reason`)"},
    {"report.bad_period", "--from must come before --to"},
    {"meeting.not_scheduled_now", "--unscheduled opens an extra meeting"},
    {"vocabulary.unknown_code", "`hubtable vocab list KIND` shows the codes"},
    {"identifiers.break_glass_only", "give the justification with --break-glass-file FILE"},
    {"identifiers.agency_not_joined", "your agency joins first: `hubtable situation join ID`"},
    {"assign.lead_not_joined", "the agency joins first: `hubtable situation join ID`"},
    {"assign.assisting_not_joined", "each agency joins first: `hubtable situation join ID`"},
}};

}  // namespace

std::string_view advice_for(std::string_view rule) {
  for (const auto& [r, advice] : kAdvice) {
    if (r == rule) return advice;
  }
  return {};
}

}  // namespace hubtable::cli
