#pragma once
// The store's edge for situation states: columns hold the names
// domain/lifecycle gives them, and their CHECK constraints allow no other.

#include <string_view>

#include "domain/lifecycle.h"
#include "store/connection.h"

namespace hubtable::store {

/// The state in `column` of the current row. A name the schema does not
/// allow cannot be stored; were one read, it would be taken as REJECTED, the
/// state that permits the least.
domain::SituationState state_at(const Statement& r, int column);

/// Binds the stored name of `s` to parameter `index`: SQL never spells a
/// state (the statements use ?20 for the state written, ?21 for the one
/// required).
Statement& bind_state(Statement& q, int index, domain::SituationState s);

}  // namespace hubtable::store
