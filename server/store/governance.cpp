#include "store/governance.h"

#include <algorithm>
#include <cstring>
#include <set>

namespace hubtable::store {

absl::StatusOr<Governance> governance_of(Connection& c, std::int64_t user_id) {
  auto q = c.prepare(
      "SELECT COALESCE(a.isa_signed_on, ''), COALESCE(a.isa_expires_on, ''), "
      "COALESCE(u.confidentiality_signed_on, '') FROM users u "
      "LEFT JOIN agencies a ON a.id = u.agency_id WHERE u.id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, user_id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::NotFoundError("account not found");
  return Governance{q->text(0), q->text(1), q->text(2)};
}

absl::StatusOr<bool> set_agency_isa(Connection& c, const std::string& agency,
                                    const std::string& signed_on, const std::string& expires_on) {
  auto st = run_statement(
      c,
      "UPDATE agencies SET isa_signed_on = NULLIF(?2, ''), isa_expires_on = NULLIF(?3, '') "
      "WHERE code = ?1",
      [&](Statement& q) { q.bind(1, agency).bind(2, signed_on).bind(3, expires_on); });
  if (!st.ok()) return st;
  return c.changes() == 1;
}

absl::StatusOr<bool> set_user_confidentiality(Connection& c, const std::string& username,
                                              const std::string& signed_on) {
  auto st = run_statement(
      c, "UPDATE users SET confidentiality_signed_on = NULLIF(?2, '') WHERE username = ?1",
      [&](Statement& q) { q.bind(1, username).bind(2, signed_on); });
  if (!st.ok()) return st;
  return c.changes() == 1;
}

}  // namespace hubtable::store
