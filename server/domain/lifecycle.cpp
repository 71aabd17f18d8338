#include "domain/lifecycle.h"

#include <array>
#include <string>
#include <utility>

namespace hubtable::domain {

namespace {

constexpr std::array<std::pair<SituationState, std::string_view>, 5> kNames = {{
    {SituationState::kAwaitingDecision, "AWAITING_DECISION"},
    {SituationState::kAccepted, "ACCEPTED"},
    {SituationState::kRejected, "REJECTED"},
    {SituationState::kWithdrawn, "WITHDRAWN"},
    {SituationState::kClosed, "CLOSED"},
}};

// What a refusal says the state is, in words.
std::string_view said(SituationState s) {
  switch (s) {
    case SituationState::kAwaitingDecision:
      return "it awaits the table's decision";
    case SituationState::kAccepted:
      return "it was accepted";
    case SituationState::kRejected:
      return "it was rejected";
    case SituationState::kWithdrawn:
      return "it was withdrawn";
    case SituationState::kClosed:
      return "it is closed";
  }
  return "";
}

}  // namespace

std::string_view state_name(SituationState s) {
  for (const auto& [state, name] : kNames) {
    if (state == s) return name;
  }
  return "";
}

std::optional<SituationState> parse_state(std::string_view name) {
  for (const auto& [state, n] : kNames) {
    if (n == name) return state;
  }
  return std::nullopt;
}

const std::vector<SituationState>& all_states() {
  static const std::vector<SituationState> states = [] {
    std::vector<SituationState> out;
    out.reserve(kNames.size());
    for (const auto& entry : kNames) out.push_back(entry.first);
    return out;
  }();
  return states;
}

bool was_accepted(SituationState s) {
  return s == SituationState::kAccepted || s == SituationState::kClosed;
}

bool is_open_case(SituationState s) { return s == SituationState::kAccepted; }

bool before_the_table(SituationState s) {
  return s == SituationState::kAwaitingDecision || is_open_case(s);
}

std::uint32_t filter_stage(SituationState s, bool lead_named) {
  if (!was_accepted(s)) return 2;
  return lead_named ? 4 : 3;
}

Decision allow_move(SituationState s, Move move, std::string_view verb) {
  switch (move) {
    case Move::kDecide:
    case Move::kWithdraw:
      if (s == SituationState::kAwaitingDecision) return Decision::allow("lifecycle.awaiting");
      if (s == SituationState::kWithdrawn) {
        return failed("situation.withdrawn", "the situation was withdrawn");
      }
      return failed("situation.already_decided",
                    "the table already decided this situation (" + std::string(said(s)) +
                        "); the chair may correct a decision while its meeting is open");
    case Move::kCorrect:
      if (s == SituationState::kAccepted || s == SituationState::kRejected) {
        return Decision::allow("lifecycle.decided");
      }
      if (s == SituationState::kAwaitingDecision) {
        return failed("decide.nothing_to_correct",
                      "the table has not decided this situation: there is nothing to correct");
      }
      if (s == SituationState::kWithdrawn) {
        return failed("situation.withdrawn", "the situation was withdrawn");
      }
      return failed("decide.closed", "the situation is closed: its decision stands");
    case Move::kAmend:
      if (s == SituationState::kAwaitingDecision) return Decision::allow("lifecycle.awaiting");
      if (s == SituationState::kWithdrawn) {
        return failed("situation.withdrawn", "the situation was withdrawn");
      }
      return failed("amend.already_decided",
                    "the table already decided this situation (" + std::string(said(s)) +
                        "): its record is amended only before the decision");
    case Move::kCaseWork:
    case Move::kClose:
      if (is_open_case(s)) return Decision::allow("lifecycle.open");
      if (s == SituationState::kClosed) {
        return failed(std::string(verb) + ".closed", "the situation is closed");
      }
      return failed(std::string(verb) + ".not_accepted",
                    "the table has not accepted this situation (" + std::string(said(s)) + ")");
  }
  return failed("lifecycle.unknown_move", "not a move a situation makes");
}

SituationState after(SituationState s, Move move, bool accepted) {
  if (!allow_move(s, move).allowed()) return s;
  switch (move) {
    case Move::kDecide:
      return accepted ? SituationState::kAccepted : SituationState::kRejected;
    case Move::kWithdraw:
      return SituationState::kWithdrawn;
    case Move::kClose:
      return SituationState::kClosed;
    case Move::kCaseWork:
    case Move::kCorrect:
    case Move::kAmend:
      return s;
  }
  return s;
}

SituationState verdict_state(Verdict v) {
  switch (v) {
    case Verdict::kAccept:
      return SituationState::kAccepted;
    case Verdict::kReject:
      return SituationState::kRejected;
    case Verdict::kUndecided:
      break;
  }
  return SituationState::kAwaitingDecision;
}

Decision allow_correction(const CorrectionFacts& f, Verdict to) {
  if (auto d = allow_move(f.state, Move::kCorrect); !d.allowed()) return d;
  if (!f.decided_at_open_meeting) {
    return failed("decide.meeting_closed",
                  "a decision is corrected only at the meeting that made it, while it is open");
  }
  if (f.state == SituationState::kRejected && !f.rejection_held) {
    return failed("decide.erased",
                  "the rejection's narrative was erased at the chair's request: it stands");
  }
  if (f.state == SituationState::kAccepted && to != Verdict::kAccept &&
      (f.identified || f.lead_named)) {
    return failed("decide.case_work_begun",
                  f.identified ? "identifiers were entered since the acceptance: it stands; "
                                 "close the situation instead"
                               : "a lead agency was named since the acceptance: it stands; "
                                 "close the situation instead");
  }
  return Decision::allow("decide.correction");
}

bool isa_current(std::string_view signed_on, std::string_view expires_on, std::string_view today) {
  return !signed_on.empty() && signed_on <= today && !expires_on.empty() && today <= expires_on;
}

bool agreement_signed(std::string_view signed_on, std::string_view today) {
  return !signed_on.empty() && signed_on <= today;
}

}  // namespace hubtable::domain
