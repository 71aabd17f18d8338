// The privacy officer's view of the audit log's integrity: signed
// checkpoints, consistency proofs, and the log itself page by page so a
// client can recompute the tree (`hubtable audit checkpoint` / `verify`).

#include <functional>

#include "api/alerts.h"
#include "api/handler_support.h"
#include "api/page.h"
#include "api/service.h"
#include "api/situation_view.h"
#include "audit/log_store.h"
#include "crypto/log_verifier.h"
#include "crypto/merkle.h"
#include "domain/alerts.h"
#include "domain/limits.h"
#include "store/accounts.h"
#include "store/case_work.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::Refusal;

namespace {

using domain::kDefaultLogPage;
using domain::kDefaultQueryPage;
using domain::kMaxLogPage;
using domain::kMaxQueryPage;
// Events examined per query request; the next page carries on from there.
constexpr std::int64_t kQueryScan = 20000;

/// Offered each event the caller may read, in order; adds what it wants to
/// the answer and returns true, or false when the page cannot take it (it
/// starts the next page).
using Offer = std::function<absl::StatusOr<bool>(hubtable::v1::AuditEvent& e)>;

/// Pages through what a scan statement yields (columns: sequence, event
/// bytes; at most kQueryScan rows): events `reader` may not read are passed
/// over, the others offered. Returns the answer's next_after: the last
/// event looked at when the page filled or the scan stopped short, else 0.
absl::StatusOr<std::uint64_t> page_through_events(store::Statement& s,
                                                  const domain::AuditReader& reader,
                                                  const Page& page, const Offer& offer) {
  std::uint64_t last = 0;  // the last event looked at
  std::int64_t scanned = 0;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const auto seq = static_cast<std::uint64_t>(s.integer(0));
    const crypto::Bytes bytes = s.blob(1);
    hubtable::v1::AuditEvent e;
    if (e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && reader.reads(e.table())) {
      auto taken = offer(e);
      if (!taken.ok()) return taken.status();
      if (!*taken) break;
    }
    ++scanned;
    last = seq;
  }
  const bool more = page.full() || scanned >= kQueryScan;
  return more ? last : 0;
}

// The actions that hand identifying elements to someone.
constexpr const char* kDisclosureActions[] = {"situation.identify", "situation.reveal"};

void fill_checkpoint(const crypto::SignedCheckpoint& cp, v1::SignedCheckpoint& out) {
  out.set_origin(cp.checkpoint.origin);
  out.set_tree_size(cp.checkpoint.tree_size);
  out.set_root_hash(cp.checkpoint.root.data(), cp.checkpoint.root.size());
  out.set_time_us(cp.checkpoint.time_us);
  out.set_key_id(cp.key_id.data(), cp.key_id.size());
  out.set_signature(cp.signature.data(), cp.signature.size());
}

// Resolves the table and asks the policy; `actor` is the caller there.
absl::StatusOr<Decision> audit_access(const Principal& p, const std::string& requested,
                                      std::string& table, domain::Actor& actor, AuditScope& scope,
                                      domain::Action action = domain::Action::kAuditIntegrity) {
  const bool admin =
      std::any_of(p.roles.begin(), p.roles.end(), [](const auto& g) { return g.role == "ADMIN"; });
  if (!admin || !requested.empty()) {
    if (auto picked = pick_table(p, requested, table); !picked.allowed()) return picked;
  }
  actor = actor_at(p, table);
  return authorize_in(scope, actor, action).decision;
}

// A query page's size and time range [from, to) (0: open-ended), or the refusal.
std::optional<Decision> check_page(std::uint32_t limit, std::int64_t from_us, std::int64_t to_us,
                                   const char* items) {
  if (limit > kMaxQueryPage) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.page_too_large",
                          "a page holds at most " + std::to_string(kMaxQueryPage) + " " + items);
  }
  if (from_us < 0 || to_us < 0 || (to_us != 0 && to_us <= from_us)) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.bad_time_range",
                          "the time range is empty or negative");
  }
  return std::nullopt;
}

// The signed checkpoint of `size` events (0: the latest), or the refusal.
absl::StatusOr<Decision> find_checkpoint(store::Connection& c, std::uint64_t size,
                                         crypto::SignedCheckpoint& out) {
  auto found = size == 0 ? audit::latest_checkpoint(c) : audit::checkpoint_at(c, size);
  if (!found.ok()) return found.status();
  if (!*found) {
    return size == 0
               ? Decision::deny(Refusal::kFailedPrecondition, "audit.no_checkpoint",
                                "no checkpoint has been signed yet")
               : Decision::deny(Refusal::kNotFound, "audit.no_such_checkpoint",
                                "no checkpoint was signed at tree size " + std::to_string(size));
  }
  out = std::move(**found);
  return Decision::allow("audit.checkpoint_found");
}

}  // namespace

v1::Response Service::audit_checkpoint(const RequestContext& ctx, const Principal& p,
                                       const v1::AuditCheckpointRequest& req) {
  // The freshest checkpoint is the one worth keeping: sign the events that
  // wait for the timer first (a checkpoint reveals nothing, so there is no
  // need to know who asks before doing so).
  if (auto s = checkpoint(); !s.ok()) return unavailable_response(s);
  return run_read(
      ctx, p, domain::Action::kAuditIntegrity,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        std::string table;
        domain::Actor actor;
        auto access = audit_access(p, req.table(), table, actor, scope);
        if (!access.ok() || !access->allowed()) return access;
        scope.table = table;
        scope.data_elements = {"audit_checkpoint"};
        crypto::SignedCheckpoint wanted;
        auto found = find_checkpoint(c, req.tree_size(), wanted);
        if (!found.ok() || !found->allowed()) return found;
        const std::uint64_t size = wanted.checkpoint.tree_size;
        if (req.from_size() > size && req.tree_size() != 0) {
          return Decision::deny(Refusal::kInvalidArgument, "audit.sizes_reversed",
                                "from_size must not exceed tree_size");
        }
        if (req.from_size() > size) {
          return Decision::deny(
              Refusal::kFailedPrecondition, "audit.ahead_of_log",
              "the log is smaller (" + std::to_string(size) + " events) than the tree you hold (" +
                  std::to_string(req.from_size()) + "): it was truncated or rolled back");
        }
        auto* out = r.mutable_audit_checkpoint();
        fill_checkpoint(wanted, *out->mutable_checkpoint());
        if (const auto* signer = checkpointer_.signer()) {
          out->set_public_key(signer->public_key().data(), signer->public_key().size());
        }
        if (req.from_size() > 0) {
          audit::StoredNodes nodes(c);
          auto proof = crypto::merkle::consistency_proof(req.from_size(), size, nodes.lookup());
          if (!proof.ok()) return proof.status();
          for (const auto& h : *proof) out->add_consistency_proof(h.data(), h.size());
          scope.data_elements.push_back("consistency_proof");
        }
        return access;
      });
}

v1::Response Service::audit_query(const RequestContext& ctx, const Principal& p,
                                  const v1::AuditQueryRequest& req) {
  return run_read(
      ctx, p, domain::Action::kAuditRead,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        std::string table;
        domain::Actor actor;
        auto access = audit_access(p, req.table(), table, actor, scope, domain::Action::kAuditRead);
        if (!access.ok() || !access->allowed()) return access;
        if (auto bad = check_page(req.limit(), req.from_us(), req.to_us(), "events")) return *bad;
        scope.table = table;
        scope.target = req.user();
        scope.situation = req.situation();
        scope.data_elements = {"audit_events"};
        std::optional<std::int64_t> user_id;
        if (!req.user().empty()) {
          auto u = store::find_user_by_username(c, req.user());
          if (!u.ok()) return u.status();
          if (!*u) {
            return Decision::deny(Refusal::kNotFound, "audit.no_user", "no such account");
          }
          user_id = (*u)->id;
        }
        const domain::AuditReader reader = domain::audit_reader(actor, table);
        const std::uint32_t limit = req.limit() == 0 ? kDefaultQueryPage : req.limit();
        // Indexed filters in SQL; the rest on the parsed event.
        std::string sql =
            "SELECT seq, event FROM audit_events WHERE seq > ?1 AND time_us >= ?2 AND time_us < ?3";
        if (user_id) sql += " AND user_id = ?4";
        if (!req.situation().empty()) sql += " AND situation = ?5";
        sql += " ORDER BY seq LIMIT ?6";
        auto s = c.prepare(sql);
        if (!s.ok()) return s.status();
        s->bind(1, static_cast<std::int64_t>(req.after_sequence()))
            .bind(2, req.from_us())
            .bind(3, req.to_us() == 0 ? std::numeric_limits<std::int64_t>::max() : req.to_us())
            .bind(6, kQueryScan);
        if (user_id) s->bind(4, *user_id);
        if (!req.situation().empty()) s->bind(5, normalise_situation_id(req.situation()));
        const std::string& action = req.action();
        const bool prefix = !action.empty() && action.back() == '.';
        auto* out = r.mutable_audit_query();
        Page page(limit, Page::byte_budget(limits_));
        auto next = page_through_events(*s, reader, page, [&](v1::AuditEvent& e) {
          const bool wanted =
              (action.empty() ||
               (prefix ? e.action().starts_with(action) : e.action() == action)) &&
              (req.outcome() == v1::AUDIT_OUTCOME_UNSPECIFIED || e.outcome() == req.outcome()) &&
              (req.agency().empty() || e.actor().agency() == req.agency()) &&
              (req.meeting().empty() || e.meeting() == req.meeting());
          if (!wanted) return true;
          if (!page.take(e.ByteSizeLong())) return false;
          *out->add_events() = std::move(e);
          return true;
        });
        if (!next.ok()) return next.status();
        out->set_next_after(*next);
        return access;
      });
}

v1::Response Service::audit_proof(const RequestContext& ctx, const Principal& p,
                                  const v1::AuditProofRequest& req) {
  return run_read(
      ctx, p, domain::Action::kAuditIntegrity,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        std::string table;
        domain::Actor actor;
        auto access = audit_access(p, req.table(), table, actor, scope);
        if (!access.ok() || !access->allowed()) return access;
        scope.table = table;
        scope.data_elements = {"inclusion_proof"};
        crypto::SignedCheckpoint cp;
        auto found = find_checkpoint(c, req.tree_size(), cp);
        if (!found.ok() || !found->allowed()) return found;
        const std::uint64_t size = cp.checkpoint.tree_size;
        if (req.sequence() == 0 || req.sequence() > size) {
          return Decision::deny(Refusal::kInvalidArgument, "audit.not_in_checkpoint",
                                "event " + std::to_string(req.sequence()) + " is not among the " +
                                    std::to_string(size) + " events of that checkpoint");
        }
        auto s =
            c.prepare("SELECT event, COALESCE(table_code, '') FROM audit_events WHERE seq = ?1");
        if (!s.ok()) return s.status();
        s->bind(1, static_cast<std::int64_t>(req.sequence()));
        auto row = s->step();
        if (!row.ok()) return row.status();
        if (!*row) return absl::DataLossError("audit: an event inside a checkpoint is missing");
        auto* out = r.mutable_audit_proof();
        const crypto::Bytes bytes = s->blob(0);
        const crypto::Digest leaf = crypto::merkle::leaf_hash(bytes);
        out->set_leaf_hash(leaf.data(), leaf.size());
        if (domain::audit_reader(actor, table).reads(s->text(1))) {
          out->set_event(bytes.data(), bytes.size());
        }
        audit::StoredNodes nodes(c);
        auto proof = crypto::merkle::inclusion_proof(crypto::merkle::leaf_index(req.sequence()),
                                                     size, nodes.lookup());
        if (!proof.ok()) return proof.status();
        for (const auto& h : *proof) out->add_inclusion_proof(h.data(), h.size());
        fill_checkpoint(cp, *out->mutable_checkpoint());
        return access;
      });
}

v1::Response Service::audit_disclosures(const RequestContext& ctx, const Principal& p,
                                        const v1::AuditDisclosuresRequest& req) {
  return run_read(
      ctx, p, domain::Action::kAuditRead,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        store::SituationRecord situation;
        auto found = load_situation(c, req.situation(), situation);
        if (!found.ok() || !found->allowed()) return found;
        std::string table = situation.table_code;
        domain::Actor actor;
        auto access = audit_access(p, table, table, actor, scope, domain::Action::kAuditRead);
        if (!access.ok() || !access->allowed()) return access;
        scope.table = table;
        scope.situation = situation.id;
        // The register is made of the table's events: the same reader decides.
        if (!domain::audit_reader(actor, table).reads(table)) {
          return Decision::deny(Refusal::kPermissionDenied, "audit.table_events_not_readable",
                                "you may read this deployment's key and account events only");
        }
        if (auto bad = check_page(req.limit(), 0, 0, "disclosures")) return *bad;
        scope.data_elements = {"disclosure_register"};
        const std::uint32_t limit = req.limit() == 0 ? kDefaultQueryPage : req.limit();
        // One more than asked: whether another page follows.
        auto s = c.prepare(
            "SELECT seq, event FROM audit_events WHERE situation = ?1 AND outcome = ?2 AND action "
            "IN "
            "(?3, ?4) AND seq > ?5 ORDER BY seq LIMIT ?6");
        if (!s.ok()) return s.status();
        s->bind(1, situation.id)
            .bind(2, std::int64_t{v1::AUDIT_OK})
            .bind(3, kDisclosureActions[0])
            .bind(4, kDisclosureActions[1])
            .bind(5, static_cast<std::int64_t>(req.after_sequence()))
            .bind(6, std::int64_t{limit} + 1);
        auto* out = r.mutable_audit_disclosures();
        out->set_situation(situation.id);
        Page page(limit, Page::byte_budget(limits_));
        std::uint64_t last = 0;
        for (;;) {
          auto row = s->step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          const crypto::Bytes bytes = s->blob(1);
          v1::AuditEvent e;
          if (!e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
            return absl::DataLossError("a disclosure's audit event does not parse");
          }
          v1::Disclosure d;
          d.set_sequence(e.sequence());
          d.set_time_us(e.time_us());
          *d.mutable_recipient() = e.actor();
          d.set_action(e.action());
          *d.mutable_data_elements() = e.data_elements();
          d.set_legal_authority(e.legal_authority());
          d.set_filter_stage(e.filter_stage());
          d.set_purpose(e.purpose());
          if (!page.take(d.ByteSizeLong())) break;
          last = static_cast<std::uint64_t>(s->integer(0));
          *out->add_disclosures() = std::move(d);
        }
        out->set_next_after(page.full() ? last : 0);
        return access;
      });
}

v1::Response Service::audit_log(const RequestContext& ctx, const Principal& p,
                                const v1::AuditLogRequest& req) {
  return run_read(
      ctx, p, domain::Action::kAuditIntegrity,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        std::string table;
        domain::Actor actor;
        auto access = audit_access(p, req.table(), table, actor, scope);
        if (!access.ok() || !access->allowed()) return access;
        if (req.limit() > kMaxLogPage) {
          return Decision::deny(Refusal::kInvalidArgument, "audit.page_too_large",
                                "a page holds at most " + std::to_string(kMaxLogPage) + " events");
        }
        scope.table = table;
        scope.data_elements = {"audit_log"};
        const std::uint32_t limit = req.limit() == 0 ? kDefaultLogPage : req.limit();
        const domain::AuditReader reader = domain::audit_reader(actor, table);
        auto* out = r.mutable_audit_log();
        auto size = audit::tree_size(c);
        if (!size.ok()) return size.status();
        out->set_tree_size(*size);

        // One more than asked: whether another page follows.
        auto s = c.prepare(
            "SELECT seq, event, COALESCE(table_code, '') FROM audit_events WHERE seq > ?1 "
            "ORDER BY seq LIMIT ?2");
        if (!s.ok()) return s.status();
        s->bind(1, static_cast<std::int64_t>(req.after_sequence()))
            .bind(2, std::int64_t{limit} + 1);
        std::uint64_t last = req.after_sequence();
        Page page(limit, Page::byte_budget(limits_));
        for (;;) {
          auto row = s->step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          v1::AuditLogEntry e;
          e.set_sequence(static_cast<std::uint64_t>(s->integer(0)));
          const crypto::Bytes bytes = s->blob(1);
          if (reader.reads(s->text(2))) {
            e.set_event(bytes.data(), bytes.size());
          } else {
            const crypto::Digest leaf = crypto::merkle::leaf_hash(bytes);
            e.set_leaf_hash(leaf.data(), leaf.size());
          }
          if (!page.take(e.ByteSizeLong())) break;
          last = e.sequence();
          *out->add_entries() = std::move(e);
        }
        out->set_last_page(!page.full());
        auto checkpoints = audit::all_checkpoints(c);
        if (!checkpoints.ok()) return checkpoints.status();
        for (const auto& cp : *checkpoints) {
          const std::uint64_t n = cp.checkpoint.tree_size;
          if (n > req.after_sequence() && (n <= last || out->last_page())) {
            fill_checkpoint(cp, *out->add_checkpoints());
          }
        }
        return access;
      });
}

v1::Response Service::audit_alerts(const RequestContext& ctx, const Principal& p,
                                   const v1::AuditAlertsRequest& req) {
  return run_read(
      ctx, p, domain::Action::kAuditRead,
      [&](store::Connection& c, AuditScope& scope, v1::Response& r) -> absl::StatusOr<Decision> {
        std::string table;
        domain::Actor actor;
        auto access = audit_access(p, req.table(), table, actor, scope, domain::Action::kAuditRead);
        if (!access.ok() || !access->allowed()) return access;
        const auto& kinds = domain::alert_kinds();
        if (!req.kind().empty() &&
            std::find(kinds.begin(), kinds.end(), req.kind()) == kinds.end()) {
          return Decision::deny(Refusal::kInvalidArgument, "audit.unknown_alert_kind",
                                "kind must be break_glass, mass_disclosure, after_hours, "
                                "repeated_denials or verification_failed");
        }
        if (auto bad = check_page(req.limit(), req.from_us(), req.to_us(), "alerts")) return *bad;
        scope.table = table;
        scope.data_elements = {"audit_alerts"};
        const domain::AuditReader reader = domain::audit_reader(actor, table);
        const std::uint32_t limit = req.limit() == 0 ? kDefaultQueryPage : req.limit();
        auto s = c.prepare(
            "SELECT seq, event FROM audit_events WHERE action >= ?1 AND action < ?2 AND "
            "seq > ?3 AND time_us >= ?4 AND time_us < ?5 ORDER BY seq LIMIT ?6");
        if (!s.ok()) return s.status();
        const std::string low = req.kind().empty() ? "alert." : "alert." + req.kind();
        const std::string high = req.kind().empty() ? "alert/" : low + '\x01';
        s->bind(1, low)
            .bind(2, high)
            .bind(3, static_cast<std::int64_t>(req.after_sequence()))
            .bind(4, req.from_us())
            .bind(5, req.to_us() == 0 ? std::numeric_limits<std::int64_t>::max() : req.to_us())
            .bind(6, kQueryScan);
        auto* out = r.mutable_audit_alerts();
        Page page(limit, Page::byte_budget(limits_));
        bool justified = false;
        auto next =
            page_through_events(*s, reader, page, [&](v1::AuditEvent& e) -> absl::StatusOr<bool> {
              v1::AlertEntry entry;
              // The chair sees that break-glass happened, not why (DESIGN.md).
              const bool with_justification = reader.justifications && e.break_glass_id() != 0;
              if (with_justification) {
                auto b = store::find_break_glass(c, static_cast<std::int64_t>(e.break_glass_id()));
                if (!b.ok()) return b.status();
                if (!*b) return absl::DataLossError("a break-glass justification is missing");
                auto text = vault_.open_justification(
                    store::break_glass_context((*b)->situation_id, (*b)->user_id, (*b)->created_us),
                    (*b)->sealed);
                if (!text.ok()) return text.status();
                entry.set_justification(std::string(text->view().begin(), text->view().end()));
              }
              *entry.mutable_event() = std::move(e);
              if (!page.take(entry.ByteSizeLong())) return false;
              justified = justified || with_justification;
              *out->add_alerts() = std::move(entry);
              return true;
            });
        if (!next.ok()) return next.status();
        if (justified) scope.data_elements.push_back("break_glass_justification");
        out->set_next_after(*next);
        return access;
      });
}

v1::Response Service::audit_report_failure(const RequestContext& ctx, const Principal& p,
                                           const v1::AuditReportFailureRequest& req) {
  auto response = run_read(
      ctx, p, domain::Action::kAuditIntegrity,
      [&](store::Connection& /*c*/, AuditScope& scope,
          v1::Response& r) -> absl::StatusOr<Decision> {
        std::string table;
        domain::Actor actor;
        auto access = audit_access(p, req.table(), table, actor, scope);
        if (!access.ok() || !access->allowed()) return access;
        if (!crypto::is_problem_class(req.problem())) {
          return Decision::deny(Refusal::kInvalidArgument, "audit.unknown_problem",
                                "problem must be one of the classes audit verify reports "
                                "(changed, missing, out of order, moved, rewritten, unsigned, "
                                "unreadable, other)");
        }
        if (req.first_bad() == 0 || req.last_bad() < req.first_bad()) {
          return Decision::deny(Refusal::kInvalidArgument, "audit.bad_positions",
                                "first_bad must be at least 1 and not after last_bad");
        }
        scope.table = table;
        scope.data_elements = {"verification_report"};
        r.mutable_audit_report_failure();
        return access;
      });
  if (response.status().code() != v1::OK) return response;
  auto seq = raise_alert(verification_alert(clock_.now_us(), req.first_bad(), req.last_bad(),
                                            req.problem(), req.tree_size(), p.user_id, p.username));
  if (!seq.ok()) return unavailable_response(seq.status());
  response.mutable_audit_report_failure()->set_alert_sequence(*seq);
  return response;
}

}  // namespace hubtable::api
