#pragma once
// Login: password, second factor and certificate, before there is a
// session. Every step is audited (an incomplete step as AUDIT_INCOMPLETE);
// failures count towards throttling in the same transaction as their audit
// event; secrets are checked outside any database lock.

#include <optional>
#include <string>

#include "api/audited_work.h"
#include "api/principal.h"
#include "api/request_context.h"
#include "config/limits.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "domain/clock.h"
#include "domain/login_policy.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/accounts.h"
#include "store/database.h"

namespace hubtable::api {

class Login {
 public:
  Login(store::Database& db, const domain::Clock& clock, crypto::RandomSource& random,
        crypto::Aes256Gcm totp_sealer, const config::Limits& limits, AuditedWork& audited);

  hubtable::v1::Response handle(const RequestContext& ctx, const hubtable::v1::LoginRequest& req);

 private:
  /// What one login attempt found out, step by step.
  struct Attempt {
    domain::LoginFacts facts;
    std::optional<store::UserRecord> user;
    Principal who;          // the account named, as the audit records it
    std::string time_zone;  // the zone the person's times are shown in
  };
  /// The account, its failures, roles and certificate, in one snapshot.
  absl::Status read_facts(const RequestContext& ctx, const hubtable::v1::LoginRequest& req,
                          Attempt& a);
  /// The password and second factor, checked outside any database lock.
  void check_secrets(const hubtable::v1::LoginRequest& req, Attempt& a) const;
  /// Audits the refusal `d` (a failure with its throttling record).
  hubtable::v1::Response refuse(const RequestContext& ctx, const Attempt& a,
                                const domain::Decision& d);
  /// Opens the session (and changes the password) with its audit event.
  hubtable::v1::Response open_session(const RequestContext& ctx,
                                      const hubtable::v1::LoginRequest& req, const Attempt& a);

  store::Database& db_;
  const domain::Clock& clock_;
  crypto::RandomSource& random_;     // session tokens
  crypto::Aes256Gcm totp_sealer_;    // opens TOTP secrets
  const config::Limits& limits_;     // throttling and session lifetimes
  AuditedWork& audited_;             // every step's audit event
  std::string dummy_password_hash_;  // verified for unknown accounts to even out timing
};

}  // namespace hubtable::api
