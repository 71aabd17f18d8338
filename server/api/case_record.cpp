#include "api/case_record.h"

#include "store/identity_vault.h"
#include "store/situations.h"

namespace hubtable::api {

absl::StatusOr<crypto::SecretBytes> data_key(store::Connection& c, const crypto::Vault& vault,
                                             crypto::RandomSource& random,
                                             const std::string& situation_id, std::int64_t now_us) {
  auto wrapped = store::find_wrapped_key(c, situation_id);
  if (!wrapped.ok()) return wrapped.status();
  if (*wrapped) return vault.unwrap(**wrapped, situation_id);
  crypto::SecretBytes dek = crypto::Vault::new_data_key(random);
  auto w = vault.wrap(dek, situation_id, random);
  if (!w.ok()) return w.status();
  if (auto st = store::insert_wrapped_key(c, situation_id, *w, now_us); !st.ok()) return st;
  return dek;
}

std::optional<std::int64_t> participant_id(const CaseFacts& f, const std::string& agency) {
  for (const auto& p : f.participants) {
    if (p.agency == agency) return p.agency_id;
  }
  return std::nullopt;
}

std::string as_string(const crypto::SecretBytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};  // NOLINT(*reinterpret-cast*)
}

absl::Status refill(Work& w, v1::Situation& out) {
  Loaded& k = w.subject;
  auto s = store::find_situation(w.c, k.situation.id);
  if (!s.ok()) return s.status();
  if (!*s) return absl::InternalError("situation vanished");
  k.situation = std::move(**s);
  auto facts = load_case_facts(w.c, k.situation);
  if (!facts.ok()) return facts.status();
  k.facts = std::move(*facts);
  fill_situation(k.situation, domain::RecordView::kDeidentified, &k.facts, w.now_us, out);
  return absl::OkStatus();
}

absl::StatusOr<domain::Decision> change_case(Work& w, std::string_view verb, domain::Move move,
                                             v1::Situation& out, const CaseChange& change) {
  if (auto open = domain::allow_move(w.subject.situation.state, move, verb); !open.allowed()) {
    return open;
  }
  auto changed = change(w.subject);
  if (!changed.ok() || !changed->allowed()) return changed;
  if (auto st = refill(w, out); !st.ok()) return st;
  return w.access().decision;
}

}  // namespace hubtable::api
