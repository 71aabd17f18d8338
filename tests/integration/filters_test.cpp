// One situation from submission to purge over real TLS against a real
// server: acceptance, self-identification, sealed identifiers, reveals and
// refusals for every role, lead routing with a pushed event, planning notes,
// intervention, a status update, closure, and crypto-shredding. A canary
// identifier must never appear in the database file, its WAL, the key store,
// the server log or any audit event, and after the purge a copy of the
// database taken before it must not yield the identifiers.

#include <gtest/gtest.h>

#include <set>

#include <map>

#include "crypto/hkdf.h"
#include "crypto/vault.h"
#include "store/follow_up.h"
#include "store/identity_vault.h"
#include "tests/integration/table_fixture.h"
#include "tests/support/audit_events.h"

namespace hubtable::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;

constexpr const char* kCanaryName = "Wexford Canarybright";
constexpr const char* kCanaryAddress = "12 Zzcanary Lane";

class Filters : public WholeTableTest {
 protected:
  void SetUp() override {
    // This table shreds identifiers at closure (retention 0 days).
    std::string table = kTestTable;
    const std::string marker = "agencies = [\"police\", \"mh\"]";
    table.replace(table.find(marker), marker.size(), marker + "\nretention_days = 0");
    server_.deployment().apply_text(table);
    start_and_log_in();
  }

  v1::Response reveal(const std::string& user, const std::string& id) {
    v1::Request r;
    r.mutable_reveal_situation()->set_id(id);
    return as(user, r);
  }
  v1::Response plan(const std::string& user, const std::string& id, const std::string& note) {
    v1::Request r;
    r.mutable_plan_situation()->set_id(id);
    r.mutable_plan_situation()->set_note(note);
    return as(user, r);
  }

  /// Who may reveal, with the rule for everyone else.
  void expect_reveals(const std::string& id, const std::map<std::string, std::string>& expected) {
    for (const auto& [user, rule] : expected) {
      auto r = reveal(user, id);
      if (rule == "OK") {
        ASSERT_EQ(r.status().code(), v1::OK) << user << ": " << r.status().message();
        EXPECT_EQ(r.reveal_situation().people(0).name(), kCanaryName) << user;
      } else {
        EXPECT_NE(r.status().code(), v1::OK) << user;
        EXPECT_EQ(r.status().rule(), rule) << user;
        EXPECT_EQ(r.SerializeAsString().find("Canary"), std::string::npos) << user;
      }
    }
  }

  std::string files_bytes() {
    std::string all;
    for (const auto& f : fs::directory_iterator(server_.deployment().root() / "data")) {
      all += read_file(f.path());
    }
    return all + server_.log();
  }
};

TEST_F(Filters, OneSituationFromSubmissionToPurge) {
  // Filters 1 and 2: submitted de-identified, accepted at a meeting.
  v1::Request submit;
  auto* s = submit.mutable_submit_situation();
  s->set_situation_type("PERSON");
  s->set_age_band("16-17");
  s->set_gender("F");
  s->add_risk_factors("MEN-SUSP");
  s->add_risk_factors("ALC-ABUSE");
  // Free text carries canary words too: no audit event may hold any of it.
  s->set_narrative(
      "A 16-year-old was found intoxicated twice and says home is not safe (narrcanaryq).");
  s->set_filter1_attested(true);
  auto submitted = as("rep.police", submit);
  ASSERT_EQ(submitted.status().code(), v1::OK) << submitted.status().message();
  const std::string id = submitted.submit_situation().situation().id();
  v1::Request open;
  open.mutable_open_meeting()->set_unscheduled(true);
  ASSERT_EQ(as("chair.one", open).status().code(), v1::OK);
  v1::Request check_in;
  check_in.mutable_check_in();
  for (const char* user : {"chair.one", "rep.police", "rep.mh", "guest.one"}) {
    ASSERT_EQ(as(user, check_in).status().code(), v1::OK) << user;
  }
  expect_reveals(id, {{"rep.police", "identifiers.not_accepted"}});
  v1::Request decide;
  decide.mutable_decide_situation()->set_id(id);
  decide.mutable_decide_situation()->set_accept(true);
  ASSERT_EQ(as("chair.one", decide).status().code(), v1::OK);

  // Filter 3: the originating agency identifies; only it may, so far, see.
  v1::Request identify;
  auto* i = identify.mutable_identify_situation();
  i->set_id(id);
  i->set_legal_authority("ON-MFIPPA-32-H");
  auto* person = i->add_people();
  person->set_name(kCanaryName);
  person->set_date_of_birth("2010-05-17");
  person->set_address(kCanaryAddress);
  person->set_phone("555-0147");
  EXPECT_EQ(as("rep.mh", identify).status().rule(), "identify.originator_only");
  ASSERT_EQ(as("rep.police", identify).status().code(), v1::OK);
  const std::map<std::string, std::string> before_join = {
      {"rep.police", "OK"},
      {"rep.mh", "identifiers.agency_not_joined"},
      {"chair.one", "identifiers.chair_not_joined"},
      {"po.one", "identifiers.break_glass_only"},
      {"guest.one", "identifiers.no_guests"},
      {"admin", "admin.no_case_data"},
      {"rep.t2", "table.not_member"}};
  expect_reveals(id, before_join);

  // Mental health self-identifies and now sees them.
  v1::Request join;
  join.mutable_join_situation()->set_id(id);
  ASSERT_EQ(as("rep.mh", join).status().code(), v1::OK);
  auto after_join = before_join;
  after_join["rep.mh"] = "OK";
  expect_reveals(id, after_join);

  // Routing: mental health watches for events; the chair takes the suggestion.
  v1::Request watch;
  watch.mutable_watch();
  ASSERT_EQ(as("rep.mh", watch).status().code(), v1::OK);
  v1::Request suggest;
  suggest.mutable_assign_situation()->set_id(id);
  suggest.mutable_assign_situation()->set_suggest_only(true);
  auto suggested = as("chair.one", suggest);
  ASSERT_EQ(suggested.status().code(), v1::OK);
  ASSERT_GE(suggested.assign_situation().suggestions_size(), 1);
  const std::string lead = suggested.assign_situation().suggestions(0).agency();
  EXPECT_EQ(lead, "mh");
  v1::Request assign;
  assign.mutable_assign_situation()->set_id(id);
  assign.mutable_assign_situation()->set_lead_agency(lead);
  assign.mutable_assign_situation()->add_assisting_agencies("police");
  EXPECT_EQ(as("rep.police", assign).status().rule(), "situation.chair_only");
  ASSERT_EQ(as("chair.one", assign).status().code(), v1::OK);
  auto event = conns_.at("rep.mh")->next_event();
  ASSERT_TRUE(event.ok()) << event.status();
  EXPECT_EQ(event->kind(), "situation.assigned");
  EXPECT_EQ(event->situation(), id);

  // Filter 4: acknowledgement, sealed planning, intervention, status update.
  v1::Request ack;
  ack.mutable_ack_situation()->set_id(id);
  EXPECT_EQ(as("rep.police", ack).status().rule(), "ack.lead_only");
  ASSERT_EQ(as("rep.mh", ack).status().code(), v1::OK);
  ASSERT_EQ(plan("rep.mh", id, "Visit Zzcanary Lane with police at 17:00.").status().code(),
            v1::OK);
  for (const auto& [user, code] :
       std::map<std::string, v1::Code>{{"rep.police", v1::OK},  // assisting
                                       {"rep.mh", v1::OK},
                                       {"chair.one", v1::PERMISSION_DENIED},
                                       {"po.one", v1::PERMISSION_DENIED},
                                       {"guest.one", v1::PERMISSION_DENIED},
                                       {"admin", v1::PERMISSION_DENIED}}) {
    auto r = plan(user, id, "");
    EXPECT_EQ(r.status().code(), code) << user;
    if (code == v1::OK) {
      EXPECT_EQ(r.plan_situation().notes_size(), 1) << user;
    }
  }
  v1::Request intervene;
  auto* iv = intervene.mutable_intervene_situation();
  iv->set_id(id);
  iv->set_occurred_us(std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count());
  iv->set_outcome("CONSENTED");
  iv->add_agencies_present("police");
  ASSERT_EQ(as("rep.mh", intervene).status().code(), v1::OK);
  EXPECT_EQ(as("rep.mh", intervene).status().rule(), "intervene.already_recorded");
  v1::Request update;
  update.mutable_update_situation()->set_id(id);
  update.mutable_update_situation()->set_text(
      "Connected with the youth outreach program; attending counselling weekly (updcanaryq).");
  ASSERT_EQ(as("rep.mh", update).status().code(), v1::OK);
  v1::Request show;
  show.mutable_show_situation()->set_id(id);
  auto shown = as("rep.police", show).show_situation().situation();
  EXPECT_EQ(shown.lead_agency(), "mh");
  EXPECT_EQ(shown.updates_size(), 1);
  EXPECT_EQ(shown.intervention().outcome(), "CONSENTED");
  EXPECT_EQ(as("guest.one", show).show_situation().situation().updates_size(), 0);

  // A privacy officer investigating a complaint breaks the glass: only with
  // a written justification, and the chair is alerted at once.
  ASSERT_EQ(as("chair.one", watch).status().code(), v1::OK);
  v1::Request sign;
  sign.mutable_set_governance()->set_user("po.one");
  sign.mutable_set_governance()->set_signed_on("2025-01-02");
  ASSERT_EQ(as("admin", sign).status().code(), v1::OK);
  v1::Request glass;
  glass.mutable_reveal_situation()->set_id(id);
  glass.mutable_reveal_situation()->set_break_glass_justification(
      "Complaint Zelkova-7731: the person asks who saw their record and why");
  auto broke = as("po.one", glass);
  ASSERT_EQ(broke.status().code(), v1::OK) << broke.status().message();
  EXPECT_EQ(broke.reveal_situation().people(0).name(), kCanaryName);
  auto alerted = conns_.at("chair.one")->next_event();
  ASSERT_TRUE(alerted.ok()) << alerted.status();
  EXPECT_EQ(alerted->kind(), "alert.break_glass");
  EXPECT_EQ(alerted->situation(), id);
  EXPECT_NE(alerted->message().find("po.one used break-glass"), std::string::npos);
  EXPECT_EQ(alerted->SerializeAsString().find("Zelkova"), std::string::npos);

  // Before closing, an insider copies the database (file and WAL).
  const fs::path data = server_.deployment().root() / "data";
  const fs::path copy_dir = server_.deployment().root() / "copy";
  fs::create_directories(copy_dir);
  for (const char* f : {"hubtable.db", "hubtable.db-wal"}) {
    if (fs::exists(data / f)) fs::copy_file(data / f, copy_dir / f);
  }

  // Closure, with retention 0: the identifiers are shredded at once.
  v1::Request close;
  close.mutable_close_situation()->set_id(id);
  EXPECT_EQ(as("chair.one", close).status().rule(), "close.missing_reason");
  close.mutable_close_situation()->set_closure_reason("LOWERED_CONNECTED");
  close.mutable_close_situation()->add_services_mobilized("MENTAL_HEALTH");
  auto closed = as("chair.one", close);
  ASSERT_EQ(closed.status().code(), v1::OK) << closed.status().message();
  EXPECT_GT(closed.close_situation().situation().purged_us(), 0);
  auto after_close = after_join;
  for (const char* user : {"rep.police", "rep.mh", "chair.one"}) {
    after_close[user] = "identifiers.closed";
  }
  expect_reveals(id, after_close);
  EXPECT_EQ(plan("rep.mh", id, "").status().rule(), "identifiers.closed");
  EXPECT_EQ(as("po.one", show).show_situation().situation().closure_reason(), "LOWERED_CONNECTED");

  // The audit trail: every disclosure, the purge, and never a value.
  auto dep = provision::open_deployment(server_.deployment().config_path());
  ASSERT_TRUE(dep.ok()) << dep.status();
  auto events = read_audit_events(*dep->db);
  int reveals = 0;
  int purges = 0;
  for (const auto& e : events) {
    EXPECT_EQ(e.SerializeAsString().find("Canary"), std::string::npos) << e.DebugString();
    EXPECT_EQ(e.SerializeAsString().find("Zzcanary"), std::string::npos) << e.DebugString();
    // Nor the narrative, the planning note or the update: free text never.
    for (const char* text :
         {"narrcanaryq", "intoxicated", "Visit", "updcanaryq", "counselling", "Zelkova"}) {
      EXPECT_EQ(e.SerializeAsString().find(text), std::string::npos) << text << e.DebugString();
    }
    if (e.action() == "situation.reveal" && e.outcome() == v1::AUDIT_OK) {
      ++reveals;
      EXPECT_EQ(e.legal_authority(), "ON-MFIPPA-32-H");
      EXPECT_NE(e.actor().role(), v1::ROLE_UNSPECIFIED);
    }
    if (e.action() == "vault.purge") ++purges;
  }
  EXPECT_EQ(reveals, 4);  // police twice, mental health once, the privacy officer's break-glass
  EXPECT_EQ(purges, 1);

  // The privacy officer's disclosure register lists exactly those.
  v1::Request register_request;
  register_request.mutable_audit_disclosures()->set_situation(id);
  auto reg = as("po.one", register_request);
  ASSERT_EQ(reg.status().code(), v1::OK) << reg.status().message();
  std::multiset<std::string> disclosed;
  for (const auto& d : reg.audit_disclosures().disclosures()) {
    // Filter 3 until the chair names the lead, Filter 4 after.
    disclosed.insert(d.action() + " to " + d.recipient().username() + "/" + d.recipient().agency() +
                     " as " + v1::Role_Name(d.recipient().role()) + " at filter " +
                     std::to_string(d.filter_stage()));
    EXPECT_EQ(d.legal_authority(), "ON-MFIPPA-32-H");
    EXPECT_FALSE(d.data_elements().empty());
  }
  EXPECT_EQ(disclosed, (std::multiset<std::string>{
                           "situation.identify to rep.police/police as REP at filter 3",
                           "situation.reveal to rep.mh/mh as REP at filter 3",
                           "situation.reveal to rep.police/police as REP at filter 3",
                           "situation.reveal to rep.police/police as REP at filter 3",
                           "situation.reveal to po.one/ as PRIVACY_OFFICER at filter 4",
                       }));
  EXPECT_EQ(reg.SerializeAsString().find("Canary"), std::string::npos);
  EXPECT_EQ(as("chair.one", register_request).status().code(), v1::OK);
  EXPECT_EQ(as("rep.police", register_request).status().rule(), "audit.auditors_only");
  EXPECT_EQ(as("rep.t2", register_request).status().rule(), "table.not_member");

  // Each person's access report is exactly what they did, reads included
  // (and the refusal just above).
  events = read_audit_events(*dep->db);
  for (const std::string user : {"rep.police", "rep.mh"}) {
    std::vector<std::uint64_t> reported;
    std::map<std::string, int> ok_actions;
    v1::Request q;
    q.mutable_audit_query()->set_user(user);
    q.mutable_audit_query()->set_limit(7);  // several pages
    do {
      auto page = as("po.one", q);
      ASSERT_EQ(page.status().code(), v1::OK) << page.status().message();
      for (const auto& e : page.audit_query().events()) {
        EXPECT_EQ(e.actor().username(), user);
        reported.push_back(e.sequence());
        if (e.outcome() == v1::AUDIT_OK) ++ok_actions[e.action()];
      }
      q.mutable_audit_query()->set_after_sequence(page.audit_query().next_after());
    } while (q.audit_query().after_sequence() != 0);
    std::vector<std::uint64_t> stored;
    for (const auto& e : events) {
      if (e.actor().username() == user) stored.push_back(e.sequence());
    }
    EXPECT_EQ(reported, stored) << user;
    EXPECT_EQ(ok_actions["situation.reveal"], user == "rep.police" ? 2 : 1) << user;
  }
  v1::Request reads;
  reads.mutable_audit_query()->set_user("rep.police");
  reads.mutable_audit_query()->set_action("situation.show");
  auto shows = as("po.one", reads);
  ASSERT_EQ(shows.status().code(), v1::OK);
  ASSERT_EQ(shows.audit_query().events_size(), 1);
  EXPECT_EQ(shows.audit_query().events(0).situation(), id);
  EXPECT_EQ(as("rep.mh", reads).status().rule(), "audit.auditors_only");
  // Nowhere on disk or in the log.
  const std::string bytes = files_bytes();
  for (const char* canary : {"Canarybright", "Zzcanary", "555-0147", "Zelkova"}) {
    EXPECT_EQ(bytes.find(canary), std::string::npos) << canary;
  }

  // The copy taken before the purge, opened with the same master key: its
  // sealed fields are there, their data key is not.
  const std::string master = read_file(server_.deployment().root() / "keys/master.key");
  crypto::SecretBytes master_key(crypto::as_bytes(master));
  auto db_key = crypto::derive_subkey(master_key, crypto::kDatabaseKeyLabel);
  auto ks_key = crypto::derive_subkey(master_key, crypto::kKeyStoreLabel);
  ASSERT_TRUE(db_key.ok() && ks_key.ok());
  const store::KeyStoreFile ks{(data / "vault-keys.db").string(), &*ks_key};
  auto old =
      store::open_connection((copy_dir / "hubtable.db").string(), *db_key,
                             store::ConnectionRole::kReader, store::OpenMode::kExisting, &ks);
  ASSERT_TRUE(old.ok()) << old.status();
  auto fields = store::list_sealed_fields(**old, id);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->size(), 4u);  // name, date of birth, address, phone
  auto key = store::find_wrapped_key(**old, id);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->has_value());
  // Not even a data key from elsewhere opens them.
  auto guess = crypto::Vault::new_data_key(crypto::system_random());
  for (const auto& f : *fields) {
    EXPECT_FALSE(crypto::open_field(guess, id, "person/0/" + f.field, f.sealed).ok());
  }
}

}  // namespace
}  // namespace hubtable::testing
