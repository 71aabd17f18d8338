#include "cli/advice.h"

#include <array>
#include <utility>

namespace hubtable::cli {

namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kAdvice = {{
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
    {"assign.assisting_not_joined",
     "the chair adds it: `hubtable situation add-agency ID AGENCY`, then assigns"},
    {"situation.already_decided",
     "at the meeting that decided it, the chair corrects it: `hubtable situation decide ID "
     "--correct --accept` (or --reject REASON, or --undecided)"},
    {"join.lead_assigned", "the chair adds your agency: `hubtable situation add-agency ID AGENCY`"},
    {"intervene.already_recorded",
     "correct it with `hubtable situation intervene ID --amend ...`, or give an update"},
    {"decide.undecided_not_correction", "add --correct"},
    {"decide.case_work_begun", "close it: `hubtable situation close ID --reason CODE`"},
    {"amend.already_decided", "the chair may correct the decision at its meeting (--correct)"},
}};

}  // namespace

std::string_view advice_for(std::string_view rule) {
  for (const auto& [r, advice] : kAdvice) {
    if (r == rule) return advice;
  }
  return {};
}

}  // namespace hubtable::cli
