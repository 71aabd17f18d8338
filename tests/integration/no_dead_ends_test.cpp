// No dead ends, over real TLS against a real server: a decision corrected
// at the open meeting and its minutes; a partner added after the lead; an
// intervention amended; a profile reissued after its certificate was revoked;
// and the tasks and missed events of a lead who was offline.

#include <gtest/gtest.h>

#include "tests/integration/table_fixture.h"
#include "tests/support/temp_dir.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

class NoDeadEnds : public WholeTableTest {
 protected:
  void SetUp() override { start_and_log_in(); }

  std::string submit(const std::string& user) { return submit_as(user); }
  void open_meeting_with(const std::vector<std::string>& users) {
    v1::Request open;
    open.mutable_open_meeting()->set_unscheduled(true);
    ASSERT_EQ(as("chair.one", open).status().code(), v1::OK);
    v1::Request check_in;
    check_in.mutable_check_in();
    for (const auto& u : users) ASSERT_EQ(as(u, check_in).status().code(), v1::OK) << u;
  }
  v1::Response decide(const std::string& id, const std::string& verdict, bool correct = false) {
    v1::Request r;
    auto* d = r.mutable_decide_situation();
    d->set_id(id);
    d->set_correct(correct);
    if (verdict == "accept") {
      d->set_accept(true);
    } else {
      d->set_reject_reason(verdict);
    }
    return as("chair.one", r);
  }
  v1::Response close_meeting() {
    v1::Request r;
    r.mutable_close_meeting();
    return as("chair.one", r);
  }
  std::string accepted_with_lead(const std::string& lead) {
    std::string id = submit("rep.police");
    open_meeting_with({"chair.one", "rep.police", "rep.mh"});
    EXPECT_EQ(decide(id, "accept").status().code(), v1::OK);
    v1::Request join;
    join.mutable_join_situation()->set_id(id);
    EXPECT_EQ(as("rep.mh", join).status().code(), v1::OK);
    v1::Request assign;
    assign.mutable_assign_situation()->set_id(id);
    assign.mutable_assign_situation()->set_lead_agency(lead);
    EXPECT_EQ(as("chair.one", assign).status().code(), v1::OK);
    return id;
  }
};

TEST_F(NoDeadEnds, AMistypedDecisionIsCorrectedAtTheOpenMeetingAndMinuted) {
  const std::string meant_reject = submit("rep.police");
  const std::string meant_accept = submit("rep.mh");
  open_meeting_with({"chair.one", "rep.police", "rep.mh"});
  ASSERT_EQ(decide(meant_reject, "accept").status().code(), v1::OK);   // the slip
  ASSERT_EQ(decide(meant_accept, "NOT_AER").status().code(), v1::OK);  // and another
  EXPECT_EQ(decide(meant_reject, "NOT_AER").status().rule(), "situation.already_decided");
  auto fixed = decide(meant_reject, "NOT_AER", true);
  ASSERT_EQ(fixed.status().code(), v1::OK) << fixed.status().message();
  EXPECT_EQ(fixed.decide_situation().situation().state(), v1::REJECTED);
  auto restored = decide(meant_accept, "accept", true);
  ASSERT_EQ(restored.status().code(), v1::OK) << restored.status().message();
  EXPECT_EQ(restored.decide_situation().situation().narrative(),
            "A 16-year-old has missed most of the term and sleeps in a car.");
  auto closed = close_meeting();
  ASSERT_EQ(closed.status().code(), v1::OK);
  EXPECT_EQ(closed.close_meeting().corrected(), 2u);
  EXPECT_EQ(closed.close_meeting().rejections_erased(), 1u);

  v1::Request minutes;
  minutes.mutable_minutes();
  auto m = as("rep.mh", minutes);
  ASSERT_EQ(m.status().code(), v1::OK) << m.status().message();
  ASSERT_EQ(m.minutes().items_size(), 2);
  for (const auto& item : m.minutes().items()) {
    ASSERT_EQ(item.corrections_size(), 1) << item.situation();
    if (item.situation() == meant_reject) {
      EXPECT_EQ(item.outcome(), "REJECTED");
      EXPECT_EQ(item.corrections(0).from_outcome(), "ACCEPTED");
      EXPECT_EQ(item.corrections(0).to_reason(), "NOT_AER");
    } else {
      EXPECT_EQ(item.outcome(), "ACCEPTED");
      EXPECT_EQ(item.corrections(0).from_reason(), "NOT_AER");
      EXPECT_GT(item.intervention_due_us(), 0);
    }
  }
  // Absent: nobody presented for housing's agency at t1? housing sits at t2
  // only, so the absent list names no t1 agency here.
  EXPECT_EQ(m.minutes().absent_size(), 0);
  EXPECT_EQ(m.SerializeAsString().find("sleeps in a car"), std::string::npos);
}

TEST_F(NoDeadEnds, ALatePartnerIsAddedAfterTheLeadAndAnInterventionAmended) {
  const std::string id = accepted_with_lead("police");
  v1::Request add;
  add.mutable_add_agency()->set_id(id);
  add.mutable_add_agency()->set_agency("mh");
  auto added = as("chair.one", add);
  ASSERT_EQ(added.status().code(), v1::OK) << added.status().message();
  ASSERT_EQ(added.add_agency().situation().assisting_agencies_size(), 1);
  EXPECT_EQ(added.add_agency().situation().assisting_agencies(0), "mh");

  v1::Request intervene;
  auto* i = intervene.mutable_intervene_situation();
  i->set_id(id);
  const std::int64_t now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count();
  i->set_occurred_us(now_us);
  i->set_outcome("CONSENTED");
  ASSERT_EQ(as("rep.police", intervene).status().code(), v1::OK);
  i->add_agencies_present("mh");  // the partner was there too
  i->set_outcome("REFUSED");
  i->set_amend(true);
  auto amended = as("rep.police", intervene);
  ASSERT_EQ(amended.status().code(), v1::OK) << amended.status().message();
  const auto& x = amended.intervene_situation().situation().intervention();
  EXPECT_EQ(x.outcome(), "REFUSED");
  EXPECT_EQ(x.agencies_present_size(), 2);
  EXPECT_EQ(x.amendments(), 1u);
}

TEST_F(NoDeadEnds, AReissuedProfileLogsInWhileTheRevokedOneIsRefused) {
  const auto config = server_.deployment().config_path().string();
  auto refused = run_command({hubtabled_path(), "reissue", "--config", config, "--user", "rep.mh"});
  EXPECT_NE(refused.exit_code, 0) << "a live certificate is revoked first";
  EXPECT_NE(refused.err.find("revoke it first"), std::string::npos) << refused.err;
  auto revoke =
      run_command({hubtabled_path(), "revoke-cert", "--config", config, "--user", "rep.mh"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  TempDir out;
  auto reissue = run_command({hubtabled_path(), "reissue", "--config", config, "--user", "rep.mh",
                              "--profiles-out", out.path().string()});
  ASSERT_EQ(reissue.exit_code, 0) << reissue.err;
  // The old device: refused at the handshake or on its first request.
  auto old_conn = client::Connection::open(server_.profile("rep.mh"), {});
  if (old_conn.ok()) {
    v1::Request who;
    who.mutable_whoami();
    auto r = (*old_conn)->call(who);
    EXPECT_TRUE(!r.ok() || r->status().code() != v1::OK);
  }
  // The new device, with the new one-time password, then a password of one's own.
  auto profile = client::load_profile(out.path() / "rep.mh", server_.address());
  ASSERT_TRUE(profile.ok()) << profile.status();
  auto conn = client::Connection::open(*profile, {});
  ASSERT_TRUE(conn.ok()) << conn.status();
  v1::Request login;
  login.mutable_login()->set_username("rep.mh");
  std::string otp = read_file(out.path() / "rep.mh" / "one-time-password");
  while (!otp.empty() && (otp.back() == '\n' || otp.back() == '\r')) otp.pop_back();
  login.mutable_login()->set_password(otp);
  login.mutable_login()->set_new_password("a-new-laptop-new-password");
  auto in = (*conn)->call(login);
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_EQ(in->status().code(), v1::OK) << in->status().message();
  (*conn)->set_session_token(in->login().session_token());
  v1::Request who;
  who.mutable_whoami();
  auto me = (*conn)->call(who);
  ASSERT_TRUE(me.ok());
  EXPECT_EQ(me->whoami().username(), "rep.mh");
  EXPECT_EQ(me->whoami().certificate_thumbprint(),
            *crypto::certificate_thumbprint_pem(read_file(out.path() / "rep.mh" / "client.crt")));
}

TEST_F(NoDeadEnds, ALeadWhoWasOfflineFindsItsTasksAndTheEventsItMissed) {
  // The lead-to-be watches, then goes offline.
  {
    auto conn = server_.connect("rep.mh");
    ASSERT_EQ(server_.login(*conn, "rep.mh").status().code(), v1::OK);
    v1::Request watch;
    watch.mutable_watch()->set_replay(true);
    auto w = conn->call(watch);
    ASSERT_TRUE(w.ok());
    ASSERT_EQ(w->status().code(), v1::OK);
  }
  const std::string id = accepted_with_lead("mh");  // decided and assigned while away
  auto conn = server_.connect("rep.mh");
  ASSERT_EQ(server_.login(*conn, "rep.mh").status().code(), v1::OK);
  v1::Request tasks;
  tasks.mutable_tasks();
  auto t = conn->call(tasks);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->status().code(), v1::OK) << t->status().message();
  ASSERT_EQ(t->tasks().tasks_size(), 2);
  EXPECT_EQ(t->tasks().tasks(0).kind(), v1::TASK_ACKNOWLEDGE);
  EXPECT_EQ(t->tasks().tasks(0).situation(), id);
  EXPECT_FALSE(t->tasks().tasks(0).local_due().empty());
  v1::Request watch;
  watch.mutable_watch()->set_replay(true);
  auto w = conn->call(watch);
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->status().code(), v1::OK);
  std::vector<std::string> kinds;
  for (const auto& e : w->watch().missed()) {
    EXPECT_TRUE(e.replayed());
    kinds.push_back(e.kind());
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"situation.decided", "situation.assigned"}));
  // And live from now on: the chair adds a partner.
  v1::Request add;
  add.mutable_add_agency()->set_id(id);
  add.mutable_add_agency()->set_agency("police");
  ASSERT_EQ(as("chair.one", add).status().code(), v1::OK);
  conn->set_timeout(std::chrono::seconds(10));
  auto live = conn->next_event();
  ASSERT_TRUE(live.ok()) << live.status();
  EXPECT_EQ(live->kind(), "situation.agency_added");
  EXPECT_FALSE(live->replayed());
}

}  // namespace
}  // namespace hubtable::testing
