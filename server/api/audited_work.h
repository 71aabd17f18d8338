#pragma once
// Audited work: the one place a request's audit event is written. The
// contract (DESIGN.md, "Audit"): a change and its OK event commit in one
// transaction, with every alert the event raises; a read's answer leaves
// only once its OK event is committed; a refusal rolls back whatever the
// handler did and is audited on its own. Alerts are pushed to the privacy
// officers watching once their transaction commits.
//
// Thread-safe: it holds no state of its own besides what it borrows (the
// database, the clock, the event hub), each of which is thread-safe.

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "api/event_hub.h"
#include "api/principal.h"
#include "api/request_context.h"
#include "domain/alerts.h"
#include "domain/authorize.h"
#include "domain/clock.h"
#include "domain/decision.h"
#include "hubtable/v1/audit.pb.h"
#include "hubtable/v1/envelope.pb.h"
#include "store/database.h"

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

class AuditedWork {
 public:
  AuditedWork(store::Database& db, const domain::Clock& clock, domain::AlertRules rules,
              EventHub& events);

  /// A handler's work inside one transaction. It fills the response and the
  /// scope and returns the decision: on allow, the OK event (with the
  /// decision's rule) is appended in the same transaction, which then
  /// commits; on deny, the transaction rolls back and the refusal is
  /// audited on its own.
  using Body = std::function<absl::StatusOr<domain::Decision>(store::Connection&, AuditScope&,
                                                              hubtable::v1::Response&)>;
  /// What a run was decided on, when it may have changed since it was read
  /// (the copy the service keeps of the caller's session): checked first,
  /// in the run's own transaction. When it no longer holds, the run does
  /// nothing and audits nothing, sets `failed`, and returns an empty
  /// response for the caller to throw away.
  struct Premise {
    std::function<absl::StatusOr<bool>(store::Connection&)> holds;
    bool failed = false;
  };
  /// For requests that change something: the body runs on the writer.
  hubtable::v1::Response run_write(const RequestContext& ctx, const Principal& p,
                                   std::string_view action, const Body& body,
                                   Premise* premise = nullptr);
  /// For short reads: the body runs on the writer, and its OK event is
  /// appended after it, in a group of transactions that commit together
  /// (store::Database::write_together): the writer's page cache stays warm,
  /// where a reader's is emptied by every commit. The body may not write:
  /// one that changed anything is rolled back and answered UNAVAILABLE.
  hubtable::v1::Response run_short_read(const RequestContext& ctx, const Principal& p,
                                        std::string_view action, const Body& body,
                                        Premise* premise = nullptr);
  /// For long reads: the body runs on a reader, beside the writer; the
  /// response leaves only after its OK event is committed.
  hubtable::v1::Response run_read(const RequestContext& ctx, const Principal& p,
                                  std::string_view action, const Body& body,
                                  Premise* premise = nullptr);

  /// A change that commits in the same transaction as its audit event.
  using Change = std::function<absl::Status(store::Connection&)>;
  /// Audits the denial (with `change`, e.g. a throttling record) and builds
  /// the refusal response. `outcome` is AUDIT_DENIED but for a login step.
  hubtable::v1::Response refuse(const RequestContext& ctx, const Principal* p,
                                std::string_view action, const domain::Decision& d,
                                const Change& change = nullptr, const AuditScope& scope = {},
                                hubtable::v1::AuditOutcome outcome = hubtable::v1::AUDIT_DENIED);
  /// Appends one event in its own write transaction (for reads and
  /// denials), after `change` when given.
  absl::Status audit_now(hubtable::v1::AuditEvent e, const Change& change = nullptr);

  /// The event for `action` by `p` (none before authentication).
  hubtable::v1::AuditEvent event(const RequestContext& ctx, const Principal* p,
                                 std::string_view action, const AuditScope& scope = {}) const;
  /// The OK event for `action` by `p`, allowed by `rule`.
  hubtable::v1::AuditEvent ok_event(const RequestContext& ctx, const Principal& p,
                                    std::string_view action, const std::string& rule,
                                    const AuditScope& scope) const;
  /// Appends the OK event for `action`, allowed by `rule`, and its alerts,
  /// inside the caller's write transaction (to be pushed once it commits).
  absl::Status append_ok(store::Connection& c, const RequestContext& ctx, const Principal& p,
                         std::string_view action, const std::string& rule, const AuditScope& scope,
                         Raised& raised) const;
  /// Appends `e` and, in the same transaction, every alert it raises (added
  /// to `raised`).
  absl::Status record(store::Connection& c, hubtable::v1::AuditEvent e, Raised& raised) const;
  /// Appends an alert no request raised (a failed verification) in its own
  /// transaction, and pushes it. Returns its sequence number.
  absl::StatusOr<std::uint64_t> raise_alert(hubtable::v1::AuditEvent alert);
  /// Pushes committed alerts to the privacy officers (and, for
  /// break-glass, the chairs) watching.
  void push_alerts(const Raised& raised);
  /// A live event and who hears it.
  struct LiveEvent {
    hubtable::v1::Event event;
    Audience audience;
  };
  LiveEvent live_event(const std::string& kind, const std::string& table,
                       const std::string& situation, const std::string& agency,
                       const std::string& message, const Audience& audience) const;
  /// Keeps `e` for replay inside the caller's write transaction and numbers
  /// it; push it once that transaction commits.
  absl::Status keep(store::Connection& c, LiveEvent& e) const;
  /// Pushes `e` to those of its audience watching now.
  void push(const LiveEvent& e);
  /// Keeps a live event in a transaction of its own, then pushes it (kept
  /// or not: those watching hear it either way).
  void publish(const std::string& kind, const std::string& table, const std::string& situation,
               const std::string& agency, const std::string& message, const Audience& audience);

  store::Database& db() { return db_; }
  const domain::Clock& clock() const { return clock_; }
  EventHub& events() { return events_; }

  /// The sequence number of the last event a request appended (the largest
  /// so far; an event whose transaction then rolled back may be counted).
  std::uint64_t last_appended() const { return last_appended_.load(std::memory_order_relaxed); }

 private:
  hubtable::v1::Response run_on_writer(const RequestContext& ctx, const Principal& p,
                                       std::string_view action, const Body& body, bool read_only,
                                       Premise* premise);
  // Premise::holds on `c`, in the run's transaction; false (and `failed`)
  // when it no longer holds.
  static absl::StatusOr<bool> still_holds(Premise* premise, store::Connection& c);

  store::Database& db_;
  const domain::Clock& clock_;
  const domain::AlertRules rules_;
  EventHub& events_;
  mutable std::atomic<std::uint64_t> last_appended_{0};
};

/// Raises `a` to `v` when `v` is larger: a running maximum threads share.
inline void raise_to(std::atomic<std::uint64_t>& a, std::uint64_t v) {
  for (std::uint64_t seen = a.load(); seen < v && !a.compare_exchange_weak(seen, v);) {
  }
}

/// The answer when the database could not be used because of `cause`:
/// RESOURCE_EXHAUSTED (rule store.full) when its storage is full,
/// UNAVAILABLE (rule store.unavailable) otherwise.
hubtable::v1::Response unavailable_response(const absl::Status& cause);

/// Maps a domain refusal to the wire status code.
hubtable::v1::Code to_code(domain::Refusal r);

/// The role an audit event records for a role the policy names.
hubtable::v1::Role audit_role(domain::ActingRole r);

}  // namespace hubtable::api
