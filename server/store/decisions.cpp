#include "store/decisions.h"

#include "store/situation_state.h"
#include "store/situations.h"

namespace hubtable::store {

namespace {

using domain::SituationState;

absl::Status expect_one(Connection& c, const char* what) {
  if (c.changes() != 1) return absl::FailedPreconditionError(what);
  return absl::OkStatus();
}

/// Puts back the codes held as "kind:code" lines.
absl::Status restore_codes(Connection& c, const std::string& id, const std::string& lines) {
  std::size_t start = 0;
  while (start < lines.size()) {
    auto end = lines.find('\n', start);
    if (end == std::string::npos) end = lines.size();
    const std::string line = lines.substr(start, end - start);
    start = end + 1;
    const auto colon = line.find(':');
    if (colon == std::string::npos) return absl::DataLossError("a held code is malformed");
    auto st = run_statement(
        c, "INSERT OR IGNORE INTO situation_codes (situation_id, kind, code) VALUES (?1, ?2, ?3)",
        [&](Statement& q) {
          q.bind(1, id).bind(2, line.substr(0, colon)).bind(3, line.substr(colon + 1));
        });
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status undo_rejection(Connection& c, const std::string& id) {
  auto held = c.prepare(
      "SELECT age_band, gender, narrative, codes FROM held_rejections "
      "WHERE situation_id = ?1");
  if (!held.ok()) return held.status();
  held->bind(1, id);
  auto found = held->step();
  if (!found.ok()) return found.status();
  if (!*found) return absl::FailedPreconditionError("the rejection's content was erased");
  const std::string age_band = held->text(0), gender = held->text(1), narrative = held->text(2),
                    codes = held->text(3);
  held->reset();
  auto q = c.prepare(
      "UPDATE situations SET state = ?20, decided_us = NULL, decided_meeting_id = NULL, "
      "decided_by = NULL, rejection_reason = NULL, age_band = ?2, gender = ?3, narrative = ?4 "
      "WHERE id = ?1 AND state = ?21");
  if (!q.ok()) return q.status();
  bind_state(*q, 20, SituationState::kAwaitingDecision);
  bind_state(*q, 21, SituationState::kRejected);
  q->bind(1, id).bind(2, age_band).bind(3, gender).bind(4, narrative);
  if (auto st = q->run(); !st.ok()) return st;
  if (auto st = expect_one(c, "situation is not rejected"); !st.ok()) return st;
  if (auto st = restore_codes(c, id, codes); !st.ok()) return st;
  return erase_held_rejection(c, id);
}

absl::Status undo_acceptance(Connection& c, const std::string& id) {
  auto q = c.prepare(
      "UPDATE situations SET state = ?20, decided_us = NULL, decided_meeting_id = NULL, "
      "decided_by = NULL, decision_note = NULL, intervention_due_us = NULL "
      "WHERE id = ?1 AND state = ?21 AND lead_agency_id IS NULL");
  if (!q.ok()) return q.status();
  bind_state(*q, 20, SituationState::kAwaitingDecision);
  bind_state(*q, 21, SituationState::kAccepted);
  q->bind(1, id);
  if (auto st = q->run(); !st.ok()) return st;
  if (auto st = expect_one(c, "situation is not accepted without a lead"); !st.ok()) return st;
  return run_statement(c, "DELETE FROM situation_agencies WHERE situation_id = ?1",
                       [&](Statement& d) { d.bind(1, id); });
}

}  // namespace

absl::Status reject_situation(Connection& c, const std::string& id, const Rejection& r) {
  if (r.hold) {
    auto st = run_statement(
        c,
        "INSERT INTO held_rejections (situation_id, meeting_id, age_band, gender, narrative, "
        "codes) SELECT s.id, ?2, s.age_band, s.gender, s.narrative, "
        "(SELECT COALESCE(group_concat(k.kind || ':' || k.code, char(10)), '') "
        " FROM situation_codes k WHERE k.situation_id = s.id) "
        "FROM situations s WHERE s.id = ?1 AND s.state = ?21",
        [&](Statement& q) {
          q.bind(1, id).bind(2, r.meeting_id);
          bind_state(q, 21, SituationState::kAwaitingDecision);
        });
    if (!st.ok()) return st;
    if (auto e = expect_one(c, "situation is not awaiting a decision"); !e.ok()) return e;
  }
  return minimise_situation(c, id, SituationState::kRejected, r.reason, r.meeting_id, r.user_id,
                            r.now_us);
}

absl::Status undecide_situation(Connection& c, const std::string& id) {
  auto s = find_situation(c, id);
  if (!s.ok()) return s.status();
  if (!*s) return absl::NotFoundError("no such situation");
  if ((*s)->state == SituationState::kRejected) return undo_rejection(c, id);
  return undo_acceptance(c, id);
}

absl::StatusOr<bool> rejection_held(Connection& c, const std::string& situation_id) {
  auto q = c.prepare("SELECT 1 FROM held_rejections WHERE situation_id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, situation_id);
  return q->step();
}

absl::StatusOr<int> erase_held_rejections(Connection& c, const std::string& meeting_id) {
  auto st = run_statement(c, "DELETE FROM held_rejections WHERE meeting_id = ?1",
                          [&](Statement& q) { q.bind(1, meeting_id); });
  if (!st.ok()) return st;
  return c.changes();
}

absl::Status erase_held_rejection(Connection& c, const std::string& situation_id) {
  return run_statement(c, "DELETE FROM held_rejections WHERE situation_id = ?1",
                       [&](Statement& q) { q.bind(1, situation_id); });
}

absl::Status set_decision_note(Connection& c, const std::string& id, const std::string& note) {
  auto st =
      run_statement(c, "UPDATE situations SET decision_note = ?2 WHERE id = ?1 AND state = ?21",
                    [&](Statement& q) {
                      q.bind(1, id).bind(2, note);
                      bind_state(q, 21, SituationState::kAccepted);
                    });
  if (!st.ok()) return st;
  return expect_one(c, "situation is not accepted");
}

absl::Status set_rejection_reason(Connection& c, const std::string& id, const std::string& reason) {
  auto st =
      run_statement(c, "UPDATE situations SET rejection_reason = ?2 WHERE id = ?1 AND state = ?21",
                    [&](Statement& q) {
                      q.bind(1, id).bind(2, reason);
                      bind_state(q, 21, SituationState::kRejected);
                    });
  if (!st.ok()) return st;
  return expect_one(c, "situation is not rejected");
}

absl::Status record_correction(Connection& c, const Correction& k) {
  return run_statement(
      c,
      "INSERT INTO decision_corrections (situation_id, meeting_id, from_state, from_reason, "
      "to_state, to_reason, corrected_by, corrected_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      [&](Statement& q) {
        q.bind(1, k.situation_id).bind(2, k.meeting_id);
        bind_state(q, 3, k.from);
        q.bind(4, k.from_reason);
        bind_state(q, 5, k.to);
        q.bind(6, k.to_reason).bind(7, k.corrected_by).bind(8, k.corrected_us);
      });
}

absl::StatusOr<std::vector<Correction>> list_corrections(Connection& c,
                                                         const std::string& meeting_id) {
  auto q = c.prepare(
      "SELECT situation_id, from_state, from_reason, to_state, to_reason, corrected_by, "
      "corrected_us FROM decision_corrections WHERE meeting_id = ?1 ORDER BY id");
  if (!q.ok()) return q.status();
  q->bind(1, meeting_id);
  std::vector<Correction> out;
  auto st = q->for_each_row([&](const Statement& r) {
    Correction k;
    k.situation_id = r.text(0);
    k.meeting_id = meeting_id;
    k.from = state_at(r, 1);
    k.from_reason = r.text(2);
    k.to = state_at(r, 3);
    k.to_reason = r.text(4);
    k.corrected_by = r.integer(5);
    k.corrected_us = r.integer(6);
    out.push_back(std::move(k));
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace hubtable::store
