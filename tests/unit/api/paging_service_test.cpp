// Every answer that grows with the data comes in pages bounded in rows and
// in bytes, at a real table's size: 10^5 situations, agenda lines, status
// updates, planning notes and audit events, seeded straight into the
// database. Each page fits a frame, pages follow one another without gap or
// repeat, and the last says it is the last.

#include <algorithm>
#include <set>

#include "audit/audit_writer.h"
#include "audit/log_store.h"
#include "store/follow_up.h"
#include "store/transaction.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

constexpr int kRows = 100000;

class PagingTest : public FilterTest {
 protected:
  // An answer must fit the frame the server sends it in.
  void expect_fits(const v1::Response& r) {
    EXPECT_EQ(r.status().code(), v1::OK) << r.status().message();
    EXPECT_LT(r.ByteSizeLong(), deployment_.config.limits.max_frame_bytes);
  }

  std::int64_t id_of(const std::string& sql) {
    return deployment_.db->read([&](store::Connection& c) {
      auto q = c.prepare(sql);
      (void)q->step();
      return q->integer(0);
    });
  }

  void exec(const std::string& sql, const std::function<void(store::Statement&)>& bind = {}) {
    auto s = deployment_.db->write([&](store::Connection& c) -> absl::Status {
      auto q = c.prepare(sql);
      if (!q.ok()) return q.status();
      if (bind) bind(*q);
      return q->run();
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  // Situations "00000-00001" .. (from number `first`), submitted one
  // microsecond apart, awaiting a decision at t1, each with a narrative of
  // `narrative_chars`.
  void seed_situations(int n, int narrative_chars, int first = 1) {
    const std::int64_t table = id_of("SELECT id FROM situation_tables WHERE code = 't1'");
    const std::int64_t police = id_of("SELECT id FROM agencies WHERE code = 'police'");
    const std::int64_t rep = id_of("SELECT id FROM users WHERE username = 'rep.police'");
    exec(
        "WITH RECURSIVE n(i) AS (SELECT ?7 UNION ALL SELECT i + 1 FROM n WHERE i < ?7 + ?1 - 1) "
        "INSERT INTO situations (id, table_id, originating_agency_id, submitted_by, submitted_us, "
        "filter1_attested_us, state, situation_type, age_band, gender, narrative) "
        "SELECT printf('%05d-%05d', i / 100000, i % 100000), ?2, ?3, ?4, ?5 + i, ?5 + i, "
        "'AWAITING_DECISION', 'PERSON', '16-17', 'F', ?6 FROM n",
        [&](store::Statement& q) {
          q.bind(1, std::int64_t{n}).bind(2, table).bind(3, police).bind(4, rep);
          q.bind(5, clock_.now_us() - 10 * kDayUs).bind(6, std::string(narrative_chars, 'n'));
          q.bind(7, std::int64_t{first});
        });
  }

  static std::string situation_id(int i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%05d-%05d", i / 100000, i % 100000);
    return buf;
  }
};

TEST_F(PagingTest, SituationsAgendaMinutesAndUpdatesComeInPagesAt100kRows) {
  clock_.advance_us(105 * kMinuteUs);
  ASSERT_EQ(open().status().code(), v1::OK);
  const std::string meeting = agenda().agenda().meeting().id();
  ASSERT_FALSE(meeting.empty());
  seed_situations(kRows, 600);
  exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
      "INSERT INTO agenda_items (meeting_id, position, situation_id, section, time_box_seconds, "
      "start_offset_seconds) SELECT ?2, i, printf('%05d-%05d', i / 100000, i % 100000), 'NEW', "
      "300, (i - 1) * 300 FROM n",
      [&](store::Statement& q) { q.bind(1, std::int64_t{kRows}).bind(2, meeting); });

  // The situations, newest first, a page at a time: a page of 1,000 long
  // narratives is cut short to fit.
  v1::Request list;
  list.mutable_list_situations()->set_page_size(1000);
  std::set<std::string> seen;
  std::string previous_last;
  for (int pages = 0; pages < 3; ++pages) {
    const auto r = as("chair.one", list);
    expect_fits(r);
    const auto& page = r.list_situations();
    ASSERT_GT(page.situations_size(), 0);
    EXPECT_LT(page.situations_size(), 1000) << "a page holds what fits, not what was asked";
    ASSERT_FALSE(page.next_page_token().empty());
    for (const auto& s : page.situations()) {
      EXPECT_TRUE(seen.insert(s.id()).second) << "repeated " << s.id();
      if (!previous_last.empty()) {
        EXPECT_LT(s.id(), previous_last) << "newest first";
      }
      previous_last = s.id();
    }
    list.mutable_list_situations()->set_page_token(page.next_page_token());
  }
  EXPECT_EQ(*seen.rbegin(), situation_id(kRows));
  // The last page, from a token near the end: the ten oldest, and no token.
  const std::int64_t eleventh =
      id_of("SELECT submitted_us FROM situations WHERE id = '" + situation_id(11) + "'");
  list.mutable_list_situations()->set_page_token(std::to_string(eleventh) + "/" + situation_id(11));
  const auto last = as("chair.one", list);
  expect_fits(last);
  ASSERT_EQ(last.list_situations().situations_size(), 10);
  EXPECT_EQ(last.list_situations().situations(9).id(), situation_id(1));
  EXPECT_TRUE(last.list_situations().next_page_token().empty());
  list.mutable_list_situations()->set_page_token("not-a-token");
  EXPECT_EQ(as("chair.one", list).status().rule(), "situation.bad_page_token");
  list.mutable_list_situations()->set_page_size(1001);
  EXPECT_EQ(as("chair.one", list).status().rule(), "situation.page_too_large");

  // The agenda of 10^5 lines, every page of it.
  v1::Request agenda_page;
  agenda_page.mutable_agenda()->mutable_ref()->set_meeting(meeting);
  int lines = 0;
  std::uint32_t expected_position = 1;
  for (;;) {
    const auto r = as("chair.one", agenda_page);
    expect_fits(r);
    const auto& a = r.agenda().agenda();
    for (const auto& item : a.items()) ASSERT_EQ(item.position(), expected_position++);
    lines += a.items_size();
    EXPECT_EQ(a.planned_seconds(), static_cast<std::uint32_t>(kRows) * 300);
    if (a.next_after_position() == 0) break;
    agenda_page.mutable_agenda()->set_after_position(a.next_after_position());
  }
  EXPECT_EQ(lines, kRows);

  // A status history of 10^5 updates: the latest 100, and how many in all.
  exec("UPDATE situations SET state = 'ACCEPTED', decided_us = submitted_us WHERE id = ?1",
       [&](store::Statement& q) { q.bind(1, situation_id(7)); });
  const std::int64_t police = id_of("SELECT id FROM agencies WHERE code = 'police'");
  const std::int64_t rep = id_of("SELECT id FROM users WHERE username = 'rep.police'");
  exec(
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1) "
      "INSERT INTO status_updates (situation_id, agency_id, author_id, created_us, text) "
      "SELECT ?2, ?3, ?4, ?5 + i, printf('update %d', i) FROM n",
      [&](store::Statement& q) {
        q.bind(1, std::int64_t{kRows}).bind(2, situation_id(7)).bind(3, police).bind(4, rep);
        q.bind(5, clock_.now_us());
      });
  auto shown = show("chair.one", situation_id(7));
  expect_fits(shown);
  const auto& record = shown.show_situation().situation();
  EXPECT_EQ(record.updates_total(), static_cast<std::uint32_t>(kRows));
  ASSERT_EQ(record.updates_size(), 100);
  EXPECT_EQ(record.updates(99).text(), "update 100000");
  v1::Request earlier;
  earlier.mutable_show_situation()->set_id(situation_id(7));
  earlier.mutable_show_situation()->set_earlier_updates(kRows - 50);
  const auto oldest = as("chair.one", earlier);
  ASSERT_EQ(oldest.show_situation().situation().updates_size(), 50);
  EXPECT_EQ(oldest.show_situation().situation().updates(0).text(), "update 1");

  // Minutes once the meeting closes: every line, a page at a time.
  ASSERT_EQ(close().status().code(), v1::OK);
  v1::Request minutes;
  minutes.mutable_minutes()->mutable_ref()->set_meeting(meeting);
  lines = 0;
  for (;;) {
    const auto r = as("chair.one", minutes);
    expect_fits(r);
    lines += r.minutes().items_size();
    if (r.minutes().next_after_position() == 0) break;
    minutes.mutable_minutes()->set_after_position(r.minutes().next_after_position());
  }
  EXPECT_EQ(lines, kRows);
}

// A page of a table's situations reads about as many rows as it shows,
// whatever the table holds: a table's list is an audited read, run on the
// writer, and sorting every situation of the table for each page held it
// (the old list: 14,724 steps at 200 situations, 1,294,724 at 20,200).
// Counted in SQLite's virtual-machine steps, the fewest of three.
TEST_F(PagingTest, APageOfSituationsReadsNoMoreForALargerTable) {
  seed_situations(200, 100);
  // Some accepted among them, so that a page merges two states.
  exec("UPDATE situations SET state = 'ACCEPTED' WHERE CAST(substr(id, 7) AS INTEGER) % 3 = 0");
  v1::Request list;
  list.mutable_list_situations()->set_page_size(25);
  const auto steps = [&] {
    std::uint64_t fewest = UINT64_MAX;
    for (int i = 0; i < 3; ++i) {
      const std::uint64_t before = deployment_.db->statement_steps();
      EXPECT_EQ(as("chair.one", list).list_situations().situations_size(), 25);
      fewest = std::min(fewest, deployment_.db->statement_steps() - before);
    }
    return fewest;
  };
  const std::uint64_t small = steps();
  seed_situations(20000, 100, 1000);
  exec("UPDATE situations SET state = 'ACCEPTED' WHERE CAST(substr(id, 7) AS INTEGER) % 3 = 0");
  const std::uint64_t large = steps();
  ASSERT_GT(small, 0U);
  EXPECT_LE(large, small + small / 20)
      << "steps of a page at 200 situations: " << small << ", at 20,200: " << large;

  // The merged states come newest first, each situation once, a state asked
  // for twice included, and a page goes on where the last one stopped.
  std::vector<std::string> all;
  const auto first = as("chair.one", list);
  for (const auto& x : first.list_situations().situations()) all.push_back(x.id());
  list.mutable_list_situations()->add_states(v1::ACCEPTED);
  list.mutable_list_situations()->add_states(v1::AWAITING_DECISION);
  list.mutable_list_situations()->add_states(v1::ACCEPTED);
  const auto both = as("chair.one", list).list_situations();
  std::vector<std::string> merged;
  for (const auto& x : both.situations()) merged.push_back(x.id());
  EXPECT_EQ(merged, all);
  EXPECT_TRUE(std::is_sorted(all.rbegin(), all.rend())) << "newest first";
  list.mutable_list_situations()->set_page_token(both.next_page_token());
  const auto next = as("chair.one", list).list_situations();
  ASSERT_EQ(next.situations_size(), 25);
  EXPECT_LT(next.situations(0).id(), all.back());
  list.mutable_list_situations()->clear_states();
  list.mutable_list_situations()->add_states(v1::ACCEPTED);
  list.mutable_list_situations()->clear_page_token();
  const auto accepted = as("chair.one", list).list_situations();
  ASSERT_EQ(accepted.situations_size(), 25);
  for (const auto& x : accepted.situations()) {
    EXPECT_EQ(x.state(), v1::ACCEPTED) << x.id();
  }
}

TEST_F(PagingTest, AuditLogQueryAlertsAndDisclosuresComeInPagesAt100kEvents) {
  const std::string id = accepted();
  // 10^5 disclosures of the situation and 10^5 alerts, as events of t1, in
  // one transaction with their Merkle leaves.
  auto seeded = deployment_.db->write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    for (int i = 0; i < 2 * kRows; ++i) {
      v1::AuditEvent e;
      e.set_time_us(clock_.now_us());
      e.set_outcome(v1::AUDIT_OK);
      e.set_table("t1");
      e.mutable_actor()->set_username("rep.mh");
      e.mutable_actor()->set_agency("mh");
      e.mutable_actor()->set_role(v1::REP);
      if (i % 2 == 0) {
        e.set_action("situation.reveal");
        e.set_situation(id);
        e.set_rule("identifiers.joined_agency");
        e.set_legal_authority("ON-MFIPPA-32-H");
        for (const char* f : {"name", "date_of_birth", "address", "phone", "aliases"}) {
          e.add_data_elements(f);
        }
      } else {
        e.set_action("alert.repeated_denials");
        e.mutable_alert()->set_kind("repeated_denials");
        e.mutable_alert()->set_subject("rep.mh");
        e.mutable_alert()->set_count(5);
      }
      if (auto seq = audit::append(c, e); !seq.ok()) return seq.status();
    }
    return tx.commit();
  });
  ASSERT_TRUE(seeded.ok()) << seeded;

  // The whole log, as audit verify reads it, in pages of at most 5,000.
  v1::Request log;
  log.mutable_audit_log()->set_limit(5000);
  std::uint64_t entries = 0;
  std::uint64_t tree = 0;
  for (;;) {
    const auto r = as("po.one", log);
    expect_fits(r);
    const auto& page = r.audit_log();
    tree = page.tree_size();
    entries += static_cast<std::uint64_t>(page.entries_size());
    if (page.last_page()) break;
    ASSERT_GT(page.entries_size(), 0);
    log.mutable_audit_log()->set_after_sequence(page.entries(page.entries_size() - 1).sequence());
  }
  EXPECT_GE(entries, 2u * kRows);
  EXPECT_GE(entries + 100, tree);  // and the events of these requests themselves

  // A query, the alerts and the register: pages that fit, following on.
  v1::Request query;
  query.mutable_audit_query()->set_action("situation.reveal");
  query.mutable_audit_query()->set_limit(1000);
  std::uint64_t after = 0;
  for (int pages = 0; pages < 5; ++pages) {
    const auto r = as("po.one", query);
    expect_fits(r);
    ASSERT_EQ(r.audit_query().events_size(), 1000);
    EXPECT_GT(r.audit_query().events(0).sequence(), after);
    after = r.audit_query().next_after();
    ASSERT_GT(after, 0u);
    query.mutable_audit_query()->set_after_sequence(after);
  }
  v1::Request alerts;
  alerts.mutable_audit_alerts()->set_limit(1000);
  const auto a = as("po.one", alerts);
  expect_fits(a);
  EXPECT_EQ(a.audit_alerts().alerts_size(), 1000);
  EXPECT_GT(a.audit_alerts().next_after(), 0u);

  v1::Request reg;
  reg.mutable_audit_disclosures()->set_situation(id);
  reg.mutable_audit_disclosures()->set_limit(1000);
  std::uint64_t disclosures = 0;
  std::uint64_t previous = 0;
  for (;;) {
    const auto r = as("po.one", reg);
    expect_fits(r);
    for (const auto& d : r.audit_disclosures().disclosures()) {
      ASSERT_GT(d.sequence(), previous);
      previous = d.sequence();
    }
    disclosures += static_cast<std::uint64_t>(r.audit_disclosures().disclosures_size());
    if (r.audit_disclosures().next_after() == 0) break;
    reg.mutable_audit_disclosures()->set_after_sequence(r.audit_disclosures().next_after());
  }
  EXPECT_EQ(disclosures, static_cast<std::uint64_t>(kRows));
}

TEST_F(PagingTest, PlanningNotesComeInPagesAt100kNotes) {
  const std::string id = accepted();
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "mh").status().code(), v1::OK);
  ASSERT_EQ(plan("rep.mh", id, std::string(1500, 'p')).status().code(), v1::OK);
  // 10^5 more: copies of it, sealed as the server sealed it.
  auto seeded = deployment_.db->write([&](store::Connection& c) -> absl::Status {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto first = store::list_planning_notes(c, id, 0, 1);
    if (!first.ok()) return first.status();
    const auto& n = first->front();
    auto q = c.prepare(
        "INSERT INTO planning_notes (situation_id, agency_id, author_id, created_us, sealed) "
        "SELECT situation_id, agency_id, author_id, created_us, sealed FROM planning_notes "
        "WHERE id = ?1");
    if (!q.ok()) return q.status();
    for (int i = 0; i < kRows; ++i) {
      q->reset();
      q->bind(1, n.id);
      if (auto st = q->run(); !st.ok()) return st;
    }
    return tx.commit();
  });
  ASSERT_TRUE(seeded.ok()) << seeded;
  v1::Request read;
  read.mutable_plan_situation()->set_id(id);
  int notes = 0;
  for (int pages = 0; pages < 5; ++pages) {
    const auto r = as("rep.mh", read);
    expect_fits(r);
    ASSERT_EQ(r.plan_situation().notes_size(), 100);
    notes += r.plan_situation().notes_size();
    ASSERT_GT(r.plan_situation().next_after_note(), 0u);
    read.mutable_plan_situation()->set_after_note(r.plan_situation().next_after_note());
  }
  EXPECT_EQ(notes, 500);
  // The last page says so.
  read.mutable_plan_situation()->set_after_note(
      static_cast<std::uint64_t>(id_of("SELECT MAX(id) FROM planning_notes") - 3));
  const auto end = as("rep.mh", read);
  EXPECT_EQ(end.plan_situation().notes_size(), 3);
  EXPECT_EQ(end.plan_situation().next_after_note(), 0u);
}

}  // namespace
}  // namespace hubtable::api
