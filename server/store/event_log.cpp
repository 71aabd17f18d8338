#include "store/event_log.h"

namespace hubtable::store {

namespace {

std::string join_codes(const std::vector<std::string>& codes) {
  std::string out;
  for (const auto& c : codes) out += (out.empty() ? "" : ",") + c;
  return out;
}

std::vector<std::string> split_codes(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

absl::StatusOr<std::int64_t> keep_event(Connection& c, const KeptEvent& e) {
  auto st = run_statement(
      c,
      "INSERT INTO pushed_events (time_us, kind, table_code, situation_id, agency, message, "
      "agencies, chairs, all_reps, privacy_officers, every_table, except_user) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
      [&](Statement& q) {
        q.bind(1, e.time_us)
            .bind(2, e.kind)
            .bind(3, e.table)
            .bind(4, e.situation)
            .bind(5, e.agency)
            .bind(6, e.message)
            .bind(7, join_codes(e.agencies))
            .bind(8, std::int64_t{e.chairs})
            .bind(9, std::int64_t{e.all_reps})
            .bind(10, std::int64_t{e.privacy_officers})
            .bind(11, std::int64_t{e.every_table})
            .bind(12, e.except_user);
      });
  if (!st.ok()) return st;
  return c.last_insert_rowid();
}

absl::StatusOr<std::vector<KeptEvent>> events_after(Connection& c, std::int64_t after_seq,
                                                    std::int64_t since_us, std::int64_t limit) {
  auto q = c.prepare(
      "SELECT seq, time_us, kind, table_code, situation_id, agency, message, agencies, chairs, "
      "all_reps, privacy_officers, every_table, except_user FROM pushed_events "
      "WHERE seq > ?1 AND time_us >= ?2 ORDER BY seq LIMIT ?3");
  if (!q.ok()) return q.status();
  q->bind(1, after_seq).bind(2, since_us).bind(3, limit);
  std::vector<KeptEvent> out;
  auto st = q->for_each_row([&](const Statement& r) {
    KeptEvent e;
    e.seq = r.integer(0);
    e.time_us = r.integer(1);
    e.kind = r.text(2);
    e.table = r.text(3);
    e.situation = r.text(4);
    e.agency = r.text(5);
    e.message = r.text(6);
    e.agencies = split_codes(r.text(7));
    e.chairs = r.integer(8) != 0;
    e.all_reps = r.integer(9) != 0;
    e.privacy_officers = r.integer(10) != 0;
    e.every_table = r.integer(11) != 0;
    e.except_user = r.integer(12);
    out.push_back(std::move(e));
  });
  if (!st.ok()) return st;
  return out;
}

absl::StatusOr<std::int64_t> last_event_seq(Connection& c) {
  auto q = c.prepare("SELECT COALESCE(MAX(seq), 0) FROM pushed_events");
  if (!q.ok()) return q.status();
  auto row = q->step();
  if (!row.ok()) return row.status();
  return q->integer(0);
}

absl::StatusOr<int> drop_events_before(Connection& c, std::int64_t before_us) {
  auto st = run_statement(c, "DELETE FROM pushed_events WHERE time_us < ?1",
                          [&](Statement& q) { q.bind(1, before_us); });
  if (!st.ok()) return st;
  return c.changes();
}

absl::StatusOr<std::int64_t> watch_cursor(Connection& c, std::int64_t user_id) {
  auto q = c.prepare("SELECT last_seq FROM watch_cursors WHERE user_id = ?1");
  if (!q.ok()) return q.status();
  q->bind(1, user_id);
  auto row = q->step();
  if (!row.ok()) return row.status();
  return *row ? q->integer(0) : 0;
}

absl::Status advance_watch_cursor(Connection& c, std::int64_t user_id, std::int64_t seq) {
  auto bind = [&](Statement& q) { q.bind(1, user_id).bind(2, seq); };
  if (auto st = run_statement(
          c, "INSERT OR IGNORE INTO watch_cursors (user_id, last_seq) VALUES (?1, ?2)", bind);
      !st.ok()) {
    return st;
  }
  return run_statement(
      c, "UPDATE watch_cursors SET last_seq = MAX(last_seq, ?2) WHERE user_id = ?1", bind);
}

}  // namespace hubtable::store
