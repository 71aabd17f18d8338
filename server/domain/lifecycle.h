#pragma once
// The four filters as a state machine. A situation is submitted awaiting the
// table's decision (Filter 2); the table accepts or rejects it, or its agency
// withdraws it first; an accepted situation moves through Filter 3 (agencies
// join, identifiers are sealed and revealed) and, once a lead agency is
// named, Filter 4 (acknowledgement, plan, intervention, updates) until the
// chair closes it:
//
//   AWAITING_DECISION --decide(accept)--> ACCEPTED --close--> CLOSED
//          |  \--decide(reject)--> REJECTED
//          \----withdraw---------> WITHDRAWN
//
// A decision can be corrected while the meeting that made it is open (to
// the other verdict, or back to awaiting a decision); a rejection's content
// is held until then, so that correcting it loses nothing. Once its meeting
// closes, a rejection is final; withdrawn and closed are final. This file holds the states, every
// move and its refusal, the filter stage, and the governance date rules that
// gate identifying data. The store converts states at its edge
// (state_name/parse_state); nothing else spells them.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "domain/decision.h"

namespace hubtable::domain {

enum class SituationState { kAwaitingDecision, kAccepted, kRejected, kWithdrawn, kClosed };

/// The stored and wire spelling, e.g. "AWAITING_DECISION" (the names of the
/// proto enum hubtable.v1.SituationState).
std::string_view state_name(SituationState s);
/// The state spelled `name`; nothing for a name that is not one.
std::optional<SituationState> parse_state(std::string_view name);
/// Every state, in lifecycle order.
const std::vector<SituationState>& all_states();

/// Accepted by the table, open or since closed (reports count both).
bool was_accepted(SituationState s);
/// Accepted and not closed: the case work of Filters 3 and 4 happens now,
/// and identifying data may be shared.
bool is_open_case(SituationState s);

/// Awaiting a decision or an open case: what comes up at meetings.
bool before_the_table(SituationState s);

/// The filter a situation is at: 2 until the table accepts it (and for
/// ever, when it rejects it or its agency withdraws it), then 3 until a
/// lead agency is named, then 4.
std::uint32_t filter_stage(SituationState s, bool lead_named);

enum class Move {
  kDecide,    // the table accepts or rejects it (Filter 2)
  kCorrect,   // the chair corrects that decision at the meeting that made it
  kAmend,     // its agency corrects the record before the decision
  kWithdraw,  // its agency takes it back before a decision
  kCaseWork,  // join, identify, assign, acknowledge, plan, intervene, update
  kClose,     // the chair closes the case
};

/// Whether a situation in state `s` may make `move`; otherwise the refusal
/// (FAILED_PRECONDITION). Decide and withdraw need a situation awaiting a
/// decision (rules situation.withdrawn, situation.already_decided); case work
/// and closing need an open case (rules `<verb>.closed`,
/// `<verb>.not_accepted`, where `verb` names the request, e.g. "assign").
Decision allow_move(SituationState s, Move move, std::string_view verb = "situation");

/// The state a move leads to (`accepted` says which way a decision went).
/// Case work and amendments do not change the state; a correction's state
/// is its verdict's (verdict_state).
SituationState after(SituationState s, Move move, bool accepted = false);

/// What the table says of a situation at Filter 2; correcting a decision,
/// also that it is undecided again.
enum class Verdict { kAccept, kReject, kUndecided };
SituationState verdict_state(Verdict v);

/// What correcting a decision depends on.
struct CorrectionFacts {
  SituationState state = SituationState::kAwaitingDecision;
  bool decided_at_open_meeting = false;  // the meeting that decided it is open
  bool rejection_held = false;           // a rejection's content is not yet erased
  bool identified = false;               // identifiers were entered since acceptance
  bool lead_named = false;
};
/// Whether the decision may be corrected to `to` (FAILED_PRECONDITION
/// otherwise): only at the open meeting that made it; a rejection whose
/// content the chair erased at once stands; an acceptance stands once its
/// case work reached identifiers or a lead (the case is closed instead).
Decision allow_correction(const CorrectionFacts& f, Verdict to);

/// An information-sharing agreement is current on `today` ("YYYY-MM-DD")
/// when it was signed on or before it and expires on or after it; an
/// unstated date (empty) is never current.
bool isa_current(std::string_view signed_on, std::string_view expires_on, std::string_view today);
/// A confidentiality agreement binds from the day it is signed.
bool agreement_signed(std::string_view signed_on, std::string_view today);

}  // namespace hubtable::domain
