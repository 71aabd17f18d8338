#include "store/situations.h"

#include <algorithm>

#include "store/situation_state.h"

namespace hubtable::store {

namespace {

constexpr const char* kColumns =
    "SELECT s.id, s.table_id, t.code, s.originating_agency_id, g.code, s.submitted_by, "
    "s.submitted_us, s.filter1_attested_us, s.state, s.situation_type, COALESCE(s.age_band, ''), "
    "COALESCE(s.gender, ''), COALESCE(s.narrative, ''), COALESCE(s.decision_note, ''), "
    "s.decided_us, COALESCE(s.decided_meeting_id, ''), COALESCE(s.rejection_reason, ''), "
    "s.intervened_us, COALESCE(l.code, ''), s.assigned_us, s.ack_due_us, s.acked_us, "
    "s.intervention_due_us, s.last_update_us, s.closed_us, COALESCE(s.closure_reason, ''), "
    "s.purge_due_us, s.purged_us FROM situations s "
    "JOIN situation_tables t ON t.id = s.table_id "
    "JOIN agencies g ON g.id = s.originating_agency_id "
    "LEFT JOIN agencies l ON l.id = s.lead_agency_id ";

SituationRecord row(const Statement& r) {
  SituationRecord s;
  s.id = r.text(0);
  s.table_id = r.integer(1);
  s.table_code = r.text(2);
  s.originating_agency_id = r.integer(3);
  s.originating_agency = r.text(4);
  s.submitted_by = r.integer(5);
  s.submitted_us = r.integer(6);
  s.filter1_attested_us = r.integer(7);
  s.state = state_at(r, 8);
  s.situation_type = r.text(9);
  s.age_band = r.text(10);
  s.gender = r.text(11);
  s.narrative = r.text(12);
  s.decision_note = r.text(13);
  s.decided_us = r.optional_integer(14);
  s.decided_meeting = r.text(15);
  s.rejection_reason = r.text(16);
  s.intervened_us = r.optional_integer(17);
  s.lead_agency = r.text(18);
  s.assigned_us = r.optional_integer(19);
  s.ack_due_us = r.optional_integer(20);
  s.acked_us = r.optional_integer(21);
  s.intervention_due_us = r.optional_integer(22);
  s.last_update_us = r.optional_integer(23);
  s.closed_us = r.optional_integer(24);
  s.closure_reason = r.text(25);
  s.purge_due_us = r.optional_integer(26);
  s.purged_us = r.optional_integer(27);
  return s;
}

absl::Status load_codes(Connection& c, SituationRecord& s) {
  auto q = c.prepare(
      "SELECT kind, code FROM situation_codes WHERE situation_id = ?1 ORDER BY kind, code");
  if (!q.ok()) return q.status();
  q->bind(1, s.id);
  return q->for_each_row([&](const Statement& r) {
    const std::string kind = r.text(0);
    auto& list = kind == "risk_factor"         ? s.risk_factors
                 : kind == "protective_factor" ? s.protective_factors
                                               : s.study_flags;
    list.push_back(r.text(1));
  });
}

absl::Status insert_codes(Connection& c, const std::string& id, const std::string& kind,
                          const std::vector<std::string>& codes) {
  for (const auto& code : codes) {
    auto q = c.prepare(
        "INSERT OR IGNORE INTO situation_codes (situation_id, kind, code) VALUES (?1, ?2, ?3)");
    if (!q.ok()) return q.status();
    q->bind(1, id).bind(2, kind).bind(3, code);
    if (auto st = q->run(); !st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status expect_one_change(Connection& c) {
  if (c.changes() != 1)
    return absl::FailedPreconditionError("situation is not awaiting a decision");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<bool> situation_exists(Connection& c, const std::string& id) {
  auto q = c.prepare("SELECT 1 FROM situations WHERE id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, id);
  return q->step();
}

absl::Status insert_situation(Connection& c, const SituationRecord& s) {
  auto q = c.prepare(
      "INSERT INTO situations (id, table_id, originating_agency_id, submitted_by, submitted_us, "
      "filter1_attested_us, state, situation_type, age_band, gender, narrative) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?20, ?7, ?8, ?9, ?10)");
  if (!q.ok()) return q.status();
  bind_state(*q, 20, domain::SituationState::kAwaitingDecision);
  q->bind(1, s.id)
      .bind(2, s.table_id)
      .bind(3, s.originating_agency_id)
      .bind(4, s.submitted_by)
      .bind(5, s.submitted_us)
      .bind(6, s.filter1_attested_us)
      .bind(7, s.situation_type)
      .bind(8, s.age_band)
      .bind(9, s.gender)
      .bind(10, s.narrative);
  if (auto st = q->run(); !st.ok()) return st;
  if (auto st = insert_codes(c, s.id, "risk_factor", s.risk_factors); !st.ok()) return st;
  if (auto st = insert_codes(c, s.id, "protective_factor", s.protective_factors); !st.ok()) {
    return st;
  }
  return insert_codes(c, s.id, "study_flag", s.study_flags);
}

absl::StatusOr<std::optional<SituationRecord>> find_situation(Connection& c,
                                                              const std::string& id) {
  auto q = c.prepare(std::string(kColumns) + "WHERE s.id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, id);
  auto found = q->step();
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<SituationRecord>();
  SituationRecord s = row(*q);
  if (auto st = load_codes(c, s); !st.ok()) return st;
  return std::optional<SituationRecord>(std::move(s));
}

// One query per state, each reading its own range of situations_table_state
// (table, state, submitted time) newest first, at most `limit` rows, merged
// here: a page reads about as many rows as it shows per state, whatever the
// table holds. One query over several states, or over all of them, had
// SQLite 3.15 sort every situation of the table for every page, on the
// writer (a list is an audited read).
absl::StatusOr<std::vector<SituationRecord>> list_situations(
    Connection& c, std::int64_t table_id, const std::vector<domain::SituationState>& states,
    const SituationCursor& after, std::size_t limit) {
  std::string sql = std::string(kColumns) + "WHERE s.table_id = ?1 AND s.state = ?5";
  if (!after.id.empty()) {
    // The first term bounds the index range; the second is the order's.
    sql +=
        " AND s.submitted_us <= ?2 AND (s.submitted_us < ?2 OR (s.submitted_us = ?2 AND s.id > "
        "?3))";
  }
  sql += " ORDER BY s.submitted_us DESC, s.id LIMIT ?4";
  const auto newer = [](const SituationRecord& a, const SituationRecord& b) {
    return a.submitted_us != b.submitted_us ? a.submitted_us > b.submitted_us : a.id < b.id;
  };
  // Each state once: a state asked for twice must not list its situations twice.
  std::vector<domain::SituationState> wanted = states.empty() ? domain::all_states() : states;
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<SituationRecord> out;
  for (const auto state : wanted) {
    auto q = c.prepare(sql);
    if (!q.ok()) return q.status();
    q->bind(1, table_id).bind(4, limit == kAllRows ? -1 : static_cast<std::int64_t>(limit));
    if (!after.id.empty()) q->bind(2, after.submitted_us).bind(3, after.id);
    bind_state(*q, 5, state);
    auto st = q->for_each_row([&](const Statement& r) { out.push_back(row(r)); });
    if (!st.ok()) return st;
  }
  std::sort(out.begin(), out.end(), newer);
  if (limit != kAllRows && out.size() > limit) out.resize(limit);
  for (auto& s : out) {
    if (auto loaded = load_codes(c, s); !loaded.ok()) return loaded;
  }
  return out;
}

absl::Status amend_situation(Connection& c, const SituationRecord& s, std::int64_t now_us) {
  auto q = c.prepare(
      "UPDATE situations SET situation_type = ?2, age_band = ?3, gender = ?4, narrative = ?5, "
      "amended_us = ?6, amendments = amendments + 1 WHERE id = ?1 AND state = ?21");
  if (!q.ok()) return q.status();
  bind_state(*q, 21, domain::SituationState::kAwaitingDecision);
  q->bind(1, s.id)
      .bind(2, s.situation_type)
      .bind(3, s.age_band)
      .bind(4, s.gender)
      .bind(5, s.narrative)
      .bind(6, now_us);
  if (auto st = q->run(); !st.ok()) return st;
  if (auto st = expect_one_change(c); !st.ok()) return st;
  if (auto st = run_statement(c, "DELETE FROM situation_codes WHERE situation_id = ?1",
                              [&](Statement& d) { d.bind(1, s.id); });
      !st.ok()) {
    return st;
  }
  if (auto st = insert_codes(c, s.id, "risk_factor", s.risk_factors); !st.ok()) return st;
  if (auto st = insert_codes(c, s.id, "protective_factor", s.protective_factors); !st.ok()) {
    return st;
  }
  return insert_codes(c, s.id, "study_flag", s.study_flags);
}

absl::Status accept_situation(Connection& c, const std::string& id, const std::string& meeting_id,
                              std::int64_t user_id, std::int64_t now_us, const std::string& note,
                              std::int64_t intervention_due_us) {
  auto q = c.prepare(
      "UPDATE situations SET state = ?20, decided_us = ?2, decided_meeting_id = ?3, "
      "decided_by = ?4, decision_note = ?5, intervention_due_us = ?6 "
      "WHERE id = ?1 AND state = ?21");
  if (!q.ok()) return q.status();
  bind_state(*q, 20, domain::SituationState::kAccepted);
  bind_state(*q, 21, domain::SituationState::kAwaitingDecision);
  q->bind(1, id)
      .bind(2, now_us)
      .bind(3, meeting_id)
      .bind(4, user_id)
      .bind(5, note)
      .bind(6, intervention_due_us);
  if (auto st = q->run(); !st.ok()) return st;
  if (auto st = expect_one_change(c); !st.ok()) return st;
  // The originating agency takes part from acceptance on: it may lead.
  auto join = c.prepare(
      "INSERT INTO situation_agencies (situation_id, agency_id, joined_us) "
      "SELECT id, originating_agency_id, ?2 FROM situations WHERE id = ?1");
  if (!join.ok()) return join.status();
  join->bind(1, id).bind(2, now_us);
  return join->run();
}

absl::Status minimise_situation(Connection& c, const std::string& id, domain::SituationState state,
                                const std::string& reason, const std::string& meeting_id,
                                std::int64_t user_id, std::int64_t now_us) {
  const bool rejected = state == domain::SituationState::kRejected;
  auto q =
      c.prepare(rejected ? "UPDATE situations SET state = ?20, decided_us = ?2, "
                           "decided_meeting_id = ?3, decided_by = ?4, rejection_reason = ?5, "
                           "age_band = NULL, gender = NULL, narrative = NULL, decision_note = NULL "
                           "WHERE id = ?1 AND state = ?21"
                         : "UPDATE situations SET state = ?20, withdrawn_us = ?2, "
                           "age_band = NULL, gender = NULL, narrative = NULL, decision_note = NULL "
                           "WHERE id = ?1 AND state = ?21");
  if (!q.ok()) return q.status();
  q->bind(1, id).bind(2, now_us);
  bind_state(*q, 20, state);
  bind_state(*q, 21, domain::SituationState::kAwaitingDecision);
  if (rejected) q->bind(3, meeting_id).bind(4, user_id).bind(5, reason);
  if (auto st = q->run(); !st.ok()) return st;
  if (auto st = expect_one_change(c); !st.ok()) return st;
  auto d = c.prepare("DELETE FROM situation_codes WHERE situation_id = ?1");
  if (!d.ok()) return d.status();
  d->bind(1, id);
  return d->run();
}

}  // namespace hubtable::store
