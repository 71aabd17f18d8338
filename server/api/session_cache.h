#pragma once
// What a request's session check reads of its session, and the copies the
// server keeps of it (issue 20). Every request checks its session: the
// session, its account, the account's agency, roles and tables, the
// connection's certificate. Five lookups on a reader whose pages every commit
// empties, for facts that change a few times a day. A copy is used only while
// store::principal_version, which every change to those facts changes
// (schema 0016), whichever process makes it, is the one it was read at: one
// lookup instead of five, and no answer older than the snapshot the request
// reads anyway.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "api/principal.h"
#include "crypto/hash.h"
#include "store/accounts.h"
#include "store/connection.h"

namespace hubtable::api {

/// What Service::authenticate reads of a session, from one snapshot. What
/// depends on the time (timeouts, an agreement signed "on or before today")
/// is decided from it at each use.
struct SessionRead {
  std::int64_t version = 0;  // store::principal_version in the same snapshot
  std::string certificate;   // the connection's certificate it was read for
  store::SessionRecord session;
  bool account_disabled = false;
  bool certificate_revoked = false;  // revoked, or registered to nobody
  std::string confidentiality_signed_on;
  /// The account, its agency and its roles; no thumbprint, token or times.
  Principal principal;
};

/// Reads the session `token_hash` names, checked on a connection presenting
/// `certificate`, in `c`'s open transaction, whose store::principal_version
/// the caller read as `version`; nullopt when there is none.
absl::StatusOr<std::optional<SessionRead>> read_session(store::Connection& c,
                                                        const crypto::Digest& token_hash,
                                                        const std::string& certificate,
                                                        std::int64_t version);

/// The sessions read so far, each kept until the version changes. All the
/// copies are of one version: keeping a read of another forgets the rest,
/// so what is kept is at most the sessions in use since the last change,
/// and at most kMaxSessions of them. Keyed by the token's hash, as the
/// database is; the token itself is never kept. Thread-safe.
class SessionCache {
 public:
  static constexpr std::size_t kMaxSessions = 4096;

  /// The session kept for `token_hash`, if it was read at `version` for a
  /// connection presenting `certificate`.
  std::optional<SessionRead> find(const crypto::Digest& token_hash, std::string_view certificate,
                                  std::int64_t version) const;
  /// The session kept for `token_hash`, for a connection presenting
  /// `certificate`, whatever version it was read at (its `version` says
  /// which: the caller checks it is still the database's).
  std::optional<SessionRead> find_kept(const crypto::Digest& token_hash,
                                       std::string_view certificate) const;
  void keep(const crypto::Digest& token_hash, SessionRead read);
  /// The session's last use was refreshed to `last_seen_us` (the one change
  /// to a session that leaves the version where it is).
  void seen(const crypto::Digest& token_hash, std::int64_t last_seen_us);
  std::size_t size() const;

 private:
  std::optional<SessionRead> find_locked(const crypto::Digest& token_hash,
                                         std::string_view certificate) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_);

  mutable std::mutex mutex_;
  std::int64_t version_ ABSL_GUARDED_BY(mutex_) = 0;
  absl::flat_hash_map<crypto::Digest, SessionRead> sessions_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace hubtable::api
