// Reporting rows (schema 0013): one per situation, made again by triggers
// whenever the situation or a child row of an accepted one changes, whatever
// the statement, and made for every situation already stored when a
// database is migrated. stale_report_rows finds a row that escaped them.

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "store/connection.h"
#include "store/migrate.h"
#include "store/reports.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_key.h"

namespace hubtable::store {
namespace {

using hubtable::testing::TempDir;

crypto::SecretBytes key() { return hubtable::testing::test_key(); }

class ReportRows : public ::testing::Test {
 protected:
  // A database at schema version `version`, with two agencies, a table and
  // a user.
  void open(int version = latest_schema_version()) {
    auto c = open_connection((dir_.path() / "t.db").string(), key(), ConnectionRole::kWriter,
                             OpenMode::kCreate);
    ASSERT_TRUE(c.ok()) << c.status();
    c_ = std::move(*c);
    ASSERT_TRUE(migrate(*c_, version).ok());
    run("INSERT INTO agencies (id, code, name, sector, created_us) VALUES "
        "(1, 'police', 'Police', 'POLICE', 0), (2, 'housing', 'Housing', 'HOUSING', 0), "
        "(3, 'mh', 'Mental health', 'MENTAL_HEALTH', 0), (4, 'school', 'School', 'EDUCATION', 0)");
    run("INSERT INTO situation_tables (id, code, name, time_zone, created_us) "
        "VALUES (1, 't1', 'Table', 'UTC', 0), (2, 't2', 'Other', 'UTC', 0)");
    run("INSERT INTO users (id, username, display_name, password_hash, password_changed_us, "
        "created_us) VALUES (1, 'u', 'U', 'x', 0, 0)");
  }

  void run(const std::string& sql) {
    auto s = c_->exec(sql);
    ASSERT_TRUE(s.ok()) << s << "\n" << sql;
  }

  // A write, then every reporting row checked against its definition: a
  // later write cannot hide one that escaped the triggers.
  void write(const std::string& sql) {
    run(sql);
    EXPECT_EQ(stale(), 0U) << "after " << sql;
  }

  void submit(const std::string& id, std::int64_t at, std::int64_t table = 1) {
    run("INSERT INTO situations (id, table_id, originating_agency_id, submitted_by, submitted_us, "
        "filter1_attested_us, state, situation_type, age_band, gender, narrative) VALUES ('" +
        id + "', " + std::to_string(table) + ", 1, 1, " + std::to_string(at) + ", " +
        std::to_string(at) + ", 'AWAITING_DECISION', 'PERSON', '18-24', 'F', 'n')");
  }

  std::uint64_t stale() {
    auto n = stale_report_rows(*c_);
    EXPECT_TRUE(n.ok()) << n.status();
    return n.value_or(999);
  }

  // What reports read of table t1's situations, one line each.
  std::vector<std::string> facts(std::int64_t table = 1) {
    std::vector<std::string> out;
    auto join = [](const auto& list) {
      std::vector<std::string> items;
      for (const auto& i : list) {
        std::ostringstream s;
        s << i;
        items.push_back(s.str());
      }
      std::sort(items.begin(), items.end());
      std::string all;
      for (const auto& i : items) all += (all.empty() ? "" : ",") + i;
      return all;
    };
    auto st = for_each_report_situation(*c_, {table, 0, 1'000'000}, [&](const SituationFacts& f) {
      std::ostringstream s;
      s << f.id << " " << f.submitted_us << " " << domain::state_name(f.state)
        << " lead=" << f.lead_agency_id << " outcome=" << f.outcome
        << " rf=" << join(f.risk_factors) << " pf=" << join(f.protective_factors)
        << " sf=" << join(f.study_flags) << " sv=" << join(f.services)
        << " cpf=" << join(f.closure_protective_factors)
        << " assisting=" << join(f.assisting_agencies);
      out.push_back(s.str());
    });
    EXPECT_TRUE(st.ok()) << st;
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Connection> c_;
};

TEST_F(ReportRows, FollowEveryKindOfWrite) {
  ASSERT_NO_FATAL_FAILURE(open());
  submit("s1", 100);
  EXPECT_EQ(facts(),
            (std::vector<std::string>{
                "s1 100 AWAITING_DECISION lead=0 outcome= rf= pf= sf= sv= cpf= assisting="}));
  // INSERT OR IGNORE, as the store writes codes: its policy overrides a
  // trigger's own, so the triggers use none.
  write(
      "INSERT OR IGNORE INTO situation_codes VALUES ('s1', 'risk_factor', 'ALC-USE'), "
      "('s1', 'risk_factor', 'DRG-USE'), ('s1', 'protective_factor', 'FAMILY'), "
      "('s1', 'study_flag', 'OPIOIDS')");
  write("INSERT OR IGNORE INTO situation_codes VALUES ('s1', 'risk_factor', 'ALC-USE')");
  // Awaiting a decision, its codes describe no one yet.
  EXPECT_EQ(facts(),
            (std::vector<std::string>{
                "s1 100 AWAITING_DECISION lead=0 outcome= rf= pf= sf= sv= cpf= assisting="}));
  write(
      "UPDATE situations SET state = 'ACCEPTED', decided_us = 200, lead_agency_id = 3 "
      "WHERE id = 's1'");
  write(
      "INSERT INTO situation_agencies (situation_id, agency_id, joined_us) VALUES "
      "('s1', 1, 1), ('s1', 2, 1), ('s1', 3, 1)");
  write("UPDATE situation_agencies SET role = 'ASSISTING' WHERE agency_id IN (1, 2)");
  write("UPDATE situation_agencies SET role = 'LEAD' WHERE agency_id = 3");
  write(
      "INSERT INTO situation_agencies (situation_id, agency_id, joined_us, role) "
      "VALUES ('s1', 4, 1, 'ASSISTING')");
  write("INSERT INTO situation_codes VALUES ('s1', 'study_flag', 'YOUTH')");
  write(
      "INSERT INTO interventions (situation_id, occurred_us, outcome, recorded_by, recorded_us) "
      "VALUES ('s1', 300, 'CONSENTED', 1, 300)");
  write("UPDATE interventions SET outcome = 'REFUSED' WHERE situation_id = 's1'");
  write("DELETE FROM situation_codes WHERE code = 'DRG-USE'");
  write(
      "INSERT OR IGNORE INTO closure_codes VALUES ('s1', 'service', 'HOUSING'), "
      "('s1', 'protective_factor', 'EMPLOYED')");
  write(
      "UPDATE situations SET state = 'CLOSED', closed_us = 400, closure_reason = 'LOWERED' "
      "WHERE id = 's1'");
  EXPECT_EQ(facts(),
            (std::vector<std::string>{"s1 100 CLOSED lead=3 outcome=REFUSED rf=ALC-USE pf=FAMILY "
                                      "sf=OPIOIDS,YOUTH sv=HOUSING cpf=EMPLOYED assisting=1,2,4"}));
  // The narrative is not reported: changing it makes nothing again; the
  // key moves when the submission time does.
  write("UPDATE situations SET narrative = 'm', submitted_us = 150 WHERE id = 's1'");
  write("DELETE FROM situation_agencies WHERE agency_id = 2");
  write("DELETE FROM closure_codes WHERE kind = 'protective_factor'");
  write("DELETE FROM interventions WHERE situation_id = 's1'");
  EXPECT_EQ(facts(), (std::vector<std::string>{
                         "s1 150 CLOSED lead=3 outcome= rf=ALC-USE pf=FAMILY sf=OPIOIDS,YOUTH "
                         "sv=HOUSING cpf= assisting=1,4"}));
  // Moved to another table, then gone with its children.
  write("UPDATE situations SET table_id = 2 WHERE id = 's1'");
  EXPECT_TRUE(facts(1).empty());
  EXPECT_EQ(facts(2).size(), 1U);
  write("PRAGMA foreign_keys = ON");
  write("DELETE FROM situations WHERE id = 's1'");
  EXPECT_TRUE(facts(2).empty());
}

TEST_F(ReportRows, AWriteThatEscapedTheTriggersIsFound) {
  ASSERT_NO_FATAL_FAILURE(open());
  submit("s1", 100);
  submit("s2", 200);
  run("UPDATE situations SET state = 'ACCEPTED', decided_us = 300 WHERE id = 's2'");
  EXPECT_EQ(stale(), 0U);
  run("DROP TRIGGER situation_reports_code_inserted");
  run("INSERT INTO situation_codes VALUES ('s2', 'risk_factor', 'ALC-USE')");
  EXPECT_EQ(stale(), 1U);
  run("DELETE FROM situation_reports WHERE id = 's1'");
  EXPECT_EQ(stale(), 2U);
}

TEST_F(ReportRows, MigrationMakesARowForEverySituationAlreadyStored) {
  ASSERT_NO_FATAL_FAILURE(open(12));
  submit("s1", 100);
  submit("s2", 200);
  run("INSERT INTO situation_codes VALUES ('s1', 'risk_factor', 'ALC-USE')");
  run("UPDATE situations SET state = 'ACCEPTED', decided_us = 300 WHERE id = 's2'");
  run("INSERT INTO situation_codes VALUES ('s2', 'risk_factor', 'ALC-USE'), "
      "('s2', 'risk_factor', 'DRG-USE')");
  run("INSERT INTO situation_agencies (situation_id, agency_id, joined_us, role) "
      "VALUES ('s2', 2, 1, 'ASSISTING')");
  ASSERT_TRUE(migrate(*c_).ok());
  EXPECT_EQ(stale(), 0U);
  EXPECT_EQ(facts(), (std::vector<std::string>{
                         "s1 100 AWAITING_DECISION lead=0 outcome= rf= pf= sf= sv= cpf= assisting=",
                         "s2 200 ACCEPTED lead=0 outcome= rf=ALC-USE,DRG-USE pf= sf= sv= cpf= "
                         "assisting=2"}));
}

// A list the store cannot read is an error, not a report short of figures.
TEST_F(ReportRows, AnUnreadableAgencyListIsAnError) {
  ASSERT_NO_FATAL_FAILURE(open());
  submit("s1", 100);
  run("UPDATE situation_reports SET assisting_agencies = '1,x' WHERE id = 's1'");
  auto st = for_each_report_situation(*c_, {1, 0, 1'000'000}, [](const SituationFacts&) {});
  EXPECT_EQ(st.code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace hubtable::store
