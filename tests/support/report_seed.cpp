#include "tests/support/report_seed.h"

#include <functional>

namespace hubtable::testing {

namespace {

absl::Status run(store::Connection& c, const char* sql,
                 const std::function<void(store::Statement&)>& bind) {
  auto q = c.prepare(sql);
  if (!q.ok()) return q.status();
  bind(*q);
  return q->run();
}

}  // namespace

absl::StatusOr<Seeder> Seeder::create(store::Connection& c) {
  Seeder seeder;
  for (const char* sql : {
           "INSERT INTO situations (id, table_id, originating_agency_id, submitted_by, "
           "submitted_us, filter1_attested_us, state, situation_type, age_band, gender, "
           "narrative, decided_us, rejection_reason, withdrawn_us, intervened_us, lead_agency_id, "
           "assigned_us, ack_due_us, acked_us, intervention_due_us, closed_us, closure_reason) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
           "?17, ?18, ?19, ?20, ?21)",
           "INSERT INTO situation_codes (situation_id, kind, code) VALUES (?1, ?2, ?3)",
           "INSERT INTO closure_codes (situation_id, kind, code) VALUES (?1, ?2, ?3)",
           "INSERT INTO situation_agencies (situation_id, agency_id, joined_us, role) "
           "VALUES (?1, ?2, ?3, ?4)",
           "INSERT INTO interventions (situation_id, occurred_us, outcome, recorded_by, "
           "recorded_us) VALUES (?1, ?2, ?3, ?4, ?2)",
       }) {
    auto q = c.prepare(sql);
    if (!q.ok()) return q.status();
    seeder.statements_.push_back(std::move(*q));
  }
  return seeder;
}

absl::Status Seeder::code(const char* kind, bool at_closure, const std::string& situation,
                          const std::string& value) {
  auto& q = statements_[at_closure ? 2 : 1];
  q.reset();
  q.bind(1, situation).bind(2, std::string_view(kind)).bind(3, value);
  return q.run();
}

absl::Status Seeder::insert(const SeedSituation& s) {
  const bool minimised = s.state == "REJECTED" || s.state == "WITHDRAWN";
  auto text = [](const std::string& v, bool keep) -> std::optional<std::string_view> {
    if (!keep || v.empty()) return std::nullopt;
    return std::string_view(v);
  };
  auto bind_text = [](store::Statement& q, int i, std::optional<std::string_view> v) {
    if (v) {
      q.bind(i, *v);
    } else {
      q.bind(i, std::nullopt);
    }
  };
  auto& q = statements_[0];
  q.reset();
  q.bind(1, s.id).bind(2, s.table_id).bind(3, s.originating_agency_id);
  q.bind(4, s.submitted_by).bind(5, s.submitted_us).bind(6, s.state);
  q.bind(7, s.situation_type);
  bind_text(q, 8, text(s.age_band, !minimised));
  bind_text(q, 9, text(s.gender, !minimised));
  bind_text(q, 10, text(s.narrative, !minimised));
  q.bind(11, s.decided_us);
  bind_text(q, 12, text(s.rejection_reason, true));
  q.bind(13,
         s.state == "WITHDRAWN" ? std::optional<std::int64_t>(s.submitted_us + 1) : std::nullopt);
  q.bind(14, s.intervened_us);
  if (s.lead_agency_id != 0) {
    q.bind(15, s.lead_agency_id).bind(16, s.decided_us);
  } else {
    q.bind(15, std::nullopt).bind(16, std::nullopt);
  }
  q.bind(17, s.ack_due_us).bind(18, s.acked_us).bind(19, s.intervention_due_us);
  q.bind(20, s.closed_us);
  bind_text(q, 21, text(s.closure_reason, true));
  if (auto st = q.run(); !st.ok()) return st;
  const std::pair<const char*, const std::vector<std::string>*> submitted[] = {
      {"risk_factor", &s.risk_factors},
      {"protective_factor", &s.protective_factors},
      {"study_flag", &s.study_flags}};
  for (const auto& [kind, values] : submitted) {
    for (const auto& v : *values) {
      if (auto st = code(kind, false, s.id, v); !st.ok()) return st;
    }
  }
  const std::pair<const char*, const std::vector<std::string>*> closure[] = {
      {"service", &s.services}, {"protective_factor", &s.closure_protective_factors}};
  for (const auto& [kind, values] : closure) {
    for (const auto& v : *values) {
      if (auto st = code(kind, true, s.id, v); !st.ok()) return st;
    }
  }
  auto agency = [&](std::int64_t id, const char* role) {
    auto& a = statements_[3];
    a.reset();
    a.bind(1, s.id).bind(2, id).bind(3, s.submitted_us).bind(4, std::string_view(role));
    return a.run();
  };
  if (s.lead_agency_id != 0) {
    if (auto st = agency(s.lead_agency_id, "LEAD"); !st.ok()) return st;
  }
  for (auto id : s.assisting) {
    if (auto st = agency(id, "ASSISTING"); !st.ok()) return st;
  }
  if (!s.intervened_us) return absl::OkStatus();
  auto& i = statements_[4];
  i.reset();
  i.bind(1, s.id).bind(2, *s.intervened_us).bind(3, s.outcome).bind(4, s.submitted_by);
  return i.run();
}

absl::Status insert_seed_situation(store::Connection& c, const SeedSituation& s) {
  auto seeder = Seeder::create(c);
  if (!seeder.ok()) return seeder.status();
  return seeder->insert(s);
}

absl::Status insert_seed_meeting(store::Connection& c, const std::string& id, std::int64_t table_id,
                                 std::int64_t start_us, std::int64_t opened_by,
                                 const std::vector<std::pair<std::int64_t, std::int64_t>>& reps) {
  auto st = run(c,
                "INSERT INTO meetings (id, table_id, scheduled_start_us, duration_minutes, "
                "opened_us, opened_by, closed_us, closed_by, agenda_frozen_us, available_seconds) "
                "VALUES (?1, ?2, ?3, 90, ?3, ?4, ?3 + 5400000000, ?4, ?3, 5400)",
                [&](store::Statement& q) {
                  q.bind(1, id).bind(2, table_id).bind(3, start_us).bind(4, opened_by);
                });
  if (!st.ok()) return st;
  for (const auto& rep : reps) {
    const std::int64_t user = rep.first;
    const std::int64_t agency = rep.second;
    st = run(c,
             "INSERT INTO attendance (meeting_id, user_id, agency_id, role, presents_for_agency, "
             "checked_in_us) VALUES (?1, ?2, ?3, 'REP', 1, ?4)",
             [&](store::Statement& q) {
               q.bind(1, id).bind(2, user).bind(3, agency).bind(4, start_us);
             });
    if (!st.ok()) return st;
  }
  return st;
}

std::int64_t id_of(store::Connection& c, const std::string& table, const std::string& key) {
  const std::string column = table == "users" ? "username" : "code";
  auto q = c.prepare("SELECT id FROM " + table + " WHERE " + column + " = ?1");
  if (!q.ok()) return 0;
  q->bind(1, key);
  auto row = q->step();
  return row.ok() && *row ? q->integer(0) : 0;
}

}  // namespace hubtable::testing
