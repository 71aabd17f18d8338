#pragma once
// The request dispatcher: Envelope in, authenticated principal, the request
// table's row (api/request_table.h), its subject loaded and authorized,
// the handler, Response out. Handlers run on the worker pool, never on an
// I/O thread. The rest of the server's work is composed here: the audited
// transaction machinery (api/audited_work.h), live events
// (api/event_hub.h) and periodic upkeep (api/upkeep.h).

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "api/access_statement.h"
#include "api/admin_handlers.h"
#include "api/alert_handlers.h"
#include "api/audit_handlers.h"
#include "api/audited_work.h"
#include "api/decision_handlers.h"
#include "api/event_hub.h"
#include "api/filter3_handlers.h"
#include "api/filter4_handlers.h"
#include "api/login.h"
#include "api/meeting_handlers.h"
#include "api/principal.h"
#include "api/reference_handlers.h"
#include "api/report_handlers.h"
#include "api/request_context.h"
#include "api/request_metrics.h"
#include "api/request_sink.h"
#include "api/request_table.h"
#include "api/session_cache.h"
#include "api/session_handlers.h"
#include "api/situation_handlers.h"
#include "api/tasks.h"
#include "api/upkeep.h"
#include "api/worker_pool.h"
#include "audit/checkpointer.h"
#include "config/limits.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/vault.h"
#include "domain/clock.h"
#include "domain/session_policy.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/database.h"
#include "store/revocation_set.h"

namespace hubtable::api {

/// Thread-safe. Owns its worker pool; the database, clock and random source
/// are borrowed and must outlive it. Every worker shares the handler groups
/// (which hold only references and the Vault, whose methods are const) and
/// the Upkeep (thread-safe).
class Service final : public RequestSink {
 public:
  Service(store::Database& db, const domain::Clock& clock, crypto::RandomSource& random,
          crypto::Aes256Gcm totp_sealer, crypto::Vault vault, audit::Checkpointer checkpointer,
          const config::Limits& limits);
  ~Service() override;
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  /// Queues `request` for a worker, in the lane of the caller's certificate:
  /// one principal's requests run one at a time, so a flood from one user
  /// holds one worker. `done` is called exactly once with the response
  /// envelope, on a worker thread. Returns false when the request was
  /// refused instead (the queue or the caller's lane is full): `done` has
  /// then been called, on this thread, with RESOURCE_EXHAUSTED, and the
  /// refusal is the caller's to count (record_rejected_frames).
  bool submit(RequestContext ctx, hubtable::v1::Request request, Done done) override;

  /// Handles one request synchronously (used by submit and by tests), then
  /// signs a checkpoint if 256 events have gone unsigned.
  hubtable::v1::Response handle(const RequestContext& ctx, const hubtable::v1::Request& request);

  /// Records the frames a connection sent that were refused before
  /// dispatch, as one "request.rejected" event with a count per rule. Never
  /// blocks and never drops the event: it waits in memory (one per ended
  /// connection) until a worker writes it, or until stop().
  void record_rejected_frames(const RequestContext& ctx,
                              const std::map<std::string, std::uint64_t>& counts) override;

  /// Finishes queued work, stops the workers, and writes the rejected-frame
  /// events still waiting. Idempotent; call again after late connections
  /// have ended to write theirs.
  void stop();

  /// The revoked certificates, for the TLS handshake.
  const store::RevocationSet& revocations() const { return revocations_; }
  /// Re-reads the revoked certificates now (at start, on this thread).
  absl::Status refresh_revocations();
  /// Queues refresh_revocations() on a worker (from the server's timer).
  void schedule_revocation_refresh();

  /// Upkeep::sweep, now; and queued on a worker (from the server's timer).
  absl::StatusOr<int> sweep() { return upkeep_.sweep(); }
  void schedule_sweep();
  /// Upkeep::checkpoint, now (the timer and shutdown pass 1); and queued.
  absl::Status checkpoint(std::uint64_t min_unsigned = 1) {
    return upkeep_.checkpoint(min_unsigned);
  }
  void schedule_checkpoint();
  /// Upkeep::verify_log, now (at start); and queued every
  /// alerts.verify_interval.
  absl::StatusOr<bool> verify_log() { return upkeep_.verify_log(); }
  void schedule_verify();
  /// Queues a probe on a worker: a read of the database, then `alive()`
  /// if it succeeded. The service manager's watchdog is fed this way, so
  /// stuck workers or an unreadable database stop the feeding.
  void schedule_probe(std::function<void()> alive);

  /// What the metrics endpoint reports of the requests answered.
  const RequestMetrics& metrics() const { return metrics_; }
  /// Jobs waiting for a worker.
  std::size_t queue_depth() const { return pool_.queued(); }
  /// Upkeep::check_log_end: at start, before the listener opens. Once the
  /// log is found damaged every request is answered UNAVAILABLE (rule
  /// audit.log_damaged) until the server restarts on a restored log.
  absl::Status check_log_end() { return upkeep_.check_log_end(); }

  EventHub& events() { return events_; }
  const RequestTable& requests() const { return table_; }

 private:
  // handle() without the metrics: the answer, checked for size and for a
  // damaged log.
  hubtable::v1::Response answer(const RequestContext& ctx, const hubtable::v1::Request& request);
  hubtable::v1::Response dispatch(const RequestContext& ctx, const hubtable::v1::Request& request);
  /// Runs `route` for an authenticated caller: its subject loaded and
  /// authorized, its handler, its audit event, then what waits for the commit.
  /// With a premise, its work is done only while the premise holds (see
  /// AuditedWork::Premise): otherwise nothing is done, and the answer is
  /// empty.
  hubtable::v1::Response run(const Route& route, const RequestContext& ctx, const Principal& p,
                             const hubtable::v1::Request& request,
                             AuditedWork::Premise* premise = nullptr);
  /// Resolves the session; on refusal returns the error response (audited).
  std::optional<Principal> authenticate(const RequestContext& ctx,
                                        const hubtable::v1::Request& request,
                                        hubtable::v1::Response& refusal);
  /// The caller, from the copy kept of its session (no lookup), and the
  /// store::principal_version it was read at, for the request to check in
  /// its own transaction. Nullopt when no copy is kept, or when the copy
  /// would not let the request through as it is: a refusal, or a refresh of
  /// the session's last use, is authenticate()'s to make from a fresh read.
  struct KeptSession {
    Principal principal;
    std::int64_t version = 0;
  };
  std::optional<KeptSession> kept_session(const RequestContext& ctx,
                                          const hubtable::v1::Request& request);
  /// A session check's facts before the session is read: the time, the
  /// timeouts, and whether a token was given.
  domain::SessionFacts session_facts(const hubtable::v1::Request& request) const;
  /// Adds to `facts` what `read` says of the session, and makes `p` (which
  /// holds the token's hash) the caller it names.
  static void found(SessionRead read, const RequestContext& ctx, domain::SessionFacts& facts,
                    Principal& p);
  /// Whether the session's last use is due a refresh (every quarter of the
  /// idle timeout, so that reads do not all queue on the writer).
  static bool refresh_due(const domain::SessionFacts& facts, const Principal& p);

  /// Writes the waiting rejected-frame events in one transaction.
  void write_rejected_frames();
  /// Queues write_rejected_frames() unless it is queued already.
  void schedule_rejected_frames();

  store::Database& db_;
  const domain::Clock& clock_;
  const config::Limits limits_;
  const crypto::Vault vault_;
  EventHub events_;
  AuditedWork audited_;
  Upkeep upkeep_;
  // The handler groups, each naming what it uses.
  Login login_;
  SessionHandlers session_;
  ReferenceHandlers reference_;
  MeetingHandlers meetings_;
  SituationHandlers situations_;
  DecisionHandlers decisions_;
  FilterThree filter3_;
  FilterFour filter4_;
  AuditHandlers audit_;
  AccessStatement access_statement_;
  AlertHandlers alerts_;
  ReportHandlers reports_;
  AdminHandlers admin_;
  TaskHandlers tasks_;
  const RequestTable table_;
  store::RevocationSet revocations_;
  SessionCache sessions_;
  std::mutex rejected_mutex_;
  // request.rejected events not yet written.
  std::vector<hubtable::v1::AuditEvent> rejected_waiting_ ABSL_GUARDED_BY(rejected_mutex_);
  bool rejected_write_queued_ ABSL_GUARDED_BY(rejected_mutex_) = false;
  RequestMetrics metrics_;
  WorkerPool pool_;
};

}  // namespace hubtable::api
