#include "api/upkeep.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "absl/time/time.h"

#include "api/alerts.h"
#include "api/retention.h"
#include "api/situation_view.h"
#include "audit/audit_writer.h"
#include "audit/log_store.h"
#include "audit/verify.h"
#include "domain/limits.h"
#include "store/accounts.h"
#include "store/event_log.h"
#include "store/follow_up.h"
#include "store/situations.h"
#include "store/transaction.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;

Upkeep::Upkeep(store::Database& db, const domain::Clock& clock, audit::Checkpointer checkpointer,
               AuditedWork& audited, std::int64_t disable_unused_after_us)
    : db_(db),
      clock_(clock),
      checkpointer_(std::move(checkpointer)),
      audited_(audited),
      disable_unused_after_us_(disable_unused_after_us) {}

namespace {
// What the clock did to an account: an event of hubtabled itself.
v1::AuditEvent account_event(std::int64_t now_us, const char* action, const char* rule,
                             const std::string& target) {
  v1::AuditEvent e = audit::server_event(now_us, action, rule);
  e.set_target(target);
  return e;
}

bool unused_too_long(const store::AccountUse& a, std::int64_t now_us, std::int64_t after_us) {
  return !a.disabled_us && after_us > 0 && a.last_used_us + after_us <= now_us;
}

bool expiry_unrecorded(const store::AccountUse& a, std::int64_t now_us) {
  return !a.disabled_us && a.one_time_password && a.password_expires_us &&
         *a.password_expires_us <= now_us && !a.password_expiry_audited;
}
}  // namespace

absl::StatusOr<int> Upkeep::retire_unused_accounts() {
  const std::int64_t now = clock_.now_us();
  auto due = [&](const std::vector<store::AccountUse>& accounts) {
    return std::any_of(accounts.begin(), accounts.end(), [&](const store::AccountUse& a) {
      return unused_too_long(a, now, disable_unused_after_us_) || expiry_unrecorded(a, now);
    });
  };
  auto accounts = db_.read([](store::Connection& c) { return store::list_account_use(c); });
  if (!accounts.ok()) return accounts.status();
  if (!due(*accounts)) return 0;
  int disabled = 0;
  auto s = db_.write([&](store::Connection& c) -> absl::Status {
    disabled = 0;
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    // Again under the write lock: a login since the read keeps its account.
    auto now_accounts = store::list_account_use(c);
    if (!now_accounts.ok()) return now_accounts.status();
    for (const auto& a : *now_accounts) {
      if (unused_too_long(a, now, disable_unused_after_us_)) {
        if (auto st = store::disable_unused_account(c, a.id, now); !st.ok()) return st;
        const std::string since =
            absl::FormatTime("%Y-%m-%d", absl::FromUnixMicros(a.last_used_us), absl::UTCTimeZone());
        auto seq = audit::append(c, account_event(now, "account.disabled_unused", "accounts.unused",
                                                  a.username + ": unused since " + since));
        if (!seq.ok()) return seq.status();
        ++disabled;
      } else if (expiry_unrecorded(a, now)) {
        if (auto st = store::mark_password_expiry_audited(c, a.id); !st.ok()) return st;
        auto seq =
            audit::append(c, account_event(now, "account.one_time_password_expired",
                                           "accounts.one_time_password_expired", a.username));
        if (!seq.ok()) return seq.status();
      }
    }
    return tx.commit();
  });
  if (!s.ok()) return s;
  if (disabled > 0) spdlog::info("accounts: disabled {} unused account(s)", disabled);
  return disabled;
}

absl::Status Upkeep::check_log_end() {
  if (log_damaged_.load()) return absl::OkStatus();
  // One snapshot: an event committed between reading the log's end and the
  // tree's size is not damage.
  auto damage = db_.read([](store::Connection& c) -> absl::StatusOr<std::optional<std::string>> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    return audit::removed_tail(c);
  });
  if (!damage.ok()) return damage.status();
  if (!*damage) return absl::OkStatus();
  // Confirmed, and the alert written, under the write lock, once.
  std::optional<std::string> confirmed = *damage;
  Raised raised;
  auto s = db_.write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto again = audit::removed_tail(c);
    if (!again.ok()) return again.status();
    confirmed = *again;
    if (!confirmed || log_damaged_.exchange(true)) return absl::OkStatus();
    // The removed positions, for the alert: the log's last event and the tree's size.
    auto size = audit::tree_size(c);
    if (!size.ok()) return size.status();
    auto q = c.prepare("SELECT COALESCE(MAX(seq), 0) FROM audit_events");
    if (!q.ok()) return q.status();
    if (auto row = q->step(); !row.ok()) return row.status();
    const auto last = static_cast<std::uint64_t>(q->integer(0));
    v1::AuditEvent alert =
        verification_alert(clock_.now_us(), last + 1, *size, "missing", *size, 0, "");
    auto seq = audit::append_after_damage(c, alert);
    if (!seq.ok()) return seq.status();
    alert.set_sequence(*seq);
    raised.push_back(std::move(alert));
    return tx.commit();
  });
  if (!confirmed) return absl::OkStatus();
  if (!s.ok()) {
    // The snapshot showed the damage; the server closes whether or not the
    // alert could be written.
    log_damaged_.store(true);
    spdlog::error("the alert about the damaged audit log could not be written: {}", s.ToString());
  }
  if (raised.empty() && s.ok()) return absl::OkStatus();  // another thread reported it
  spdlog::error(
      "audit log damaged: {}; refusing every request until the log is restored from a backup "
      "(hubtabled verify-audit shows the damage)",
      *confirmed);
  audited_.push_alerts(raised);
  return absl::OkStatus();
}

absl::Status Upkeep::checkpoint(std::uint64_t min_unsigned) {
  if (!checkpointer_.enabled()) return absl::OkStatus();
  std::uint64_t signed_size = 0;
  auto cp = checkpointer_.checkpoint(db_, clock_.now_us(), min_unsigned, &signed_size);
  if (!cp.ok()) return cp.status();
  raise_to(signed_seen_, signed_size);
  return absl::OkStatus();
}

absl::Status Upkeep::checkpoint_after_request(std::uint64_t min_unsigned) {
  if (audited_.last_appended() < signed_seen_.load() + std::max<std::uint64_t>(min_unsigned, 1)) {
    return absl::OkStatus();
  }
  return checkpoint(min_unsigned);
}

void Upkeep::erase_old_copies() {
  erasure_pending_ = true;
  if (auto s = db_.truncate_wal(); !s.ok()) {
    spdlog::warn("erased rows may survive in the WAL until the next sweep: {}", s.ToString());
    return;
  }
  erasure_pending_ = false;
}

absl::StatusOr<int> Upkeep::sweep() {
  const std::int64_t now = clock_.now_us();
  if (erasure_pending_) erase_old_copies();
  auto purged = purge_expired(db_, now, false);
  if (!purged.ok()) return purged.status();
  if (!purged->empty()) spdlog::info("retention: purged {} situation(s)", purged->size());
  if (auto retired = retire_unused_accounts(); !retired.ok()) return retired.status();

  // Deadline events, each pushed once while it stays due.
  struct Due {
    std::string kind, table, situation, agency, message;
    Audience audience;
  };
  auto due = db_.read([&](store::Connection& c) -> absl::StatusOr<std::vector<Due>> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    auto ids = store::open_situation_ids(c);
    if (!ids.ok()) return ids.status();
    std::vector<Due> out;
    for (const auto& id : *ids) {
      auto s = store::find_situation(c, id);
      if (!s.ok()) return s.status();
      if (!*s) continue;
      auto facts = load_case_facts(c, **s);
      if (!facts.ok()) return facts.status();
      v1::Situation view;
      fill_situation(**s, domain::RecordView::kMetadata, &*facts, now, view);
      std::vector<std::string> lead;
      if (!view.lead_agency().empty()) lead.push_back(view.lead_agency());
      if (view.ack_overdue()) {
        out.push_back({"situation.ack_due",
                       view.table(),
                       id,
                       view.lead_agency(),
                       "the lead has not acknowledged the assignment",
                       {view.table(), lead, true, false}});
      }
      if (view.intervention_overdue()) {
        out.push_back({"situation.intervention_overdue",
                       view.table(),
                       id,
                       view.lead_agency(),
                       "no intervention recorded by the table's deadline",
                       {view.table(), lead, true, false}});
      }
      if (view.stale()) {
        out.push_back({"situation.stale",
                       view.table(),
                       id,
                       view.lead_agency(),
                       "open 90 days without a status update",
                       {view.table(), {}, true, false}});
      }
    }
    return out;
  });
  if (!due.ok()) return due.status();
  // What is no longer due is forgotten, so the set holds only what is due
  // now, and a deadline missed again later (stale once more after an
  // update) is pushed again.
  std::vector<const Due*> fresh;
  {
    std::lock_guard<std::mutex> lock(notified_mutex_);
    std::set<std::string> still_due;
    for (const auto& d : *due) {
      std::string key = d.kind + "/" + d.situation;
      if (!notified_.contains(key)) fresh.push_back(&d);
      still_due.insert(std::move(key));
    }
    notified_ = std::move(still_due);
  }
  for (const Due* d : fresh) {
    audited_.publish(d->kind, d->table, d->situation, d->agency, d->message, d->audience);
  }
  return static_cast<int>(purged->size());
}

absl::Status Upkeep::keep_watch_cursors(const std::map<std::int64_t, std::int64_t>& delivered) {
  const std::int64_t now = clock_.now_us();
  return db_.write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    for (const auto& [user, seq] : delivered) {
      if (seq == 0) continue;
      if (auto st = store::advance_watch_cursor(c, user, seq); !st.ok()) return st;
    }
    auto dropped = store::drop_events_before(c, now - domain::kEventReplayWindowUs);
    if (!dropped.ok()) return dropped.status();
    return tx.commit();
  });
}

absl::StatusOr<bool> Upkeep::verify_log() {
  const auto* signer = checkpointer_.signer();
  if (signer == nullptr) return true;
  // A removed tail closes the server with an alert of its own.
  if (auto s = check_log_end(); !s.ok()) return s;
  if (log_damaged_.load()) return false;
  auto checked = db_.read([&](store::Connection& c) -> absl::StatusOr<crypto::LogVerifier> {
    store::Transaction tx(c, store::Transaction::Kind::kRead);
    if (!tx.status().ok()) return tx.status();
    return audit::verify_stored_log(c, signer->verifier(), std::nullopt);
  });
  if (!checked.ok()) return checked.status();
  const auto& problem = checked->problem();
  if (!problem) return true;
  const std::string key = std::to_string(problem->first) + "/" + problem->what;
  {
    std::lock_guard<std::mutex> lock(notified_mutex_);
    if (!verify_alerted_.insert(key).second) return false;
  }
  spdlog::error("audit log verification failed at {}: {}", crypto::describe_positions(*problem),
                problem->what);
  v1::AuditEvent a =
      verification_alert(clock_.now_us(), problem->first, problem->last,
                         crypto::problem_class(problem->what), checked->size(), 0, "");
  if (auto s = audited_.raise_alert(std::move(a)); !s.ok()) return s.status();
  return false;
}

}  // namespace hubtable::api
