#include "store/situation_state.h"

namespace hubtable::store {

domain::SituationState state_at(const Statement& r, int column) {
  return domain::parse_state(r.text_view(column)).value_or(domain::SituationState::kRejected);
}

}  // namespace hubtable::store
