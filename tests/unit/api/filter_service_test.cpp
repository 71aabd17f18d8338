// Filters 3 and 4 through the service, in-process, on a real encrypted
// database and key store with a hand-moved clock: need-to-know
// identification, lead routing, deadlines, closure and crypto-shredding.

#include <cctype>
#include <filesystem>

#include "api/retention.h"
#include "crypto/hkdf.h"
#include "store/follow_up.h"
#include "store/identity_vault.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

namespace fs = std::filesystem;

TEST_F(FilterTest, IdentifiersReachOnlyJoinedAgenciesAndEachRevealIsADisclosure) {
  const std::string id = accepted();
  // Nobody but the originating agency has a role yet.
  expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "identifiers.agency_not_joined");
  ASSERT_EQ(identify(id, {person(kCanaryName), person("Second Canarychild", "2014-07-01")})
                .status()
                .code(),
            v1::OK);
  auto own = reveal("rep.police", id);
  ASSERT_EQ(own.status().code(), v1::OK) << own.status().message();
  ASSERT_EQ(own.reveal_situation().people_size(), 2);
  EXPECT_EQ(own.reveal_situation().people(0).name(), kCanaryName);
  EXPECT_EQ(own.reveal_situation().people(0).aliases(0), "Q.C.");
  EXPECT_EQ(own.reveal_situation().people(1).date_of_birth(), "2014-07-01");

  auto joined = join("rep.mh", id);
  ASSERT_EQ(joined.status().code(), v1::OK) << joined.status().message();
  EXPECT_EQ(joined.join_situation().situation().joined_agencies_size(), 2);
  EXPECT_TRUE(join("rep.mh", id).join_situation().already_joined());
  auto theirs = reveal("rep.mh", id);
  ASSERT_EQ(theirs.status().code(), v1::OK) << theirs.status().message();
  EXPECT_EQ(theirs.reveal_situation().people(0).address(), kCanaryAddress);
  EXPECT_EQ(theirs.reveal_situation().legal_authority(), "ON-MFIPPA-32-H");

  // Everyone else, each with the rule that refused them.
  expect_refused(reveal("chair.one", id), v1::PERMISSION_DENIED, "identifiers.chair_not_joined");
  expect_refused(reveal("po.one", id), v1::PERMISSION_DENIED, "identifiers.break_glass_only");
  expect_refused(reveal("guest.one", id), v1::PERMISSION_DENIED, "identifiers.no_guests");
  expect_refused(reveal("admin", id), v1::PERMISSION_DENIED, "admin.no_case_data");
  expect_refused(reveal("rep.t2", id), v1::PERMISSION_DENIED, "table.not_member");
  // The de-identified record never carries them, whoever asks.
  for (const char* user : {"rep.police", "rep.mh", "chair.one", "po.one", "guest.one"}) {
    EXPECT_EQ(show(user, id).SerializeAsString().find("Canary"), std::string::npos) << user;
  }

  // Each reveal is on the record as a disclosure, without a value.
  int disclosures = 0;
  for (const auto& e : audit_events()) {
    EXPECT_EQ(e.SerializeAsString().find("Canary"), std::string::npos) << e.DebugString();
    if (e.action() != "situation.reveal" || e.outcome() != v1::AUDIT_OK) continue;
    ++disclosures;
    EXPECT_EQ(e.situation(), id);
    EXPECT_EQ(e.filter_stage(), 3u);
    EXPECT_EQ(e.legal_authority(), "ON-MFIPPA-32-H");
    EXPECT_EQ(std::vector<std::string>(e.data_elements().begin(), e.data_elements().end()),
              (std::vector<std::string>{"address", "aliases", "date_of_birth", "name"}));
  }
  EXPECT_EQ(disclosures, 2);
  EXPECT_EQ(denied_with("identifiers.chair_not_joined"), 1);
  // Sealed at rest: not in the database, its WAL or the key store.
  const std::string bytes = data_bytes();
  for (const char* canary : {"Qzvorak", "Canaryvale", "Canarychild"}) {
    EXPECT_EQ(bytes.find(canary), std::string::npos) << canary;
  }
}

TEST_F(FilterTest, BadRequestsAreRefusedWithTheirRuleAndChangeNothing) {
  // Before acceptance.
  clock_.advance_us(105 * kMinuteUs);
  ASSERT_EQ(open().status().code(), v1::OK);
  const std::string waiting = submit_ok();
  expect_refused(reveal("rep.police", waiting), v1::PERMISSION_DENIED, "identifiers.not_accepted");
  expect_refused(identify(waiting, {person(kCanaryName)}), v1::PERMISSION_DENIED,
                 "identifiers.not_accepted");
  expect_refused(join("rep.mh", waiting), v1::FAILED_PRECONDITION, "join.not_accepted");
  // A rejected situation is never identified.
  ASSERT_EQ(check_in("rep.police").status().code(), v1::OK);
  ASSERT_EQ(decide(waiting, false, "NOT_AER").status().code(), v1::OK);
  expect_refused(identify(waiting, {person(kCanaryName)}), v1::PERMISSION_DENIED,
                 "identifiers.not_accepted");

  const std::string id = submit_ok();
  ASSERT_EQ(decide(id, true).status().code(), v1::OK);
  v1::Person no_dob = person(kCanaryName, "");
  expect_refused(identify(id, {no_dob}), v1::INVALID_ARGUMENT, "identify.bad_date");
  expect_refused(identify(id, {person(kCanaryName, "2999-01-01")}), v1::INVALID_ARGUMENT,
                 "identify.bad_date");
  expect_refused(identify(id, {}), v1::INVALID_ARGUMENT, "identify.no_people");
  expect_refused(identify(id, {person(kCanaryName)}, "rep.police", "NO_SUCH_LAW"),
                 v1::INVALID_ARGUMENT, "vocabulary.unknown_code");
  expect_refused(identify(id, {person(kCanaryName)}, "rep.mh"), v1::PERMISSION_DENIED,
                 "identify.originator_only");
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  expect_refused(identify(id, {person("Another Name")}), v1::FAILED_PRECONDITION,
                 "identify.already_identified");

  // Routing.
  expect_refused(assign(id, "mh"), v1::FAILED_PRECONDITION, "assign.lead_not_joined");
  expect_refused(assign(id, "police", {}, false, "rep.police"), v1::PERMISSION_DENIED,
                 "situation.chair_only");
  expect_refused(assign(id, ""), v1::INVALID_ARGUMENT, "assign.missing_lead");
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  expect_refused(assign(id, "mh", {"mh"}), v1::INVALID_ARGUMENT, "assign.assisting_is_lead");
  expect_refused(ack("rep.mh", id), v1::PERMISSION_DENIED, "ack.lead_only");
  ASSERT_EQ(assign(id, "police", {"mh"}).status().code(), v1::OK);
  expect_refused(join("rep.mh", id), v1::OK, "");  // already joined: fine
  ASSERT_EQ(intervene("rep.police", id).status().code(), v1::OK);
  expect_refused(intervene("rep.police", id), v1::FAILED_PRECONDITION,
                 "intervene.already_recorded");
  expect_refused(intervene("rep.mh", id), v1::PERMISSION_DENIED, "intervene.lead_only");

  // Closure needs a reason, from the chair.
  expect_refused(close_case(id, ""), v1::INVALID_ARGUMENT, "close.missing_reason");
  expect_refused(close_case(id, "LOWERED_CONNECTED", "rep.police"), v1::PERMISSION_DENIED,
                 "situation.chair_only");
  auto shown = show("chair.one", id).show_situation().situation();
  EXPECT_EQ(shown.state(), v1::ACCEPTED);  // none of the refusals changed anything
  EXPECT_EQ(shown.closure_reason(), "");
  ASSERT_EQ(close_case(id, "LOWERED_CONNECTED").status().code(), v1::OK);
  expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "identifiers.closed");
  expect_refused(close_case(id, "LOWERED_CONNECTED"), v1::FAILED_PRECONDITION, "close.closed");
  // Every refusal is audited.
  EXPECT_EQ(denied_with("identifiers.not_accepted"), 3);
  EXPECT_EQ(denied_with("close.missing_reason"), 1);
  EXPECT_EQ(denied_with("intervene.already_recorded"), 1);
}

TEST_F(FilterTest, AgreementsGateJoiningAndIdentifiers) {
  const std::string id = accepted();
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  // No signed confidentiality agreement: no joining.
  ASSERT_EQ(governance("", "rep.mh", "").status().code(), v1::OK);
  expect_refused(join("rep.mh", id), v1::PERMISSION_DENIED, "governance.confidentiality_unsigned");
  ASSERT_EQ(governance("", "rep.mh", "2026-01-05").status().code(), v1::OK);
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  // The agency's ISA lapses: its rep no longer sees identifiers.
  ASSERT_EQ(governance("mh", "", "2024-01-01", "2026-06-30").status().code(), v1::OK);
  expect_refused(reveal("rep.mh", id), v1::PERMISSION_DENIED, "governance.isa_not_current");
  // Only the administrator records agreements, and only real dates.
  expect_refused(
      [&] {
        v1::Request r;
        r.mutable_set_governance()->set_agency("mh");
        r.mutable_set_governance()->set_signed_on("2026-01-01");
        r.mutable_set_governance()->set_expires_on("2028-01-01");
        return as("chair.one", r);
      }(),
      v1::PERMISSION_DENIED, "admin.only");
  expect_refused(governance("mh", "", "2026-02-30", "2028-01-01"), v1::INVALID_ARGUMENT,
                 "governance.bad_date");
  expect_refused(governance("nope", "", "2026-01-01", "2028-01-01"), v1::NOT_FOUND,
                 "governance.no_agency");
}

TEST_F(FilterTest, LeadIsSuggestedAssignedAcknowledgedAndDeadlinesArePushed) {
  const std::string id = accepted();
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(watch("rep.mh").status().code(), v1::OK);

  // Risk factors MEN-SUSP and ALC-ABUSE: mental health leads on MEN, police on neither.
  auto suggested = assign(id, "", {}, true);
  ASSERT_EQ(suggested.status().code(), v1::OK) << suggested.status().message();
  ASSERT_EQ(suggested.assign_situation().suggestions_size(), 2);
  EXPECT_EQ(suggested.assign_situation().suggestions(0).agency(), "mh");
  EXPECT_EQ(suggested.assign_situation().suggestions(0).reason(),
            "MENTAL_HEALTH leads on 1 of 2 risk categories (MEN); 0 open leads at this table");
  EXPECT_TRUE(suggested.assign_situation().situation().lead_agency().empty());

  auto assigned = assign(id, "mh", {"police"});
  ASSERT_EQ(assigned.status().code(), v1::OK) << assigned.status().message();
  const auto& s = assigned.assign_situation().situation();
  EXPECT_EQ(s.lead_agency(), "mh");
  EXPECT_EQ(s.filter_stage(), 4u);
  EXPECT_EQ(s.ack_due_us(), clock_.now_us() + 4 * kHourUs);
  auto events = collector_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), "situation.assigned");
  EXPECT_EQ(events[0].situation(), id);
  EXPECT_EQ(events[0].agency(), "mh");

  // Five hours on, unacknowledged: the sweep pushes it once.
  clock_.advance_us(5 * kHourUs);
  ASSERT_TRUE(service_.sweep().ok());
  ASSERT_TRUE(service_.sweep().ok());
  events = collector_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), "situation.ack_due");
  EXPECT_TRUE(show("chair.one", id).show_situation().situation().ack_overdue());
  ASSERT_EQ(ack("rep.mh", id).status().code(), v1::OK);
  expect_refused(ack("rep.mh", id), v1::FAILED_PRECONDITION, "ack.already_acknowledged");

  // Past the table's 48 hours with no intervention: pushed, and overdue on the next agenda.
  clock_.advance_us(2 * kDayUs);
  ASSERT_TRUE(service_.sweep().ok());
  events = collector_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), "situation.intervention_overdue");
  ASSERT_EQ(close().status().code(), v1::OK);
  ASSERT_EQ(open("chair.one", true).status().code(), v1::OK);
  auto next = agenda();
  ASSERT_EQ(next.status().code(), v1::OK);
  ASSERT_EQ(next.agenda().agenda().items_size(), 1);
  EXPECT_EQ(next.agenda().agenda().items(0).section(), v1::OVERDUE);
}

// Accounts stay enabled across the months the next test moves the clock.
class LongFilterTest : public FilterTest {
 protected:
  LongFilterTest()
      : FilterTest([](config::Limits& l) { l.disable_unused_after_us = 1000 * kDayUs; }) {}

  std::size_t pushed(const std::string& kind) {
    std::size_t n = 0;
    for (const auto& e : collector_->take()) n += e.kind() == kind ? 1 : 0;
    return n;
  }
};

// A deadline event is pushed once while it stays due, and the sweep forgets
// it once it is not: a situation that goes stale again is pushed again.
TEST_F(LongFilterTest, AStaleSituationIsPushedOnceEachTimeItGoesStale) {
  const std::string id = accepted();
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "mh", {"police"}).status().code(), v1::OK);
  ASSERT_EQ(watch("chair.one").status().code(), v1::OK);  // staleness goes to the table's chairs
  ASSERT_EQ(ack("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(intervene("rep.mh", id).status().code(), v1::OK);
  (void)collector_->take();

  clock_.advance_us(91 * kDayUs);
  ASSERT_TRUE(service_.sweep().ok());
  ASSERT_TRUE(service_.sweep().ok());
  EXPECT_EQ(pushed("situation.stale"), 1u);

  v1::Request update;
  update.mutable_update_situation()->set_id(id);
  update.mutable_update_situation()->set_text("Housing worker visited; follow-up booked.");
  ASSERT_EQ(as("rep.mh", update).status().code(), v1::OK);
  ASSERT_TRUE(service_.sweep().ok());
  EXPECT_EQ(pushed("situation.stale"), 0u);

  clock_.advance_us(91 * kDayUs);
  ASSERT_TRUE(service_.sweep().ok());
  ASSERT_TRUE(service_.sweep().ok());
  EXPECT_EQ(pushed("situation.stale"), 1u);
}

TEST_F(FilterTest, DecisionsArePushedToTheTablesRepsAndChairs) {
  ASSERT_EQ(watch("rep.mh").status().code(), v1::OK);
  const std::string id = accepted();
  auto events = collector_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), "situation.decided");
  EXPECT_EQ(events[0].situation(), id);
  EXPECT_EQ(events[0].table(), "t1");
  // A guest is not an audience for case events.
  EXPECT_FALSE(in_audience({{"GUEST", "t1", "", ""}}, "", Audience{"t1", {}, true, true}));
  EXPECT_FALSE(in_audience({{"REP", "t2", "", ""}}, "housing", Audience{"t1", {}, true, true}));
}

TEST_F(FilterTest, PlanningNotesAreSealedForTheLeadAndAssistingAgenciesOnly) {
  const std::string id = accepted();
  expect_refused(plan("rep.police", id, "before any lead"), v1::PERMISSION_DENIED,
                 "plan.lead_or_assisting_only");
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "mh").status().code(), v1::OK);
  auto written = plan("rep.mh", id, "Knock at Canaryvale with the school nurse at 16:00.");
  ASSERT_EQ(written.status().code(), v1::OK) << written.status().message();
  auto listed = plan("rep.mh", id, "");
  ASSERT_EQ(listed.status().code(), v1::OK);
  ASSERT_EQ(listed.plan_situation().notes_size(), 1);
  EXPECT_EQ(listed.plan_situation().notes(0).author(), "rep.mh");
  // The originating agency is neither lead nor assisting here; the chair never is.
  for (const char* user : {"rep.police", "chair.one", "po.one", "guest.one"}) {
    auto r = plan(user, id, "");
    EXPECT_EQ(r.status().code(), v1::PERMISSION_DENIED) << user;
  }
  EXPECT_EQ(data_bytes().find("Canaryvale"), std::string::npos);
}

TEST_F(FilterTest, PurgeDestroysIdentifiersEvenInACopyOfTheDatabaseTakenBefore) {
  const std::string id = accepted();
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "mh").status().code(), v1::OK);
  ASSERT_EQ(plan("rep.mh", id, "note to be shredded").status().code(), v1::OK);
  ASSERT_EQ(close_case(id, "LOWERED_CONNECTED").status().code(), v1::OK);
  auto closed = show("chair.one", id).show_situation().situation();
  EXPECT_EQ(closed.purge_due_us(), closed.closed_us() + 30 * kDayUs);

  // An insider copies the database file (and its WAL) before the purge.
  const fs::path copy = dep_.root() / "copy.db";
  ASSERT_TRUE(
      deployment_.db
          ->write([](store::Connection& c) { return c.exec("PRAGMA wal_checkpoint(TRUNCATE);"); })
          .ok());
  fs::copy_file(dep_.database(), copy);

  clock_.advance_us(29 * kDayUs);
  ASSERT_EQ(*service_.sweep(), 0);  // not due yet
  clock_.advance_us(2 * kDayUs);
  ASSERT_EQ(*service_.sweep(), 1);
  ASSERT_EQ(*service_.sweep(), 0);  // once
  auto purged = show("chair.one", id).show_situation().situation();
  EXPECT_GT(purged.purged_us(), 0);
  EXPECT_EQ(purged.closure_reason(), "LOWERED_CONNECTED");  // the de-identified record stays
  EXPECT_FALSE(purged.identified());
  int purge_events = 0;
  for (const auto& e : audit_events()) {
    if (e.action() != "vault.purge") continue;
    ++purge_events;
    EXPECT_EQ(e.situation(), id);
    EXPECT_EQ(e.rule(), "retention.expired");
    EXPECT_EQ(e.target(), "1 data key, 4 sealed fields, 1 planning notes, 1 blind indexes");
  }
  EXPECT_EQ(purge_events, 1);

  // The copy still holds sealed fields, but with the same master key nothing
  // opens them: the wrapped data key lived only in the key store and is gone.
  const std::string master = read_file(dep_.root() / "keys/master.key");
  crypto::SecretBytes master_key(crypto::as_bytes(master));
  auto db_key = crypto::derive_subkey(master_key, crypto::kDatabaseKeyLabel);
  auto ks_key = crypto::derive_subkey(master_key, crypto::kKeyStoreLabel);
  ASSERT_TRUE(db_key.ok() && ks_key.ok());
  const store::KeyStoreFile ks{(dep_.root() / "data/vault-keys.db").string(), &*ks_key};
  auto old = store::open_connection(copy.string(), *db_key, store::ConnectionRole::kReader,
                                    store::OpenMode::kExisting, &ks);
  ASSERT_TRUE(old.ok()) << old.status();
  auto fields = store::list_sealed_fields(**old, id);
  ASSERT_TRUE(fields.ok());
  EXPECT_EQ(fields->size(), 4u);
  auto key = store::find_wrapped_key(**old, id);
  ASSERT_TRUE(key.ok());
  EXPECT_FALSE(key->has_value());
  auto indexes = store::blind_indexes_of(**old, id);
  ASSERT_TRUE(indexes.ok());
  EXPECT_TRUE(indexes->empty());
  // And the live database holds neither the fields nor the key.
  auto live =
      deployment_.db->read([&](store::Connection& c) { return store::list_sealed_fields(c, id); });
  ASSERT_TRUE(live.ok());
  EXPECT_TRUE(live->empty());
  EXPECT_EQ(data_bytes().find("Qzvorak"), std::string::npos);

  // A key left behind by a crash between the two files' commits goes at the
  // next opening, on the record (counts only).
  ASSERT_TRUE(deployment_.db
                  ->write([&](store::Connection& c) {
                    return store::insert_wrapped_key(c, id, crypto::Bytes(60, 1), 0);
                  })
                  .ok());
  auto reopened = provision::open_deployment(dep_.config_path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto left =
      reopened->db->read([&](store::Connection& c) { return store::find_wrapped_key(c, id); });
  ASSERT_TRUE(left.ok());
  EXPECT_FALSE(left->has_value());
  int dropped = 0;
  for (const auto& e : audit_events()) {
    if (e.action() != "vault.orphans_dropped") continue;
    ++dropped;
    EXPECT_EQ(e.target(), "1 key-store rows of purged or withdrawn situations");
  }
  EXPECT_EQ(dropped, 1);
}

// What a commit that reached the database and not the key store leaves (the
// key store rolled back: no data key, no blind index) is withdrawn at the
// next opening, on the record, and the identifiers can be entered again.
TEST_F(FilterTest, IdentifiersWhoseKeyNeverReachedTheKeyStoreAreWithdrawnAndCanBeEnteredAgain) {
  const std::string id = accepted();
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  ASSERT_TRUE(deployment_.db
                  ->write([&](store::Connection& c) {
                    return c.exec("DELETE FROM keys.data_keys; DELETE FROM keys.blind_index;");
                  })
                  .ok());
  {
    auto reopened = provision::open_deployment(dep_.config_path());
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    auto damage =
        reopened->db->read([](store::Connection& c) { return store::find_vault_damage(c); });
    ASSERT_TRUE(damage.ok());
    EXPECT_TRUE(damage->empty());
  }
  int repaired = 0;
  for (const auto& e : audit_events()) {
    if (e.action() != "vault.repaired") continue;
    ++repaired;
    EXPECT_EQ(e.situation(), id);
    EXPECT_EQ(e.target(),
              "the key store lacked the data key: withdrawn 1 identity record, 4 sealed fields, "
              "0 planning notes, 0 blind indexes");
    EXPECT_EQ(e.DebugString().find("Qzvorak"), std::string::npos);
  }
  EXPECT_EQ(repaired, 1);
  EXPECT_EQ(reveal("rep.police", id).status().rule(), "reveal.not_identified");
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  auto shown = reveal("rep.police", id);
  ASSERT_EQ(shown.status().code(), v1::OK) << shown.status().message();
  EXPECT_EQ(shown.reveal_situation().people(0).name(), kCanaryName);
}

TEST_F(FilterTest, RepeatDetectionNamesEarlierSituationsByIdOnly) {
  const std::string first = accepted();
  ASSERT_EQ(identify(first, {person(kCanaryName)}).status().code(), v1::OK);
  const std::string second = submit_ok();
  ASSERT_EQ(decide(second, true).status().code(), v1::OK);
  ASSERT_EQ(watch("rep.police").status().code(), v1::OK);
  collector_->take();
  // The same person, written differently (and the id typed in lower case).
  std::string typed = second;
  for (char& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto again = identify(typed, {person("canarywell, QZVORAK", "2010-03-14")});
  ASSERT_EQ(again.status().code(), v1::OK) << again.status().message();
  ASSERT_EQ(again.identify_situation().repeat_situations_size(), 1);
  EXPECT_EQ(again.identify_situation().repeat_situations(0), first);
  auto events = collector_->take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind(), "situation.repeat_found");
  EXPECT_EQ(events[0].situation(), second);  // by id, normalised
  EXPECT_EQ(events[0].SerializeAsString().find("anarywell"), std::string::npos);
  auto shown = reveal("rep.police", second);
  ASSERT_EQ(shown.reveal_situation().repeat_situations_size(), 1);
  // A different date of birth is a different person.
  const std::string third = submit_ok();
  ASSERT_EQ(decide(third, true).status().code(), v1::OK);
  auto other = identify(third, {person(kCanaryName, "2011-03-14")});
  EXPECT_EQ(other.identify_situation().repeat_situations_size(), 0);
}

TEST_F(FilterTest, RetentionZeroShredsAtClosure) {
  const std::string id = accepted();
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  // Set the table's retention to 0 directly (apply is tested in config_test).
  ASSERT_TRUE(deployment_.db
                  ->write([](store::Connection& c) {
                    return c.exec("UPDATE situation_tables SET retention_days = 0");
                  })
                  .ok());
  ASSERT_EQ(close_case(id, "STILL_REFUSED").status().code(), v1::OK);
  auto s = show("chair.one", id).show_situation().situation();
  EXPECT_GT(s.purged_us(), 0);
  bool audited = false;
  for (const auto& e : audit_events()) {
    audited = audited || (e.action() == "vault.purge" && e.rule() == "retention.at_closure");
  }
  EXPECT_TRUE(audited);
}

}  // namespace
}  // namespace hubtable::api
