#pragma once
// The request dispatcher: Envelope in, authenticated principal, handler,
// Response out. Handlers run on the worker pool, never on an I/O thread.

#include <functional>
#include <memory>
#include <optional>

#include "api/principal.h"
#include "api/request_context.h"
#include "api/worker_pool.h"
#include "config/limits.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "domain/clock.h"
#include "domain/decision.h"
#include "hubtable/v1/audit.pb.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/database.h"

namespace hubtable::api {

/// Thread-safe. Owns its worker pool; the database, clock and random source
/// are borrowed and must outlive it.
class Service {
 public:
  using Done = std::function<void(hubtable::v1::Envelope)>;

  Service(store::Database& db, const domain::Clock& clock, crypto::RandomSource& random,
          crypto::Aes256Gcm totp_sealer, const config::Limits& limits);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Queues `request` for a worker; `done` is called exactly once with the
  /// response envelope, on a worker thread (or at once, on the caller's
  /// thread, with RESOURCE_EXHAUSTED when the queue is full).
  void submit(RequestContext ctx, hubtable::v1::Request request, Done done);

  /// Handles one request synchronously (used by submit and by tests).
  hubtable::v1::Response handle(const RequestContext& ctx, const hubtable::v1::Request& request);

  /// Records a request that was refused before dispatch (bad frame, rate limit).
  void audit_rejected(const RequestContext& ctx, const std::string& rule, hubtable::v1::Code code);

  /// Finishes queued work and stops the workers.
  void stop();

 private:
  hubtable::v1::Response login(const RequestContext& ctx, const hubtable::v1::LoginRequest& req);
  hubtable::v1::Response logout(const RequestContext& ctx, const Principal& p);
  hubtable::v1::Response whoami(const RequestContext& ctx, const Principal& p);
  hubtable::v1::Response list_vocabulary(const RequestContext& ctx, const Principal& p,
                                         const hubtable::v1::ListVocabularyRequest& req);
  hubtable::v1::Response deid_check(const RequestContext& ctx, const Principal& p,
                                    const hubtable::v1::DeidCheckRequest& req);

  /// Resolves the session; on refusal returns the error response (audited).
  std::optional<Principal> authenticate(const RequestContext& ctx,
                                        const hubtable::v1::Request& request,
                                        hubtable::v1::Response& refusal);

  hubtable::v1::AuditEvent event(const RequestContext& ctx, const Principal* p,
                                 const std::string& action) const;
  /// Appends an OK event for `action` inside the caller's write transaction.
  absl::Status append_ok(store::Connection& c, const RequestContext& ctx, const Principal& p,
                         const std::string& action, const std::string& rule) const;
  /// A change that commits in the same transaction as its audit event.
  using Change = std::function<absl::Status(store::Connection&)>;
  /// Appends one event in its own write transaction (for reads and denials),
  /// after `change` when given.
  void audit_now(hubtable::v1::AuditEvent e, const Change& change = nullptr);
  /// Audits the denial (with `change`, e.g. a throttling record) and builds
  /// the refusal response.
  hubtable::v1::Response refuse(const RequestContext& ctx, const Principal* p,
                                const std::string& action, const domain::Decision& d,
                                const Change& change = nullptr);

  store::Database& db_;
  const domain::Clock& clock_;
  crypto::RandomSource& random_;
  crypto::Aes256Gcm totp_sealer_;
  config::Limits limits_;
  std::string dummy_password_hash_;  // verified for unknown accounts to even out timing
  WorkerPool pool_;
};

/// UNAVAILABLE (rule store.unavailable): the database could not be used.
hubtable::v1::Response unavailable_response();

/// Maps a domain refusal to the wire status code.
hubtable::v1::Code to_code(domain::Refusal r);

/// Associated data binding a sealed TOTP secret to its account.
std::string totp_associated_data(std::int64_t user_id);

}  // namespace hubtable::api
