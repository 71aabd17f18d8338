#include "store/situation_state.h"

namespace hubtable::store {

domain::SituationState state_at(const Statement& r, int column) {
  return domain::parse_state(r.text_view(column)).value_or(domain::SituationState::kRejected);
}

Statement& bind_state(Statement& q, int index, domain::SituationState s) {
  return q.bind(index, domain::state_name(s));
}

}  // namespace hubtable::store
