// Reports through the service over a real encrypted database: every figure
// of the summary against a fixture computed by hand, partnership health,
// the public version's suppression, the export's de-identification, paging,
// the policy and the audit trail.

#include <set>

#include "store/transaction.h"
#include "tests/support/report_seed.h"
#include "tests/unit/api/meeting_fixture.h"

namespace hubtable::api {
namespace {

using hubtable::testing::id_of;
using hubtable::testing::SeedSituation;

constexpr std::int64_t kHour = 60 * kMinuteUs;
constexpr const char* kNarrativeCanary = "Zqanarrativecanary";

std::map<std::string, std::uint64_t> rows_of(const v1::ReportSummary& s, const std::string& key,
                                             std::uint64_t* base = nullptr) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& b : s.breakdowns()) {
    if (b.key() != key) continue;
    if (base) *base = b.base();
    for (const auto& r : b.rows()) {
      if (r.count() > 0 || r.suppressed() != v1::SHOWN) out[r.code()] = r.count();
    }
  }
  return out;
}

using Counts = std::map<std::string, std::uint64_t>;

class ReportTest : public MeetingTest {
 protected:
  ReportTest() : MeetingTest(utc(2026, 12, 1, 12, 0)) {}

  void SetUp() override { seed(); }

  // The fixture (table t1, America/Toronto; the period is October and
  // November 2026). Its figures are worked out by hand in the tests below.
  void seed() {
    auto st = deployment_.db->write([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      const auto t1 = id_of(c, "situation_tables", "t1");
      const auto t2 = id_of(c, "situation_tables", "t2");
      police_ = id_of(c, "agencies", "police");
      mh_ = id_of(c, "agencies", "mh");
      housing_ = id_of(c, "agencies", "housing");
      const auto rep_police = id_of(c, "users", "rep.police");
      const auto rep_mh = id_of(c, "users", "rep.mh");
      const auto po = id_of(c, "users", "po.one");
      auto base = [&](const std::string& id, std::int64_t agency, std::int64_t at) {
        SeedSituation s;
        s.id = id;
        s.table_id = t1;
        s.originating_agency_id = agency;
        s.submitted_by = rep_police;
        s.submitted_us = at;
        s.narrative = std::string("Situation ") + kNarrativeCanary;
        return s;
      };
      std::vector<SeedSituation> all;
      // S1: accepted, open; led by mental health, assisted by police and
      // housing; acknowledged and intervened on time (10 h).
      auto s1 = base("sit-one", police_, utc(2026, 10, 5, 14, 0));
      s1.state = "ACCEPTED";
      s1.decided_us = s1.submitted_us + kHour;
      s1.age_band = "16-17";
      s1.gender = "F";
      s1.risk_factors = {"ALC-USE", "ALC-ABUSE", "DRG-USE"};
      s1.protective_factors = {"FAMILY_SUPPORT"};
      s1.study_flags = {"OPIOIDS"};
      s1.lead_agency_id = mh_;
      s1.assisting = {police_, housing_};
      s1.ack_due_us = *s1.decided_us + 4 * kHour;
      s1.acked_us = *s1.decided_us + 2 * kHour;
      s1.intervention_due_us = *s1.decided_us + 48 * kHour;
      s1.intervened_us = *s1.decided_us + 10 * kHour;
      s1.outcome = "CONSENTED";
      all.push_back(s1);
      // S2: a family, closed; led by police, acknowledged 2 h late,
      // intervened after 60 h (late).
      auto s2 = base("sit-two", mh_, utc(2026, 10, 20, 15, 0));
      s2.state = "CLOSED";
      s2.situation_type = "FAMILY";
      s2.decided_us = s2.submitted_us + kHour;
      s2.age_band = "25-29";
      s2.gender = "M";
      s2.risk_factors = {"DRG-USE"};
      s2.lead_agency_id = police_;
      s2.ack_due_us = *s2.decided_us + 4 * kHour;
      s2.acked_us = *s2.decided_us + 6 * kHour;
      s2.intervention_due_us = *s2.decided_us + 48 * kHour;
      s2.intervened_us = *s2.decided_us + 60 * kHour;
      s2.outcome = "REFUSED";
      s2.closed_us = utc(2026, 11, 1, 15, 0);
      s2.closure_reason = "LOWERED_CONNECTED";
      s2.services = {"MENTAL_HEALTH", "HOUSING"};
      s2.closure_protective_factors = {"EMPLOYED"};
      all.push_back(s2);
      // S3: accepted on 3 November, no lead yet, no intervention.
      auto s3 = base("sit-three", police_, utc(2026, 11, 3, 15, 0));
      s3.state = "ACCEPTED";
      s3.decided_us = s3.submitted_us + kHour;
      s3.age_band = "16-17";
      s3.gender = "M";
      s3.risk_factors = {"CRI-ASSAULT"};
      all.push_back(s3);
      // S4 rejected, S5 withdrawn, S6 awaiting a decision.
      auto s4 = base("sit-four", police_, utc(2026, 11, 10, 15, 0));
      s4.state = "REJECTED";
      s4.decided_us = s4.submitted_us + kHour;
      s4.rejection_reason = "NOT_AER";
      all.push_back(s4);
      auto s5 = base("sit-five", mh_, utc(2026, 11, 12, 15, 0));
      s5.state = "WITHDRAWN";
      all.push_back(s5);
      // Awaiting a decision: its factors describe no accepted situation.
      auto s6 = base("sit-six", police_, utc(2026, 11, 20, 15, 0));
      s6.risk_factors = {"GAM-PERSON"};
      all.push_back(s6);
      // Outside the report: before the period, and another table's.
      auto early = base("sit-early", police_, utc(2026, 9, 30, 12, 0));
      early.state = "ACCEPTED";
      early.decided_us = early.submitted_us;
      all.push_back(early);
      auto other = base("sit-other", housing_, utc(2026, 11, 5, 15, 0));
      other.table_id = t2;
      all.push_back(other);
      for (const auto& s : all) {
        if (auto r = hubtable::testing::insert_seed_situation(c, s); !r.ok()) return r;
      }
      // Meetings in the period: police at all three (two different people),
      // mental health at the first. One meeting before the period.
      const std::vector<
          std::tuple<const char*, std::int64_t, std::vector<std::pair<std::int64_t, std::int64_t>>>>
          meetings = {
              {"t1-m1", utc(2026, 10, 6, 14, 0), {{rep_police, police_}, {rep_mh, mh_}}},
              {"t1-m2", utc(2026, 10, 8, 14, 0), {{rep_police, police_}}},
              {"t1-m3", utc(2026, 10, 13, 14, 0), {{po, police_}}},
              {"t1-m0", utc(2026, 9, 29, 14, 0), {{rep_mh, mh_}}},
          };
      for (const auto& [id, start, reps] : meetings) {
        auto r = hubtable::testing::insert_seed_meeting(c, id, t1, start, rep_police, reps);
        if (!r.ok()) return r;
      }
      return tx.commit();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  v1::Response summary(const std::string& user, bool public_view = false,
                       const std::string& format = "text",
                       const std::vector<std::string>& tables = {"t1"}) {
    v1::Request r;
    auto* s = r.mutable_report_summary()->mutable_scope();
    for (const auto& t : tables) s->add_tables(t);
    s->set_from_us(utc(2026, 10, 1, 0, 0));
    s->set_to_us(utc(2026, 12, 1, 0, 0));
    s->set_format(format);
    r.mutable_report_summary()->set_public_view(public_view);
    return as(user, r);
  }

  v1::Response export_page(const std::string& user, std::uint64_t offset, std::uint32_t limit) {
    v1::Request r;
    auto* s = r.mutable_report_export()->mutable_scope();
    s->add_tables("t1");
    s->set_from_us(utc(2026, 10, 1, 0, 0));
    s->set_to_us(utc(2026, 12, 1, 0, 0));
    s->set_format("rtd-csv");
    r.mutable_report_export()->set_offset(offset);
    r.mutable_report_export()->set_limit(limit);
    return as(user, r);
  }

  // Situations of table t2, enough to make t1 a small part of the database.
  void seed_other_table(int n) {
    auto st = deployment_.db->write([&](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      auto seeder = hubtable::testing::Seeder::create(c);
      if (!seeder.ok()) return seeder.status();
      for (int i = 0; i < n; ++i) {
        SeedSituation s;
        s.id = "other-" + std::to_string(i);
        s.table_id = id_of(c, "situation_tables", "t2");
        s.originating_agency_id = housing_;
        s.submitted_by = id_of(c, "users", "rep.t2");
        s.submitted_us = utc(2026, 10, 10, 15, 0) + i * kHour;
        s.state = "ACCEPTED";
        s.decided_us = s.submitted_us + kHour;
        s.risk_factors = {"ALC-USE", "HOU-HOMELESS"};
        s.lead_agency_id = housing_;
        s.assisting = {police_};
        s.intervened_us = s.submitted_us + 2 * kHour;
        s.outcome = "CONSENTED";
        if (auto r = seeder->insert(s); !r.ok()) return r;
      }
      return tx.commit();
    });
    ASSERT_TRUE(st.ok()) << st;
  }

  std::int64_t police_ = 0;
  std::int64_t mh_ = 0;
  std::int64_t housing_ = 0;
};

TEST_F(ReportTest, SummaryFiguresMatchTheHandComputedFixture) {
  auto r = summary("chair.one");
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  const auto& s = r.report_summary().summary();
  std::uint64_t base = 0;
  EXPECT_EQ(rows_of(s, "decisions", &base),
            (Counts{{"ACCEPTED", 3}, {"REJECTED", 1}, {"WITHDRAWN", 1}, {"AWAITING_DECISION", 1}}));
  EXPECT_EQ(base, 6U);
  EXPECT_EQ(rows_of(s, "rejection_reasons", &base), (Counts{{"NOT_AER", 1}}));
  EXPECT_EQ(base, 1U);
  EXPECT_EQ(rows_of(s, "originating_sectors"), (Counts{{"POLICE", 4}, {"MENTAL_HEALTH", 2}}));
  EXPECT_EQ(rows_of(s, "situation_types", &base), (Counts{{"PERSON", 2}, {"FAMILY", 1}}));
  EXPECT_EQ(base, 3U);
  EXPECT_EQ(rows_of(s, "age_bands"), (Counts{{"16-17", 2}, {"25-29", 1}}));
  EXPECT_EQ(rows_of(s, "genders"), (Counts{{"F", 1}, {"M", 2}}));
  // S1 has two alcohol factors: the category counts it once.
  EXPECT_EQ(rows_of(s, "risk_categories"), (Counts{{"ALC", 1}, {"DRG", 2}, {"CRI", 1}}));
  EXPECT_EQ(rows_of(s, "risk_factors"),
            (Counts{{"ALC-USE", 1}, {"ALC-ABUSE", 1}, {"DRG-USE", 2}, {"CRI-ASSAULT", 1}}));
  EXPECT_EQ(rows_of(s, "protective_factors"), (Counts{{"FAMILY_SUPPORT", 1}}));
  EXPECT_EQ(rows_of(s, "study_flags"), (Counts{{"OPIOIDS", 1}}));
  EXPECT_EQ(rows_of(s, "lead_sectors"), (Counts{{"MENTAL_HEALTH", 1}, {"POLICE", 1}, {"NONE", 1}}));
  EXPECT_EQ(rows_of(s, "assisting_sectors"), (Counts{{"POLICE", 1}, {"HOUSING", 1}}));
  EXPECT_EQ(rows_of(s, "accepted_status"), (Counts{{"OPEN", 2}, {"CLOSED", 1}}));
  // S1 was accepted 57 days before "now" (1 December), S3 28 days.
  EXPECT_EQ(rows_of(s, "open_age", &base), (Counts{{"31-90", 1}, {"8-30", 1}}));
  EXPECT_EQ(base, 2U);
  EXPECT_EQ(rows_of(s, "intervention"), (Counts{{"INTERVENED", 2}, {"NOT_YET", 1}}));
  EXPECT_EQ(rows_of(s, "intervention_target"), (Counts{{"WITHIN", 1}, {"LATE", 1}}));
  EXPECT_EQ(rows_of(s, "intervention_outcomes"), (Counts{{"CONSENTED", 1}, {"REFUSED", 1}}));
  EXPECT_EQ(rows_of(s, "closure_reasons", &base), (Counts{{"LOWERED_CONNECTED", 1}}));
  EXPECT_EQ(base, 1U);
  EXPECT_EQ(rows_of(s, "services"), (Counts{{"MENTAL_HEALTH", 1}, {"HOUSING", 1}}));
  EXPECT_EQ(rows_of(s, "closure_protective_factors"), (Counts{{"EMPLOYED", 1}}));
  // 10 h and 60 h: median 35 h, 90th percentile 10 + 0.9 * 50 = 55 h.
  EXPECT_EQ(s.timing().intervened(), 2U);
  EXPECT_DOUBLE_EQ(s.timing().median_hours(), 35.0);
  EXPECT_DOUBLE_EQ(s.timing().p90_hours(), 55.0);
  EXPECT_EQ(s.timing().target_hours(), 48U);
  ASSERT_EQ(s.months_size(), 2);
  EXPECT_EQ(s.months(0).month(), "2026-10");
  EXPECT_EQ(s.months(0).submitted(), 2U);
  EXPECT_EQ(s.months(0).accepted(), 2U);
  EXPECT_EQ(s.months(1).month(), "2026-11");
  EXPECT_EQ(s.months(1).submitted(), 4U);
  EXPECT_EQ(s.months(1).accepted(), 1U);
  // Labels come from the vocabulary.
  for (const auto& b : s.breakdowns()) {
    for (const auto& row : b.rows()) EXPECT_FALSE(row.label().empty()) << b.key() << row.code();
  }
}

// A table's report reads its own situations' rows: another table's, however
// many, change none of its figures.
TEST_F(ReportTest, AnotherTablesSituationsChangeNoFigure) {
  auto whole = summary("chair.one");
  ASSERT_EQ(whole.status().code(), v1::OK);
  seed_other_table(60);
  auto small = summary("chair.one");
  ASSERT_EQ(small.status().code(), v1::OK);
  EXPECT_EQ(small.report_summary().summary().SerializeAsString(),
            whole.report_summary().summary().SerializeAsString());
  EXPECT_EQ(rows_of(small.report_summary().summary(), "risk_categories"),
            (Counts{{"ALC", 1}, {"DRG", 2}, {"CRI", 1}}));
}

TEST_F(ReportTest, PartnershipHealthPerAgency) {
  auto r = summary("po.one");
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  const auto& s = r.report_summary().summary();
  std::map<std::string, v1::AgencyHealth> by_agency;
  for (const auto& a : s.agencies()) by_agency[a.agency()] = a;
  ASSERT_EQ(by_agency.size(), 3U);  // the two members, and housing which assisted
  const auto& police = by_agency["police"];
  EXPECT_EQ(police.meetings_held(), 3U);
  EXPECT_EQ(police.meetings_attended(), 3U);
  EXPECT_EQ(police.attendees(), 2U);  // not always the same person
  EXPECT_EQ(police.regular_attended(), 2U);
  EXPECT_EQ(police.leads(), 1U);
  EXPECT_EQ(police.assisting(), 1U);
  EXPECT_EQ(police.overdue_acks(), 1U);
  EXPECT_EQ(police.overdue_interventions(), 1U);
  const auto& mh = by_agency["mh"];
  EXPECT_EQ(mh.meetings_attended(), 1U);
  EXPECT_EQ(mh.attendees(), 1U);
  EXPECT_EQ(mh.leads(), 1U);
  EXPECT_EQ(mh.overdue_acks(), 0U);
  EXPECT_EQ(mh.overdue_interventions(), 0U);
  const auto& housing = by_agency["housing"];
  EXPECT_EQ(housing.sector(), "HOUSING");
  EXPECT_EQ(housing.meetings_attended(), 0U);
  EXPECT_EQ(housing.assisting(), 1U);
  EXPECT_EQ(s.total_leads(), 2U);
}

TEST_F(ReportTest, PublicReportWithholdsEverySmallCountAndAgencyDetail) {
  const auto full = summary("chair.one").report_summary().summary();
  auto r = summary("chair.one", true, "html");
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  const auto& pub = r.report_summary().summary();
  EXPECT_TRUE(pub.public_view());
  EXPECT_TRUE(pub.agencies().empty());
  EXPECT_TRUE(pub.timing().suppressed());
  EXPECT_EQ(pub.timing().median_hours(), 0.0);
  ASSERT_EQ(pub.breakdowns_size(), full.breakdowns_size());
  int withheld = 0;
  for (int i = 0; i < full.breakdowns_size(); ++i) {
    const auto& f = full.breakdowns(i);
    const auto& p = pub.breakdowns(i);
    ASSERT_EQ(p.rows_size(), f.rows_size());
    for (int k = 0; k < f.rows_size(); ++k) {
      const auto truth = f.rows(k).count();
      const auto& shown = p.rows(k);
      SCOPED_TRACE(f.key() + ":" + f.rows(k).code());
      if (truth > 0 && truth < 5) {
        EXPECT_EQ(shown.suppressed(), v1::SMALL);
      }
      if (shown.suppressed() != v1::SHOWN) {
        EXPECT_EQ(shown.count(), 0U);
        ++withheld;
      } else {
        EXPECT_EQ(shown.count(), truth);
      }
      if (shown.suppressed() == v1::COMPLEMENTARY) {
        EXPECT_GE(truth, 5U);
      }
    }
  }
  EXPECT_GT(withheld, 10);
  for (int i = 0; i < pub.months_size(); ++i) {
    EXPECT_EQ(pub.months(i).submitted(), 0U);  // 2 and 4: both under 5
    EXPECT_EQ(pub.months(i).submitted_suppressed(), v1::SMALL);
  }
}

TEST_F(ReportTest, ExportRowsAreDeidentifiedMonthlyAndPaged) {
  auto first = export_page("chair.one", 0, 4);
  ASSERT_EQ(first.status().code(), v1::OK) << first.status().message();
  ASSERT_EQ(first.report_export().rows_size(), 4);
  EXPECT_TRUE(first.report_export().more());
  auto rest = export_page("chair.one", 4, 4);
  ASSERT_EQ(rest.status().code(), v1::OK);
  ASSERT_EQ(rest.report_export().rows_size(), 2);
  EXPECT_FALSE(rest.report_export().more());

  std::vector<v1::ExportRow> rows(first.report_export().rows().begin(),
                                  first.report_export().rows().end());
  rows.insert(rows.end(), rest.report_export().rows().begin(), rest.report_export().rows().end());
  const auto& s1 = rows[0];
  EXPECT_EQ(s1.submitted_month(), "2026-10");
  EXPECT_EQ(s1.decided_month(), "2026-10");
  EXPECT_EQ(s1.originating_sector(), "POLICE");
  EXPECT_EQ(s1.decision(), "ACCEPTED");
  EXPECT_EQ(s1.age_band(), "16-17");
  EXPECT_EQ(std::vector<std::string>(s1.risk_categories().begin(), s1.risk_categories().end()),
            (std::vector<std::string>{"ALC", "DRG"}));
  EXPECT_EQ(s1.lead_sector(), "MENTAL_HEALTH");
  EXPECT_EQ(std::vector<std::string>(s1.assisting_sectors().begin(), s1.assisting_sectors().end()),
            (std::vector<std::string>{"HOUSING", "POLICE"}));
  EXPECT_EQ(s1.intervention_hours_band(), "0-24");
  EXPECT_EQ(rows[1].intervention_hours_band(), "48-72");
  EXPECT_EQ(rows[1].closed_month(), "2026-11");
  EXPECT_EQ(rows[1].closure_reason(), "LOWERED_CONNECTED");
  EXPECT_EQ(rows[3].decision(), "REJECTED");
  EXPECT_EQ(rows[3].rejection_reason(), "NOT_AER");
  EXPECT_TRUE(rows[3].age_band().empty());
  // Awaiting a decision: its date, agency and type only, not its factors.
  EXPECT_EQ(rows[5].decision(), "AWAITING_DECISION");
  EXPECT_TRUE(rows[5].age_band().empty());
  EXPECT_TRUE(rows[5].risk_factors().empty());
  EXPECT_TRUE(rows[5].risk_categories().empty());
  EXPECT_EQ(rows[5].situation_type(), "PERSON");

  // Records are keyed pseudonyms: stable, distinct, never the situation id.
  std::set<std::string> records;
  std::string all;
  for (const auto& row : rows) {
    records.insert(row.record());
    all += row.SerializeAsString();
  }
  EXPECT_EQ(records.size(), 6U);
  EXPECT_EQ(export_page("po.one", 0, 1).report_export().rows(0).record(), rows[0].record());
  for (const char* id : {"sit-one", "sit-two", "sit-three", "sit-four", "sit-five", "sit-six"}) {
    EXPECT_EQ(all.find(id), std::string::npos) << id;
  }
  EXPECT_EQ(all.find(kNarrativeCanary), std::string::npos);
  EXPECT_EQ(all.find("Rep Police"), std::string::npos);
  // No date finer than a month anywhere: every month field is YYYY-MM.
  for (const auto& row : rows) {
    for (const auto* m : {&row.submitted_month(), &row.decided_month(), &row.closed_month()}) {
      EXPECT_TRUE(m->empty() || m->size() == 7) << *m;
    }
  }
}

TEST_F(ReportTest, OnlyChairsAndPrivacyOfficersOfEveryTableNamed) {
  auto rep = summary("rep.police");
  EXPECT_EQ(rep.status().code(), v1::PERMISSION_DENIED);
  EXPECT_EQ(rep.status().rule(), "report.chairs_and_privacy_officers");
  EXPECT_EQ(export_page("rep.mh", 0, 10).status().rule(), "report.chairs_and_privacy_officers");
  auto other = summary("chair.one", false, "text", {"t1", "t2"});
  EXPECT_EQ(other.status().code(), v1::PERMISSION_DENIED) << other.status().message();
  auto public_by_guest = summary("guest.one", true);
  EXPECT_EQ(public_by_guest.status().rule(), "report.chairs_and_privacy_officers");
}

TEST_F(ReportTest, BadParametersAreRefusedClearly) {
  auto format = summary("chair.one", false, "pdf");
  EXPECT_EQ(format.status().code(), v1::INVALID_ARGUMENT);
  EXPECT_EQ(format.status().rule(), "report.unknown_format");
  EXPECT_EQ(format.status().message().find("pdf"), std::string::npos);
  v1::Request r;
  auto* s = r.mutable_report_summary()->mutable_scope();
  s->set_format("text");
  s->set_from_us(utc(2026, 12, 1, 0, 0));
  s->set_to_us(utc(2026, 10, 1, 0, 0));
  EXPECT_EQ(as("chair.one", r).status().rule(), "report.bad_period");
  s->set_from_us(-5);
  s->set_to_us(0);
  EXPECT_EQ(as("chair.one", r).status().rule(), "report.bad_period");
  auto big = export_page("chair.one", 0, 5001);
  EXPECT_EQ(big.status().rule(), "report.page_too_large");
  v1::Request unknown;
  unknown.mutable_report_summary()->mutable_scope()->add_tables("Zqtablecanary");
  unknown.mutable_report_summary()->mutable_scope()->set_format("text");
  EXPECT_EQ(as("chair.one", unknown).status().code(), v1::PERMISSION_DENIED);
  // What a client makes up is not written into the audit log.
  for (const auto& e : audit_events()) {
    EXPECT_EQ(e.SerializeAsString().find("Zqtablecanary"), std::string::npos) << e.action();
  }
}

TEST_F(ReportTest, EveryReportIsAuditedWithItsParametersNotItsFigures) {
  ASSERT_EQ(summary("chair.one", false, "csv").status().code(), v1::OK);
  ASSERT_EQ(summary("po.one", true, "html").status().code(), v1::OK);
  ASSERT_EQ(export_page("chair.one", 0, 4).status().code(), v1::OK);
  ASSERT_NE(summary("rep.police").status().code(), v1::OK);
  std::map<std::string, v1::AuditEvent> last;
  for (const auto& e : audit_events()) {
    if (e.action().rfind("report.", 0) == 0) last[e.action() + "/" + e.actor().username()] = e;
  }
  const auto& sum = last["report.summary/chair.one"];
  EXPECT_EQ(sum.outcome(), v1::AUDIT_OK);
  EXPECT_EQ(sum.rule(), "report.chair");
  EXPECT_EQ(sum.table(), "t1");
  EXPECT_EQ(sum.report().format(), "csv");
  EXPECT_EQ(sum.report().from_us(), utc(2026, 10, 1, 0, 0));
  EXPECT_EQ(sum.report().to_us(), utc(2026, 12, 1, 0, 0));
  ASSERT_EQ(sum.report().tables_size(), 1);
  const auto& pub = last["report.public/po.one"];
  EXPECT_EQ(pub.rule(), "report.privacy_officer");
  EXPECT_EQ(pub.report().format(), "html");
  EXPECT_EQ(pub.purpose(), "open_data");
  const auto& exp = last["report.export/chair.one"];
  EXPECT_EQ(exp.report().format(), "rtd-csv");
  EXPECT_EQ(exp.report().rows(), 4U);
  const auto& refused = last["report.summary/rep.police"];
  EXPECT_EQ(refused.outcome(), v1::AUDIT_DENIED);
  EXPECT_EQ(refused.report().format(), "text");
  for (const auto& [key, e] : last) {
    EXPECT_EQ(e.SerializeAsString().find(kNarrativeCanary), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace hubtable::api
