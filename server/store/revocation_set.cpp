#include "store/revocation_set.h"

#include <mutex>

namespace hubtable::store {

bool RevocationSet::revoked(const std::string& thumbprint) const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return revoked_.count(thumbprint) != 0;
}

absl::Status RevocationSet::refresh(Connection& c) {
  auto s = c.prepare("SELECT thumbprint FROM certificates WHERE revoked_us IS NOT NULL");
  if (!s.ok()) return s.status();
  std::unordered_set<std::string> fresh;
  auto rows = s->for_each_row([&](const Statement& row) { fresh.insert(row.text(0)); });
  if (!rows.ok()) return rows;
  std::unique_lock<std::shared_mutex> lock(mutex_);
  revoked_ = std::move(fresh);
  return absl::OkStatus();
}

std::size_t RevocationSet::size() const {
  std::shared_lock<std::shared_mutex> lock(mutex_);
  return revoked_.size();
}

}  // namespace hubtable::store
