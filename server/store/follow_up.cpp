#include "store/follow_up.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "store/situation_state.h"

namespace hubtable::store {

absl::StatusOr<std::int64_t> insert_planning_note(Connection& c, const std::string& situation_id,
                                                  std::int64_t agency_id, std::int64_t author_id,
                                                  std::int64_t now_us,
                                                  const crypto::Bytes& sealed) {
  auto st =
      run_statement(c,
                    "INSERT INTO planning_notes (situation_id, agency_id, author_id, created_us, "
                    "sealed) VALUES (?1, ?2, ?3, ?4, ?5)",
                    [&](Statement& q) {
                      q.bind(1, situation_id)
                          .bind(2, agency_id)
                          .bind(3, author_id)
                          .bind(4, now_us)
                          .bind(5, crypto::ByteView(sealed));
                    });
  if (!st.ok()) return st;
  return c.last_insert_rowid();
}

absl::StatusOr<std::vector<PlanningNote>> list_planning_notes(Connection& c,
                                                              const std::string& situation_id,
                                                              std::int64_t after_id,
                                                              std::size_t limit) {
  auto q = c.prepare(
      "SELECT n.id, a.code, n.author_id, u.username, n.created_us, n.sealed FROM planning_notes n "
      "JOIN agencies a ON a.id = n.agency_id JOIN users u ON u.id = n.author_id "
      "WHERE n.situation_id = ?1 AND n.id > ?2 ORDER BY n.id LIMIT ?3");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id).bind(2, after_id).bind(3, static_cast<std::int64_t>(limit));
  std::vector<PlanningNote> out;
  auto st = q->for_each_row([&](const Statement& r) {
    out.push_back({r.integer(0), r.text(1), r.integer(2), r.text(3), r.integer(4), r.blob(5)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::optional<Intervention>> find_intervention(Connection& c,
                                                              const std::string& situation_id) {
  auto q = c.prepare(
      "SELECT occurred_us, outcome, recorded_us, amended_us, amendments FROM interventions "
      "WHERE situation_id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Intervention>();
  Intervention out{q->integer(0),
                   q->text(1),
                   {},
                   q->integer(2),
                   q->optional_integer(3),
                   static_cast<int>(q->integer(4))};
  auto a = c.prepare(
      "SELECT g.code FROM intervention_agencies i JOIN agencies g ON g.id = i.agency_id "
      "WHERE i.situation_id = ?1 ORDER BY g.code");
  if (!a.ok()) return a.status();
  a->bind(1, situation_id);
  auto st = a->for_each_row([&](const Statement& r) { out.agencies.push_back(r.text(0)); });
  if (!st.ok()) return st;
  return std::optional<Intervention>(std::move(out));
}

namespace {

absl::Status insert_present(Connection& c, const std::string& situation_id,
                            const std::vector<std::int64_t>& agency_ids) {
  for (auto id : agency_ids) {
    if (auto st =
            run_statement(c,
                          "INSERT OR IGNORE INTO intervention_agencies (situation_id, agency_id) "
                          "VALUES (?1, ?2)",
                          [&](Statement& q) { q.bind(1, situation_id).bind(2, id); });
        !st.ok()) {
      return st;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status amend_intervention(Connection& c, const std::string& situation_id,
                                std::int64_t occurred_us, const std::string& outcome,
                                const std::vector<std::int64_t>& agency_ids, std::int64_t now_us) {
  auto st =
      run_statement(c,
                    "UPDATE interventions SET occurred_us = ?2, outcome = ?3, amended_us = ?4, "
                    "amendments = amendments + 1 WHERE situation_id = ?1",
                    [&](Statement& q) {
                      q.bind(1, situation_id).bind(2, occurred_us).bind(3, outcome).bind(4, now_us);
                    });
  if (!st.ok()) return st;
  if (c.changes() != 1) return absl::FailedPreconditionError("no intervention to amend");
  st = run_statement(c, "DELETE FROM intervention_agencies WHERE situation_id = ?1",
                     [&](Statement& q) { q.bind(1, situation_id); });
  if (!st.ok()) return st;
  if (st = insert_present(c, situation_id, agency_ids); !st.ok()) return st;
  return run_statement(c, "UPDATE situations SET intervened_us = ?2 WHERE id = ?1",
                       [&](Statement& q) { q.bind(1, situation_id).bind(2, occurred_us); });
}

absl::Status record_intervention(Connection& c, const std::string& situation_id,
                                 std::int64_t occurred_us, const std::string& outcome,
                                 const std::vector<std::int64_t>& agency_ids, std::int64_t user_id,
                                 std::int64_t now_us) {
  if (auto st = run_statement(
          c,
          "INSERT INTO interventions (situation_id, occurred_us, outcome, recorded_by, "
          "recorded_us) VALUES (?1, ?2, ?3, ?4, ?5)",
          [&](Statement& q) {
            q.bind(1, situation_id)
                .bind(2, occurred_us)
                .bind(3, outcome)
                .bind(4, user_id)
                .bind(5, now_us);
          });
      !st.ok()) {
    return st;
  }
  if (auto st = insert_present(c, situation_id, agency_ids); !st.ok()) return st;
  // Recording the intervention also acknowledges the assignment.
  return run_statement(
      c,
      "UPDATE situations SET intervened_us = ?2, acked_us = COALESCE(acked_us, ?3), "
      "acked_by = COALESCE(acked_by, ?4) WHERE id = ?1",
      [&](Statement& q) {
        q.bind(1, situation_id).bind(2, occurred_us).bind(3, now_us).bind(4, user_id);
      });
}

absl::StatusOr<std::vector<TaskRow>> task_rows(Connection& c, std::int64_t table_id,
                                               std::int64_t agency_id, std::int64_t limit) {
  auto q = c.prepare(
      "SELECT s.id, s.situation_type, g.code, COALESCE(l.code, ''), COALESCE(p.role, ''), "
      "s.state, COALESCE(s.decided_us, 0), COALESCE(s.ack_due_us, 0), COALESCE(s.acked_us, 0), "
      "COALESCE(s.intervention_due_us, 0), COALESCE(s.intervened_us, 0), "
      "COALESCE(s.last_update_us, 0) FROM situations s "
      "JOIN agencies g ON g.id = s.originating_agency_id "
      "LEFT JOIN agencies l ON l.id = s.lead_agency_id "
      "LEFT JOIN situation_agencies p ON p.situation_id = s.id AND p.agency_id = ?2 "
      "WHERE s.table_id = ?1 AND s.state IN (?21, ?22) ORDER BY s.submitted_us, s.id LIMIT ?3");
  if (!q.ok()) return q.status();
  q->bind(1, table_id).bind(2, agency_id).bind(3, limit);
  bind_state(*q, 21, domain::SituationState::kAwaitingDecision);
  bind_state(*q, 22, domain::SituationState::kAccepted);
  std::vector<TaskRow> out;
  auto st = q->for_each_row([&](const Statement& r) {
    TaskRow t;
    t.id = r.text(0);
    t.situation_type = r.text(1);
    t.originating_agency = r.text(2);
    t.lead_agency = r.text(3);
    t.part = r.text(4);
    t.state = state_at(r, 5);
    t.decided_us = r.integer(6);
    t.ack_due_us = r.integer(7);
    t.acked_us = r.integer(8);
    t.intervention_due_us = r.integer(9);
    t.intervened_us = r.integer(10);
    t.last_update_us = r.integer(11);
    out.push_back(std::move(t));
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status add_status_update(Connection& c, const std::string& situation_id,
                               std::int64_t agency_id, std::int64_t author_id,
                               const std::string& meeting_id, std::int64_t now_us,
                               const std::string& text) {
  if (auto st = run_statement(
          c,
          "INSERT INTO status_updates (situation_id, agency_id, author_id, meeting_id, "
          "created_us, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
          [&](Statement& q) {
            q.bind(1, situation_id).bind(2, agency_id).bind(3, author_id);
            if (meeting_id.empty()) {
              q.bind(4, std::nullopt);
            } else {
              q.bind(4, meeting_id);
            }
            q.bind(5, now_us).bind(6, text);
          });
      !st.ok()) {
    return st;
  }
  return run_statement(c, "UPDATE situations SET last_update_us = ?2 WHERE id = ?1",
                       [&](Statement& q) { q.bind(1, situation_id).bind(2, now_us); });
}

absl::StatusOr<std::vector<StatusUpdate>> list_status_updates(Connection& c,
                                                              const std::string& situation_id) {
  auto q = c.prepare(
      "SELECT a.code, COALESCE(s.meeting_id, ''), s.created_us, s.text FROM status_updates s "
      "JOIN agencies a ON a.id = s.agency_id WHERE s.situation_id = ?1 ORDER BY s.id");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  std::vector<StatusUpdate> out;
  auto st = q->for_each_row([&](const Statement& r) {
    out.push_back({r.text(0), r.text(1), r.integer(2), r.text(3)});
  });
  if (!st.ok()) return st;
  return out;
}

absl::Status close_situation(Connection& c, const std::string& situation_id, const Closure& closure,
                             std::int64_t user_id, std::int64_t now_us, std::int64_t purge_due_us) {
  if (auto st =
          run_statement(c,
                        "UPDATE situations SET state = ?20, closed_us = ?2, closed_by = ?3, "
                        "closure_reason = ?4, purge_due_us = ?5 WHERE id = ?1 AND state = ?21",
                        [&](Statement& q) {
                          q.bind(1, situation_id)
                              .bind(2, now_us)
                              .bind(3, user_id)
                              .bind(4, closure.reason)
                              .bind(5, purge_due_us);
                          bind_state(q, 20, domain::SituationState::kClosed);
                          bind_state(q, 21, domain::SituationState::kAccepted);
                        });
      !st.ok()) {
    return st;
  }
  if (c.changes() != 1) return absl::FailedPreconditionError("situation is not open");
  const std::pair<const char*, const std::vector<std::string>*> kinds[] = {
      {"service", &closure.services}, {"protective_factor", &closure.protective_factors}};
  for (const auto& entry : kinds) {
    const char* kind = entry.first;
    for (const auto& code : *entry.second) {
      if (auto st = run_statement(
              c,
              "INSERT OR IGNORE INTO closure_codes (situation_id, kind, code) "
              "VALUES (?1, ?2, ?3)",
              [&](Statement& q) { q.bind(1, situation_id).bind(2, kind).bind(3, code); });
          !st.ok()) {
        return st;
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Closure> find_closure(Connection& c, const std::string& situation_id) {
  Closure out;
  auto s = c.prepare("SELECT COALESCE(closure_reason, '') FROM situations WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->bind(1, situation_id);
  auto row = s->step();
  if (!row.ok()) return row.status();
  if (*row) out.reason = s->text(0);
  auto q =
      c.prepare("SELECT kind, code FROM closure_codes WHERE situation_id = ?1 ORDER BY kind, code");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  auto st = q->for_each_row([&](const Statement& r) {
    (r.text(0) == "service" ? out.services : out.protective_factors).push_back(r.text(1));
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::vector<std::string>> open_situation_ids(Connection& c) {
  auto q = c.prepare("SELECT id FROM situations WHERE state = ?21 ORDER BY decided_us, id");
  if (!q.ok()) return q.status();
  bind_state(*q, 21, domain::SituationState::kAccepted);
  std::vector<std::string> out;
  auto st = q->for_each_row([&](const Statement& r) { out.push_back(r.text(0)); });
  if (!st.ok()) return st;
  return out;
}

}  // namespace hubtable::store
