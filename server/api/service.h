#pragma once
// The request dispatcher: Envelope in, authenticated principal, handler,
// Response out. Handlers run on the worker pool, never on an I/O thread.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "api/event_hub.h"
#include "api/principal.h"
#include "api/request_context.h"
#include "api/request_sink.h"
#include "api/worker_pool.h"
#include "audit/checkpointer.h"
#include "config/limits.h"
#include "crypto/aead.h"
#include "crypto/random.h"
#include "crypto/vault.h"
#include "domain/authorize.h"
#include "domain/clock.h"
#include "domain/decision.h"
#include "hubtable/v1/audit.pb.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/database.h"
#include "store/revocation_set.h"

namespace hubtable::api {

/// What an audit event says a request touched (never values).
struct AuditScope {
  std::string table;
  std::string meeting;
  std::string situation;
  std::uint32_t filter_stage = 0;
  std::vector<std::string> data_elements;
  std::string legal_authority;  // disclosures: the authority relied on
  std::string purpose;
  std::string target;                               // administrative changes: the agency or account
  std::uint64_t break_glass_id = 0;                 // a break-glass reveal's sealed justification
  std::optional<hubtable::v1::AuditReport> report;  // reports: the parameters
  domain::ActingRole role = domain::ActingRole::kNone;  // the role the caller acted in
};

/// Alerts raised inside a transaction, pushed once it commits.
using Raised = std::vector<hubtable::v1::AuditEvent>;

/// Thread-safe. Owns its worker pool; the database, clock and random source
/// are borrowed and must outlive it.
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

  /// Periodic upkeep, run synchronously: crypto-shreds situations whose
  /// retention ended and pushes deadline events (acknowledgement overdue,
  /// intervention overdue, open 90 days without an update), each once per
  /// process. Returns how many situations were purged.
  absl::StatusOr<int> sweep();
  /// Queues sweep() on a worker (from the server's timer).
  void schedule_sweep();

  /// Signs a checkpoint of the audit log when at least `min_unsigned` events
  /// follow the last one (the timer and shutdown pass 1).
  absl::Status checkpoint(std::uint64_t min_unsigned = 1);
  /// Queues checkpoint() on a worker (from the server's timer).
  void schedule_checkpoint();

  /// The server's own check of its stored log (the walk of `hubtabled
  /// verify-audit`), at start and every alerts.verify_interval. A problem
  /// raises a "verification_failed" alert for every privacy officer, once
  /// per problem per process. Returns whether the log verified.
  absl::StatusOr<bool> verify_log();
  /// Queues verify_log() on a worker.
  void schedule_verify();

  /// Checks that the log can take its next event: when its tail was
  /// removed while its tree remains, nothing can be audited consistently, so
  /// the server fails closed: says why in one log line, raises a
  /// verification_failed alert (written after the tree's end), and answers
  /// every request UNAVAILABLE (rule audit.log_damaged) until restarted on a
  /// restored log. Run at start, before the listener opens, and whenever a
  /// request could not use the database.
  absl::Status check_log_end();

  EventHub& events() { return events_; }

 private:
  hubtable::v1::Response dispatch(const RequestContext& ctx, const hubtable::v1::Request& request);
  hubtable::v1::Response login(const RequestContext& ctx, const hubtable::v1::LoginRequest& req);
  hubtable::v1::Response logout(const RequestContext& ctx, const Principal& p);
  hubtable::v1::Response whoami(const RequestContext& ctx, const Principal& p);
  hubtable::v1::Response list_vocabulary(const RequestContext& ctx, const Principal& p,
                                         const hubtable::v1::ListVocabularyRequest& req);
  hubtable::v1::Response deid_check(const RequestContext& ctx, const Principal& p,
                                    const hubtable::v1::DeidCheckRequest& req);
  // Meetings (meeting_handlers.cpp).
  hubtable::v1::Response list_meetings(const RequestContext& ctx, const Principal& p,
                                       const hubtable::v1::ListMeetingsRequest& req);
  hubtable::v1::Response open_meeting(const RequestContext& ctx, const Principal& p,
                                      const hubtable::v1::OpenMeetingRequest& req);
  hubtable::v1::Response check_in(const RequestContext& ctx, const Principal& p,
                                  const hubtable::v1::CheckInRequest& req);
  hubtable::v1::Response agenda(const RequestContext& ctx, const Principal& p,
                                const hubtable::v1::AgendaRequest& req);
  hubtable::v1::Response close_meeting(const RequestContext& ctx, const Principal& p,
                                       const hubtable::v1::CloseMeetingRequest& req);
  hubtable::v1::Response minutes(const RequestContext& ctx, const Principal& p,
                                 const hubtable::v1::MinutesRequest& req);
  // Situations, Filters 1 and 2 (situation_handlers.cpp).
  hubtable::v1::Response submit_situation(const RequestContext& ctx, const Principal& p,
                                          const hubtable::v1::SubmitSituationRequest& req);
  hubtable::v1::Response list_situations(const RequestContext& ctx, const Principal& p,
                                         const hubtable::v1::ListSituationsRequest& req);
  hubtable::v1::Response show_situation(const RequestContext& ctx, const Principal& p,
                                        const hubtable::v1::ShowSituationRequest& req);
  hubtable::v1::Response decide_situation(const RequestContext& ctx, const Principal& p,
                                          const hubtable::v1::DecideSituationRequest& req);
  hubtable::v1::Response withdraw_situation(const RequestContext& ctx, const Principal& p,
                                            const hubtable::v1::WithdrawSituationRequest& req);
  // Filters 3 and 4 (filter_handlers.cpp).
  hubtable::v1::Response join_situation(const RequestContext& ctx, const Principal& p,
                                        const hubtable::v1::JoinSituationRequest& req);
  hubtable::v1::Response identify_situation(const RequestContext& ctx, const Principal& p,
                                            const hubtable::v1::IdentifySituationRequest& req);
  hubtable::v1::Response reveal_situation(const RequestContext& ctx, const Principal& p,
                                          const hubtable::v1::RevealSituationRequest& req);
  hubtable::v1::Response assign_situation(const RequestContext& ctx, const Principal& p,
                                          const hubtable::v1::AssignSituationRequest& req);
  hubtable::v1::Response ack_situation(const RequestContext& ctx, const Principal& p,
                                       const hubtable::v1::AckSituationRequest& req);
  hubtable::v1::Response plan_situation(const RequestContext& ctx, const Principal& p,
                                        const hubtable::v1::PlanSituationRequest& req);
  hubtable::v1::Response intervene_situation(const RequestContext& ctx, const Principal& p,
                                             const hubtable::v1::InterveneSituationRequest& req);
  hubtable::v1::Response update_situation(const RequestContext& ctx, const Principal& p,
                                          const hubtable::v1::UpdateSituationRequest& req);
  hubtable::v1::Response close_situation(const RequestContext& ctx, const Principal& p,
                                         const hubtable::v1::CloseSituationRequest& req);
  hubtable::v1::Response watch(const RequestContext& ctx, const Principal& p);
  hubtable::v1::Response set_governance(const RequestContext& ctx, const Principal& p,
                                        const hubtable::v1::SetGovernanceRequest& req);
  // The audit log's integrity (audit_handlers.cpp).
  hubtable::v1::Response audit_checkpoint(const RequestContext& ctx, const Principal& p,
                                          const hubtable::v1::AuditCheckpointRequest& req);
  hubtable::v1::Response audit_log(const RequestContext& ctx, const Principal& p,
                                   const hubtable::v1::AuditLogRequest& req);
  hubtable::v1::Response audit_query(const RequestContext& ctx, const Principal& p,
                                     const hubtable::v1::AuditQueryRequest& req);
  hubtable::v1::Response audit_proof(const RequestContext& ctx, const Principal& p,
                                     const hubtable::v1::AuditProofRequest& req);
  hubtable::v1::Response audit_disclosures(const RequestContext& ctx, const Principal& p,
                                           const hubtable::v1::AuditDisclosuresRequest& req);
  // Alerts (alerts.cpp).
  hubtable::v1::Response audit_alerts(const RequestContext& ctx, const Principal& p,
                                      const hubtable::v1::AuditAlertsRequest& req);
  hubtable::v1::Response audit_report_failure(const RequestContext& ctx, const Principal& p,
                                              const hubtable::v1::AuditReportFailureRequest& req);
  // Reports (report_handlers.cpp).
  hubtable::v1::Response report_summary(const RequestContext& ctx, const Principal& p,
                                        const hubtable::v1::ReportSummaryRequest& req);
  hubtable::v1::Response report_export(const RequestContext& ctx, const Principal& p,
                                       const hubtable::v1::ReportExportRequest& req);

  /// Appends `e` and, in the same transaction, every alert it raises (added
  /// to `raised`, to be pushed once the transaction commits).
  absl::Status record(store::Connection& c, hubtable::v1::AuditEvent e, Raised& raised) const;
  /// The alerts `e` (already appended, with its sequence) raises.
  absl::StatusOr<Raised> alerts_for(store::Connection& c, const hubtable::v1::AuditEvent& e) const;
  /// Pushes committed alerts to the privacy officers (and, for break-glass,
  /// the chairs) watching.
  void push_alerts(const Raised& raised);
  /// Appends an alert that no request raised (a failed verification) in its
  /// own transaction, and pushes it. Returns its sequence number.
  absl::StatusOr<std::uint64_t> raise_alert(hubtable::v1::AuditEvent alert);

  /// Pushes a live event to its audience.
  void publish(const std::string& kind, const std::string& table, const std::string& situation,
               const std::string& agency, const std::string& message, const Audience& audience);

  /// A handler's work inside one transaction. It fills `out` and `scope` and
  /// returns the decision: on allow, the OK event (with the decision's rule)
  /// is appended in the same transaction, which then commits; on deny, the
  /// transaction rolls back and the refusal is audited on its own.
  using Body = std::function<absl::StatusOr<domain::Decision>(store::Connection&, AuditScope&,
                                                              hubtable::v1::Response&)>;
  /// For requests that change something: the body runs on the writer.
  hubtable::v1::Response run_write(const RequestContext& ctx, const Principal& p,
                                   domain::Action action, const Body& body);
  /// For reads: the body runs on a reader; the response leaves only after its
  /// OK event is committed.
  hubtable::v1::Response run_read(const RequestContext& ctx, const Principal& p,
                                  domain::Action action, const Body& body);

  /// Resolves the session; on refusal returns the error response (audited).
  std::optional<Principal> authenticate(const RequestContext& ctx,
                                        const hubtable::v1::Request& request,
                                        hubtable::v1::Response& refusal);

  hubtable::v1::AuditEvent event(const RequestContext& ctx, const Principal* p,
                                 const std::string& action, const AuditScope& scope = {}) const;
  /// The OK event for `action`, allowed by `rule`.
  hubtable::v1::AuditEvent ok_event(const RequestContext& ctx, const Principal& p,
                                    const std::string& action, const std::string& rule,
                                    const AuditScope& scope) const;
  /// Appends an OK event for `action` inside the caller's write transaction.
  absl::Status append_ok(store::Connection& c, const RequestContext& ctx, const Principal& p,
                         const std::string& action, const std::string& rule,
                         const AuditScope& scope, Raised& raised) const;
  /// A change that commits in the same transaction as its audit event.
  using Change = std::function<absl::Status(store::Connection&)>;
  /// Appends one event in its own write transaction (for reads and denials),
  /// after `change` when given.
  absl::Status audit_now(hubtable::v1::AuditEvent e, const Change& change = nullptr);
  /// Audits the denial (with `change`, e.g. a throttling record) and builds
  /// the refusal response. `outcome` is AUDIT_DENIED but for a login step.
  hubtable::v1::Response refuse(const RequestContext& ctx, const Principal* p,
                                const std::string& action, const domain::Decision& d,
                                const Change& change = nullptr, const AuditScope& scope = {},
                                hubtable::v1::AuditOutcome outcome = hubtable::v1::AUDIT_DENIED);

  /// After an erasure: truncates the WAL (store::Database::truncate_wal);
  /// when a reader holds it, the next sweep tries again.
  void erase_old_copies();

  /// Writes the waiting rejected-frame events in one transaction.
  void write_rejected_frames();
  /// Queues write_rejected_frames() unless it is queued already.
  void schedule_rejected_frames();

  store::Database& db_;
  const domain::Clock& clock_;
  crypto::RandomSource& random_;
  crypto::Aes256Gcm totp_sealer_;
  crypto::Vault vault_;
  audit::Checkpointer checkpointer_;
  config::Limits limits_;
  EventHub events_;
  std::mutex notified_mutex_;
  // "kind/situation" deadline events already pushed.
  std::set<std::string> notified_ ABSL_GUARDED_BY(notified_mutex_);
  // Verification problems already alerted.
  std::set<std::string> verify_alerted_ ABSL_GUARDED_BY(notified_mutex_);
  std::string dummy_password_hash_;  // verified for unknown accounts to even out timing
  store::RevocationSet revocations_;
  std::atomic<bool> log_damaged_{false};
  std::atomic<bool> erasure_pending_{false};  // an erased row may survive in WAL frames
  std::mutex rejected_mutex_;
  // request.rejected events not yet written.
  std::vector<hubtable::v1::AuditEvent> rejected_waiting_ ABSL_GUARDED_BY(rejected_mutex_);
  bool rejected_write_queued_ ABSL_GUARDED_BY(rejected_mutex_) = false;
  WorkerPool pool_;
};

/// The answer when the database could not be used because of `cause`:
/// RESOURCE_EXHAUSTED (rule store.full) when its storage is full,
/// UNAVAILABLE (rule store.unavailable) otherwise.
hubtable::v1::Response unavailable_response(const absl::Status& cause);

/// Maps a domain refusal to the wire status code.
hubtable::v1::Code to_code(domain::Refusal r);

/// The table a request concerns: `requested`, or the caller's only table
/// (empty when they sit at none). Denies when they sit at several and did
/// not say which.
domain::Decision pick_table(const Principal& p, const std::string& requested, std::string& table);

/// The role an audit event records for a role the policy names.
hubtable::v1::Role audit_role(domain::ActingRole r);

/// The caller as the policy sees them at `table`.
domain::Actor actor_at(const Principal& p, const std::string& table);

/// "YYYY-MM-DD", the UTC date at `now_us` (agreements are dated).
std::string utc_date(std::int64_t now_us);

}  // namespace hubtable::api
