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

// The wire's field names and the options that set them.
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kOptions = {{
    {"situation_type", "--type"},
    {"age_band", "--age-band"},
    {"gender", "--gender"},
    {"risk_factors", "--risk-factor"},
    {"risk_factor", "--risk-factor"},
    {"protective_factors", "--protective-factor"},
    {"study_flags", "--study-flag"},
    {"narrative", "--narrative-file"},
    {"reject_reason", "--reject"},
    {"closure_reason", "--reason"},
    {"agencies_present", "--agency"},
    {"lead_agency", "--lead"},
    {"assisting_agencies", "--assisting"},
}};

bool word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::string in_the_users_words(const std::string& message) {
  std::string out;
  out.reserve(message.size());
  std::size_t i = 0;
  while (i < message.size()) {
    bool replaced = false;
    if (i == 0 || !word_char(message[i - 1])) {
      for (const auto& [field, option] : kOptions) {
        const std::size_t end = i + field.size();
        if (message.compare(i, field.size(), field) == 0 &&
            (end == message.size() || !word_char(message[end]))) {
          out += option;
          i = end;
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += message[i++];
  }
  return out;
}

std::string_view advice_for(std::string_view rule) {
  for (const auto& [r, advice] : kAdvice) {
    if (r == rule) return advice;
  }
  return {};
}

}  // namespace hubtable::cli
