#include "api/audit_handlers.h"

#include "api/access_statement.h"
#include "api/audit_paging.h"
#include "api/page.h"
#include "api/situation_view.h"
#include "audit/log_store.h"
#include "crypto/log_verifier.h"
#include "crypto/merkle.h"
#include "domain/limits.h"
#include "store/accounts.h"
#include "wire/checkpoint_wire.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using domain::Decision;
using domain::Refusal;

namespace {

using domain::kDefaultLogPage;
using domain::kDefaultQueryPage;
using domain::kMaxLogPage;

// Every rotation of the audit key, for a client to follow from its pinned key.
absl::Status fill_rotations(store::Connection& c,
                            google::protobuf::RepeatedPtrField<v1::SignedCheckpoint>& out) {
  auto rotations = audit::key_rotations(c);
  if (!rotations.ok()) return rotations.status();
  for (const auto& r : *rotations) wire::to_wire(r, *out.Add());
  return absl::OkStatus();
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

absl::StatusOr<Decision> AuditHandlers::checkpoint(Work& w) {
  const auto& req = w.request.audit_checkpoint();
  w.scope.data_elements = {"audit_checkpoint"};
  crypto::SignedCheckpoint wanted;
  auto found = find_checkpoint(w.c, req.tree_size(), wanted);
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
  auto* out = w.response.mutable_audit_checkpoint();
  wire::to_wire(wanted, *out->mutable_checkpoint());
  if (auto st = fill_rotations(w.c, *out->mutable_key_rotations()); !st.ok()) return st;
  if (const auto* signer = checkpointer_.signer()) {
    out->set_public_key(signer->public_key().data(), signer->public_key().size());
  }
  if (req.from_size() > 0) {
    audit::StoredNodes nodes(w.c);
    auto proof = crypto::merkle::consistency_proof(req.from_size(), size, nodes.lookup());
    if (!proof.ok()) return proof.status();
    for (const auto& h : *proof) out->add_consistency_proof(h.data(), h.size());
    w.scope.data_elements.push_back("consistency_proof");
  }
  return w.access().decision;
}

absl::StatusOr<Decision> AuditHandlers::query(Work& w) {
  const auto& req = w.request.audit_query();
  if (auto bad = check_page(req.limit(), req.from_us(), req.to_us(), "events")) return *bad;
  w.scope.target = req.user();
  w.scope.situation = req.situation();
  w.scope.data_elements = {"audit_events"};
  std::optional<std::int64_t> user_id;
  if (!req.user().empty()) {
    auto u = store::find_user_by_username(w.c, req.user());
    if (!u.ok()) return u.status();
    if (!*u) {
      return Decision::deny(Refusal::kNotFound, "audit.no_user", "no such account");
    }
    user_id = (*u)->id;
  }
  const domain::AuditReader reader = domain::audit_reader(w.subject.actor, w.subject.table);
  const std::uint32_t limit = req.limit() == 0 ? kDefaultQueryPage : req.limit();
  // Indexed filters in SQL; the rest on the parsed event.
  std::string sql =
      "SELECT seq, event FROM audit_events WHERE seq > ?1 AND time_us >= ?2 AND time_us < ?3";
  if (user_id) sql += " AND user_id = ?4";
  if (!req.situation().empty()) sql += " AND situation = ?5";
  sql += " ORDER BY seq LIMIT ?6";
  auto s = w.c.prepare(sql);
  if (!s.ok()) return s.status();
  s->bind(1, static_cast<std::int64_t>(req.after_sequence()))
      .bind(2, req.from_us())
      .bind(3, req.to_us() == 0 ? std::numeric_limits<std::int64_t>::max() : req.to_us())
      .bind(6, kQueryScan);
  if (user_id) s->bind(4, *user_id);
  if (!req.situation().empty()) s->bind(5, normalise_situation_id(req.situation()));
  const std::string& action = req.action();
  const bool prefix = !action.empty() && action.back() == '.';
  auto* out = w.response.mutable_audit_query();
  Page page(limit, Page::byte_budget(limits_));
  auto next = page_through_events(*s, reader, page, [&](v1::AuditEvent& e) {
    const bool wanted =
        (action.empty() || (prefix ? e.action().starts_with(action) : e.action() == action)) &&
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
  return w.access().decision;
}

absl::StatusOr<Decision> AuditHandlers::proof(Work& w) {
  const auto& req = w.request.audit_proof();
  w.scope.data_elements = {"inclusion_proof"};
  crypto::SignedCheckpoint cp;
  auto found = find_checkpoint(w.c, req.tree_size(), cp);
  if (!found.ok() || !found->allowed()) return found;
  const std::uint64_t size = cp.checkpoint.tree_size;
  if (req.sequence() == 0 || req.sequence() > size) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.not_in_checkpoint",
                          "event " + std::to_string(req.sequence()) + " is not among the " +
                              std::to_string(size) + " events of that checkpoint");
  }
  auto s = w.c.prepare("SELECT event, COALESCE(table_code, '') FROM audit_events WHERE seq = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, static_cast<std::int64_t>(req.sequence()));
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (!*row) return absl::DataLossError("audit: an event inside a checkpoint is missing");
  auto* out = w.response.mutable_audit_proof();
  const crypto::Bytes bytes = s->blob(0);
  const crypto::Digest leaf = crypto::merkle::leaf_hash(bytes);
  out->set_leaf_hash(leaf.data(), leaf.size());
  if (domain::audit_reader(w.subject.actor, w.subject.table).reads(s->text(1))) {
    out->set_event(bytes.data(), bytes.size());
  }
  audit::StoredNodes nodes(w.c);
  auto proof = crypto::merkle::inclusion_proof(crypto::merkle::leaf_index(req.sequence()), size,
                                               nodes.lookup());
  if (!proof.ok()) return proof.status();
  for (const auto& h : *proof) out->add_inclusion_proof(h.data(), h.size());
  wire::to_wire(cp, *out->mutable_checkpoint());
  if (auto st = fill_rotations(w.c, *out->mutable_key_rotations()); !st.ok()) return st;
  return w.access().decision;
}

absl::StatusOr<Decision> AuditHandlers::disclosures(Work& w) {
  const auto& req = w.request.audit_disclosures();
  const store::SituationRecord& situation = w.subject.situation;
  const std::string& table = w.subject.table;
  // The register is made of the table's events: the same reader decides.
  if (!domain::audit_reader(w.subject.actor, table).reads(table)) {
    return Decision::deny(Refusal::kPermissionDenied, "audit.table_events_not_readable",
                          "you may read this deployment's key and account events only");
  }
  if (auto bad = check_page(req.limit(), 0, 0, "disclosures")) return *bad;
  w.scope.data_elements = {"disclosure_register"};
  const std::uint32_t limit = req.limit() == 0 ? kDefaultQueryPage : req.limit();
  // One more than asked: whether another page follows.
  auto s = w.c.prepare(
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
  auto* out = w.response.mutable_audit_disclosures();
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
    v1::Disclosure d = disclosure_of(e);
    if (!page.take(d.ByteSizeLong())) break;
    last = static_cast<std::uint64_t>(s->integer(0));
    *out->add_disclosures() = std::move(d);
  }
  out->set_next_after(page.full() ? last : 0);
  return w.access().decision;
}

absl::StatusOr<Decision> AuditHandlers::log(Work& w) {
  const auto& req = w.request.audit_log();
  if (req.limit() > kMaxLogPage) {
    return Decision::deny(Refusal::kInvalidArgument, "audit.page_too_large",
                          "a page holds at most " + std::to_string(kMaxLogPage) + " events");
  }
  w.scope.data_elements = {"audit_log"};
  const std::uint32_t limit = req.limit() == 0 ? kDefaultLogPage : req.limit();
  const domain::AuditReader reader = domain::audit_reader(w.subject.actor, w.subject.table);
  auto* out = w.response.mutable_audit_log();
  auto size = audit::tree_size(w.c);
  if (!size.ok()) return size.status();
  out->set_tree_size(*size);

  // One more than asked: whether another page follows.
  auto s = w.c.prepare(
      "SELECT seq, event, COALESCE(table_code, '') FROM audit_events WHERE seq > ?1 "
      "ORDER BY seq LIMIT ?2");
  if (!s.ok()) return s.status();
  s->bind(1, static_cast<std::int64_t>(req.after_sequence())).bind(2, std::int64_t{limit} + 1);
  std::uint64_t last = req.after_sequence();
  Page page(limit, Page::byte_budget(limits_));
  // Each entry is made in place, its event copied once from SQLite's row;
  // the one a full page turns away is taken off again.
  auto* entries = out->mutable_entries();
  entries->Reserve(static_cast<int>(std::min<std::uint32_t>(limit, 1024)));
  for (;;) {
    auto row = s->step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    v1::AuditLogEntry& e = *entries->Add();
    e.set_sequence(static_cast<std::uint64_t>(s->integer(0)));
    const crypto::ByteView bytes = s->blob_view(1);
    if (reader.reads(s->text_view(2))) {
      e.set_event(bytes.data(), bytes.size());
    } else {
      const crypto::Digest leaf = crypto::merkle::leaf_hash(bytes);
      e.set_leaf_hash(leaf.data(), leaf.size());
    }
    if (!page.take(e.ByteSizeLong())) {
      entries->RemoveLast();
      break;
    }
    last = e.sequence();
  }
  out->set_last_page(!page.full());
  // The page's own checkpoints, read by their range: a long log's pages
  // each read a few, not all of them.
  auto checkpoints = audit::checkpoints_between(
      w.c, req.after_sequence(), out->last_page() ? std::nullopt : std::optional(last));
  if (!checkpoints.ok()) return checkpoints.status();
  for (const auto& cp : *checkpoints) wire::to_wire(cp, *out->add_checkpoints());
  auto rotations = audit::key_rotations(w.c);
  if (!rotations.ok()) return rotations.status();
  for (const auto& cp : *rotations) wire::to_wire(cp, *out->add_key_rotations());
  return w.access().decision;
}

}  // namespace hubtable::api
