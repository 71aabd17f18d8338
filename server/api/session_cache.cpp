#include "api/session_cache.h"

#include <algorithm>
#include <utility>

#include "store/governance.h"

namespace hubtable::api {

absl::StatusOr<std::optional<SessionRead>> read_session(store::Connection& c,
                                                        const crypto::Digest& token_hash,
                                                        const std::string& certificate,
                                                        std::int64_t version) {
  auto session = store::find_session(c, token_hash);
  if (!session.ok()) return session.status();
  if (!*session) return std::optional<SessionRead>();
  SessionRead r;
  r.version = version;
  r.certificate = certificate;
  r.session = std::move(**session);
  auto user = store::find_user_by_id(c, r.session.user_id);
  if (!user.ok()) return user.status();
  if (!*user) return absl::InternalError("session without account");
  r.account_disabled = (*user)->disabled_us.has_value();
  auto cert = store::find_certificate(c, certificate);
  if (!cert.ok()) return cert.status();
  r.certificate_revoked = !*cert || (*cert)->revoked_us.has_value();
  auto roles = store::roles_for_user(c, (*user)->id);
  if (!roles.ok()) return roles.status();
  auto governance = store::governance_of(c, (*user)->id);
  if (!governance.ok()) return governance.status();
  r.confidentiality_signed_on = std::move(governance->confidentiality_signed_on);
  Principal& p = r.principal;
  p.user_id = (*user)->id;
  p.username = std::move((*user)->username);
  p.display_name = std::move((*user)->display_name);
  p.agency_code = std::move((*user)->agency_code);
  p.agency_name = std::move((*user)->agency_name);
  p.roles = std::move(*roles);
  return std::optional<SessionRead>(std::move(r));
}

std::optional<SessionRead> SessionCache::find(const crypto::Digest& token_hash,
                                              std::string_view certificate,
                                              std::int64_t version) const {
  std::lock_guard lock(mutex_);
  if (version != version_) return std::nullopt;
  return find_locked(token_hash, certificate);
}

std::optional<SessionRead> SessionCache::find_locked(const crypto::Digest& token_hash,
                                                     std::string_view certificate) const {
  auto it = sessions_.find(token_hash);
  if (it == sessions_.end() || it->second.certificate != certificate) return std::nullopt;
  return it->second;
}

std::optional<SessionRead> SessionCache::find_kept(const crypto::Digest& token_hash,
                                                   std::string_view certificate) const {
  std::lock_guard lock(mutex_);
  return find_locked(token_hash, certificate);
}

void SessionCache::keep(const crypto::Digest& token_hash, SessionRead read) {
  std::lock_guard lock(mutex_);
  if (read.version != version_ || sessions_.size() >= kMaxSessions) {
    sessions_.clear();
    version_ = read.version;
  }
  sessions_.insert_or_assign(token_hash, std::move(read));
}

void SessionCache::seen(const crypto::Digest& token_hash, std::int64_t last_seen_us) {
  std::lock_guard lock(mutex_);
  auto it = sessions_.find(token_hash);
  if (it == sessions_.end()) return;
  it->second.session.last_seen_us = std::max(it->second.session.last_seen_us, last_seen_us);
}

std::size_t SessionCache::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

}  // namespace hubtable::api
