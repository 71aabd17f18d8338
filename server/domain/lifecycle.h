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
// Rejected, withdrawn and closed are final. This file holds the states, every
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
/// Case work does not change the state.
SituationState after(SituationState s, Move move, bool accepted = false);

/// An information-sharing agreement is current on `today` ("YYYY-MM-DD")
/// when it was signed on or before it and expires on or after it; an
/// unstated date (empty) is never current.
bool isa_current(std::string_view signed_on, std::string_view expires_on, std::string_view today);
/// A confidentiality agreement binds from the day it is signed.
bool agreement_signed(std::string_view signed_on, std::string_view today);

}  // namespace hubtable::domain
