// The request service in-process, over a real encrypted database, with an
// injected clock so expiry and throttling are tested without waiting.

#include <atomic>
#include <condition_variable>
#include <thread>

#include "audit/checkpointer.h"
#include "audit/log_store.h"
#include "crypto/password.h"
#include "store/accounts.h"
#include "tests/support/fault_vfs.h"
#include "tests/unit/api/service_fixture.h"

namespace hubtable::api {
namespace {

TEST_F(ServiceTest, OneTimePasswordMustBeReplacedAtFirstLogin) {
  const std::string otp = dep_.one_time_password("rep.police");
  auto r = login("rep.police", otp);
  EXPECT_EQ(r.status().code(), v1::FAILED_PRECONDITION);
  EXPECT_EQ(r.status().rule(), "auth.password_change_required");
  r = login("rep.police", otp, "", "short");
  EXPECT_EQ(r.status().rule(), "auth.weak_password");
  r = login("rep.police", otp, "", otp);
  EXPECT_EQ(r.status().rule(), "auth.weak_password");
  r = login("rep.police", otp, "", kNewPassword);
  ASSERT_EQ(r.status().code(), v1::OK);
  EXPECT_EQ(r.login().session_token().size(), 32u);
  EXPECT_TRUE(r.login().password_changed());
  EXPECT_EQ(login("rep.police", otp).status().rule(), "auth.bad_credentials");
  EXPECT_EQ(login("rep.police", kNewPassword).status().code(), v1::OK);
}

TEST_F(ServiceTest, OneTimePasswordExpiresAfterSevenDays) {
  clock_.advance_us(kMinuteUs * 60 * 24 * 7 + 1);
  auto r = login("rep.police", dep_.one_time_password("rep.police"), "", kNewPassword);
  EXPECT_EQ(r.status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(r.status().rule(), "auth.one_time_password_expired");
}

TEST_F(ServiceTest, ChairNeedsAFreshAuthenticatorCode) {
  const std::string otp = dep_.one_time_password("chair.one");
  auto r = login("chair.one", otp, "", kNewPassword);
  EXPECT_EQ(r.status().rule(), "auth.totp_required");
  r = login("chair.one", otp, code("chair.one") == "000000" ? "111111" : "000000", kNewPassword);
  EXPECT_EQ(r.status().rule(), "auth.bad_totp");
  const std::string c = code("chair.one");
  ASSERT_EQ(login("chair.one", otp, c, kNewPassword).status().code(), v1::OK);
  r = login("chair.one", kNewPassword, c);
  EXPECT_EQ(r.status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(r.status().rule(), "auth.totp_reused");
  clock_.advance_us(kMinuteUs / 2);
  EXPECT_EQ(login("chair.one", kNewPassword, code("chair.one")).status().code(), v1::OK);
}

TEST_F(ServiceTest, WhoamiReportsUserAgencyAndRoles) {
  const std::string token = first_login("rep.mh");
  auto r = whoami("rep.mh", token);
  ASSERT_EQ(r.status().code(), v1::OK);
  EXPECT_EQ(r.whoami().username(), "rep.mh");
  EXPECT_EQ(r.whoami().agency(), "mh");
  ASSERT_EQ(r.whoami().roles_size(), 1);
  EXPECT_EQ(r.whoami().roles(0).role(), v1::REP);
  EXPECT_EQ(r.whoami().roles(0).table(), "t1");
  EXPECT_EQ(r.whoami().certificate_thumbprint(), dep_.thumbprint("rep.mh"));
}

TEST_F(ServiceTest, SessionExpiresAfterFifteenIdleMinutesAndTwelveHours) {
  std::string token = first_login("rep.police");
  clock_.advance_us(14 * kMinuteUs);
  EXPECT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  clock_.advance_us(14 * kMinuteUs);
  EXPECT_EQ(whoami("rep.police", token).status().code(), v1::OK);  // use keeps it alive
  clock_.advance_us(15 * kMinuteUs);
  auto r = whoami("rep.police", token);
  EXPECT_EQ(r.status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(r.status().rule(), "session.expired");

  token = login("rep.police", kNewPassword).login().session_token();
  for (int i = 0; i < 71; ++i) {
    clock_.advance_us(10 * kMinuteUs);
    ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK) << i;
  }
  clock_.advance_us(10 * kMinuteUs);  // 720 minutes since login
  EXPECT_EQ(whoami("rep.police", token).status().rule(), "session.expired");
}

TEST_F(ServiceTest, SessionIsBoundToTheDeviceCertificate) {
  const std::string token = first_login("rep.police");
  v1::Request r;
  r.mutable_whoami();
  r.set_session_token(token);
  auto resp = service_.handle(ctx("rep.mh"), r);  // presented from another device
  EXPECT_EQ(resp.status().rule(), "session.certificate_mismatch");
  r.set_session_token(std::string(32, 'x'));
  EXPECT_EQ(service_.handle(ctx("rep.police"), r).status().rule(), "session.unknown");
  r.clear_session_token();
  EXPECT_EQ(service_.handle(ctx("rep.police"), r).status().rule(), "session.missing");
}

TEST_F(ServiceTest, LoginFromADeviceRegisteredToSomeoneElseIsRefused) {
  v1::Request r;
  r.mutable_login()->set_username("rep.police");
  r.mutable_login()->set_password(dep_.one_time_password("rep.police"));
  r.mutable_login()->set_new_password(kNewPassword);
  auto resp = service_.handle(ctx("rep.mh"), r);
  EXPECT_EQ(resp.status().rule(), "auth.certificate_not_registered");
}

TEST_F(ServiceTest, LogoutEndsTheSession) {
  const std::string token = first_login("rep.police");
  v1::Request r;
  r.mutable_logout();
  EXPECT_EQ(call("rep.police", token, r).status().code(), v1::OK);
  EXPECT_EQ(whoami("rep.police", token).status().rule(), "session.revoked");
}

TEST_F(ServiceTest, PasswordChangeEndsOtherSessions) {
  const std::string first = first_login("rep.police");
  ASSERT_EQ(whoami("rep.police", first).status().code(), v1::OK);
  // Simulate an administrator issuing a new one-time password: the next login
  // that replaces it must end the older session.
  auto hash = crypto::hash_password("temporary-pass-123");
  ASSERT_TRUE(deployment_.db
                  ->write([&](store::Connection& c) {
                    auto id = store::find_user_by_username(c, "rep.police");
                    return store::set_password(c, (*id)->id, *hash, true,
                                               clock_.now_us() + kMinuteUs, clock_.now_us());
                  })
                  .ok());
  ASSERT_EQ(login("rep.police", "temporary-pass-123", "", "another-long-password").status().code(),
            v1::OK);
  EXPECT_EQ(whoami("rep.police", first).status().rule(), "session.revoked");
}

TEST_F(ServiceTest, FailedLoginsAreThrottledPerAccountThenRecover) {
  first_login("rep.police");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(login("rep.police", "wrong-password").status().rule(), "auth.bad_credentials");
  }
  auto r = login("rep.police", kNewPassword);
  EXPECT_EQ(r.status().code(), v1::RESOURCE_EXHAUSTED);
  EXPECT_EQ(r.status().rule(), "auth.rate_limited_account");
  clock_.advance_us(16 * kMinuteUs);
  EXPECT_EQ(login("rep.police", kNewPassword).status().code(), v1::OK);
}

TEST_F(ServiceTest, FailedLoginsAreThrottledPerAddress) {
  first_login("rep.mh");
  for (int i = 0; i < 20; ++i) {
    login("nobody-" + std::to_string(i), "guess", "", "", "198.51.100.7");
  }
  EXPECT_EQ(login("rep.mh", kNewPassword, "", "", "198.51.100.7").status().rule(),
            "auth.rate_limited_address");
  EXPECT_EQ(login("rep.mh", kNewPassword, "", "", "198.51.100.8").status().code(), v1::OK);
}

TEST_F(ServiceTest, DisabledAccountCannotLogInAndLosesItsSessions) {
  const std::string token = first_login("rep.police");
  std::string text = hubtable::testing::kTestTable;
  const std::string marker = "username = \"rep.police\"\n";
  text.insert(text.find(marker) + marker.size(), "disabled = true\n");
  dep_.apply_text(text);
  EXPECT_EQ(whoami("rep.police", token).status().code(), v1::UNAUTHENTICATED);
  auto r = login("rep.police", kNewPassword);
  EXPECT_EQ(r.status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(r.status().rule(), "auth.account_disabled");
}

TEST_F(ServiceTest, UnknownRequestKindIsRefusedAfterAuthentication) {
  const std::string token = first_login("rep.police");
  v1::Request r;
  auto resp = call("rep.police", token, r);
  EXPECT_EQ(resp.status().code(), v1::INVALID_ARGUMENT);
  EXPECT_EQ(resp.status().rule(), "protocol.unknown_request");
}

TEST_F(ServiceTest, VocabularyListsDefaultsAndOnlyTheCallersTablesEntries) {
  dep_.apply_text(std::string(hubtable::testing::kTestTable) + R"toml(
[[vocabulary]]
table = "t1"
kind = "study_flag"
code = "T1-FLAG"
label = "Table one flag"

[[vocabulary]]
table = "t2"
kind = "study_flag"
code = "T2-FLAG"
label = "Table two flag"
)toml");
  const std::string token = first_login("rep.police");  // sits at t1 only
  auto list = [&](const std::string& kind, const std::string& table) {
    v1::Request r;
    r.mutable_list_vocabulary()->set_kind(kind);
    r.mutable_list_vocabulary()->set_table(table);
    return call("rep.police", token, r);
  };
  auto flags = list("study_flag", "");
  ASSERT_EQ(flags.status().code(), v1::OK);
  std::vector<std::string> codes;
  for (const auto& e : flags.list_vocabulary().entries()) codes.push_back(e.code());
  EXPECT_EQ(codes, (std::vector<std::string>{"OPIOIDS", "HUMAN_TRAFFICKING", "INTIMATE_PARTNER",
                                             "YOUTH_VIOLENCE", "T1-FLAG"}));
  EXPECT_EQ(flags.list_vocabulary().entries(4).table(), "t1");

  auto ages = list("age_band", "");
  ASSERT_EQ(ages.list_vocabulary().entries_size(), 10);
  EXPECT_EQ(ages.list_vocabulary().entries(2).details().at("min_age"), "12");

  auto everything = list("", "");
  EXPECT_EQ(everything.list_vocabulary().entries_size(), 206);

  auto other = list("study_flag", "t2");
  EXPECT_EQ(other.status().code(), v1::PERMISSION_DENIED);
  EXPECT_EQ(other.status().rule(), "vocabulary.not_at_table");
  auto bad = list("colour", "");
  EXPECT_EQ(bad.status().code(), v1::INVALID_ARGUMENT);
  EXPECT_EQ(bad.status().rule(), "vocabulary.unknown_kind");

  const std::string admin = first_login("admin");  // sees every table's entries
  v1::Request r;
  r.mutable_list_vocabulary()->set_kind("study_flag");
  EXPECT_EQ(call("admin", admin, r).list_vocabulary().entries_size(), 6);
}

TEST_F(ServiceTest, DeidCheckReportsCategoriesAndCharacterOffsetsAndStoresNoText) {
  const std::string token = first_login("rep.mh");
  auto check = [&](const std::string& user, const std::string& tok, const std::string& text) {
    v1::Request r;
    r.mutable_deid_check()->set_text(text);
    return call(user, tok, r);
  };
  // "Café" holds a two-byte character: offsets count characters, not bytes.
  auto r = check("rep.mh", token, "Café: call Jessica Martin at 306-555-0190.");
  ASSERT_EQ(r.status().code(), v1::OK);
  EXPECT_FALSE(r.deid_check().clean());
  ASSERT_EQ(r.deid_check().findings_size(), 2);
  EXPECT_EQ(r.deid_check().findings(0).category(), "PERSON_NAME");
  EXPECT_EQ(r.deid_check().findings(0).begin(), 11u);
  EXPECT_EQ(r.deid_check().findings(0).end(), 25u);
  EXPECT_EQ(r.deid_check().findings(1).category(), "PHONE_NUMBER");
  EXPECT_EQ(r.deid_check().findings(1).begin(), 29u);
  EXPECT_EQ(r.deid_check().findings(1).end(), 41u);

  // Agency names at the deployment are not personal names.
  auto clean = check("rep.mh", token, "Referred to Test Mental Health by Test Police on Tuesday.");
  EXPECT_TRUE(clean.deid_check().clean()) << clean.DebugString();

  auto too_long = check("rep.mh", token, std::string(20000, 'a'));
  EXPECT_EQ(too_long.status().rule(), "deid.text_too_long");
  const std::string admin = first_login("admin");
  EXPECT_EQ(check("admin", admin, "text").status().rule(), "admin.no_case_data");

  int checks = 0;
  for (const auto& e : audit_events()) {
    if (e.action() != "deid.check") continue;
    ++checks;
    EXPECT_EQ(e.SerializeAsString().find("Jessica"), std::string::npos);
    EXPECT_EQ(e.SerializeAsString().find("555-0190"), std::string::npos);
  }
  EXPECT_EQ(checks, 4);  // two checks, one refusal for length, one for the admin
  EXPECT_EQ(read_file(dep_.database().string() + "-wal").find("Jessica"), std::string::npos);
}

TEST_F(ServiceTest, EveryLoginAndDenialIsAuditedWithoutSecrets) {
  const std::string canary = "CANARY-password-9f3k2";
  login("rep.police", canary);               // wrong password
  login("CANARY-typed-into-username", "x");  // unknown account
  const std::string token = first_login("rep.police");
  whoami("rep.police", std::string(32, 'z'));  // denied
  v1::Request out;
  out.mutable_logout();
  call("rep.police", token, out);

  std::vector<std::string> seen;
  for (const auto& e : audit_events()) {
    // Provisioning, and the checkpoint `init` and `apply` sign on exit.
    if (e.action().starts_with("admin.") || e.action() == "audit.checkpoint") continue;
    seen.push_back(e.action() + "/" + e.rule() + "/" + v1::AuditOutcome_Name(e.outcome()));
    const std::string bytes = e.SerializeAsString();
    EXPECT_EQ(bytes.find("CANARY"), std::string::npos) << e.DebugString();
    EXPECT_EQ(bytes.find(kNewPassword), std::string::npos);
    EXPECT_EQ(bytes.find(token), std::string::npos);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{
                      "auth.login/auth.bad_password/AUDIT_DENIED",
                      "auth.login/auth.unknown_account/AUDIT_DENIED",
                      "auth.login/auth.login_password_changed/AUDIT_OK",
                      "request.denied/session.unknown/AUDIT_DENIED",
                      "session.logout/session.own/AUDIT_OK",
                  }));
  const std::string db = read_file(dep_.database());
  const std::string wal = read_file(dep_.database().string() + "-wal");
  for (const auto& bytes : {db, wal}) {
    EXPECT_EQ(bytes.find("CANARY"), std::string::npos);
    EXPECT_EQ(bytes.find(kNewPassword), std::string::npos);
    EXPECT_EQ(bytes.find("rep.police"), std::string::npos);  // whole file is encrypted
  }
}

// The log's end is read as one snapshot: an event committed by another
// request between reading the last event and the tree's size is not a
// removed tail. (Before, this closed the server at random, as CI saw.)
TEST_F(ServiceTest, EventsCommittedWhileTheLogsEndIsCheckedAreNotDamage) {
  const std::string token = first_login("rep.mh");
  std::atomic<bool> done = false;
  std::thread checker([&] {
    while (!done.load()) ASSERT_TRUE(service_.check_log_end().ok());
  });
  v1::Request r;
  r.mutable_deid_check()->set_text("A quiet afternoon at the library.");
  int answered = 0;
  for (int i = 0; i < 100; ++i) {
    const auto a = call("rep.mh", token, r);
    if (a.status().rule() == "audit.log_damaged") break;
    ASSERT_EQ(a.status().code(), v1::OK) << a.status().message();
    ++answered;
  }
  done.store(true);
  checker.join();
  EXPECT_EQ(answered, 100);
  for (const auto& e : audit_events()) EXPECT_FALSE(e.has_alert()) << e.DebugString();
}

// The service over a database whose disk can be made full.
class DiskFullTest : private hubtable::testing::FaultVfs::Scope, public ServiceTest {
 protected:
  ~DiskFullTest() override { hubtable::testing::FaultVfs::set_disk_full(false); }
};

TEST_F(DiskFullTest, AFullDiskIsSaidPlainlyAndTheServerRecovers) {
  const std::string token = first_login("rep.police");
  v1::Request submit;
  auto* s = submit.mutable_submit_situation();
  s->set_situation_type("PERSON");
  s->set_age_band("16-17");
  s->set_gender("F");
  s->add_risk_factors("MEN-SUSP");
  s->set_narrative("Missed most of the term and was found intoxicated twice.");
  s->set_filter1_attested(true);
  hubtable::testing::FaultVfs::set_disk_full(true);
  for (const v1::Response& r : {call("rep.police", token, submit), whoami("rep.police", token)}) {
    EXPECT_EQ(r.status().code(), v1::RESOURCE_EXHAUSTED) << r.status().message();
    EXPECT_EQ(r.status().rule(), "store.full");
    EXPECT_EQ(r.status().message(),
              "the server's storage is full: nothing was changed; tell the administrator");
  }
  hubtable::testing::FaultVfs::set_disk_full(false);
  const auto stored = call("rep.police", token, submit);
  ASSERT_EQ(stored.status().code(), v1::OK) << stored.status().message();
  int submitted = 0;
  for (const auto& e : audit_events()) submitted += e.action() == "situation.submit" ? 1 : 0;
  EXPECT_EQ(submitted, 1) << "what failed for a full disk left nothing behind";
}

// One worker and room for one queued request: enough to fill the queue.
class BusyServiceTest : public ServiceTest {
 protected:
  BusyServiceTest()
      : ServiceTest(std::nullopt, [](config::Limits& l) {
          l.worker_threads = 1;
          l.worker_queue_depth = 1;
        }) {}

  bool submit_whoami(const std::string& user, const std::string& token) {
    v1::Request r;
    r.mutable_whoami();
    r.set_session_token(token);
    return service_.submit(ctx(user), r, [this](const v1::Envelope& e) {
      std::lock_guard<std::mutex> lock(mutex_);
      answers_.push_back(e.response().status().rule());
      changed_.notify_all();
    });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> answers_;  // the rule of each answer, in order
};

TEST_F(BusyServiceTest, ARequestRefusedForAFullQueueIsRecordedNeverDropped) {
  const std::string police = first_login("rep.police");
  const std::string mh = first_login("rep.mh");
  const std::string t2 = first_login("rep.t2");
  // Hold the database writer: the one worker blocks at its request's audit write.
  bool holding = false;
  bool release = false;
  std::thread holder([&] {
    (void)deployment_.db->write([&](store::Connection&) {
      std::unique_lock<std::mutex> lock(mutex_);
      holding = true;
      changed_.notify_all();
      changed_.wait(lock, [&] { return release; });
      return absl::OkStatus();
    });
  });
  {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return holding; });
  }
  ASSERT_TRUE(submit_whoami("rep.police", police));
  // Once the worker has taken the first request, the second is queued.
  int refusals_before_queued = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!submit_whoami("rep.mh", mh)) {
    ++refusals_before_queued;
    ASSERT_LT(std::chrono::steady_clock::now(), deadline);
  }
  // The queue is full: a third principal's request is refused at once...
  ASSERT_FALSE(submit_whoami("rep.t2", t2));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ASSERT_FALSE(answers_.empty());
    EXPECT_EQ(answers_.back(), "limits.worker_queue");
  }
  // ...and counted by its connection, whose event is queued all the same.
  service_.record_rejected_frames(ctx("rep.t2"), {{"limits.worker_queue", 1}});
  {
    std::lock_guard<std::mutex> lock(mutex_);
    release = true;
    changed_.notify_all();
  }
  holder.join();
  {
    std::unique_lock<std::mutex> lock(mutex_);
    ASSERT_TRUE(changed_.wait_for(lock, std::chrono::seconds(30), [&] {
      return answers_.size() == static_cast<std::size_t>(refusals_before_queued) + 3;
    }));
  }
  std::vector<v1::AuditEvent> rejected;
  const auto written = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (rejected.empty() && std::chrono::steady_clock::now() < written) {
    for (const auto& e : audit_events()) {
      if (e.action() == "request.rejected") rejected.push_back(e);
    }
  }
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].rule(), "limits.worker_queue");
  ASSERT_EQ(rejected[0].rejected_size(), 1);
  EXPECT_EQ(rejected[0].rejected(0).count(), 1u);
  EXPECT_EQ(rejected[0].actor().certificate_thumbprint(), dep_.thumbprint("rep.t2"));
}

// Requests sign a checkpoint as soon as 256 events follow the last one,
// though most of them end without a look at the log: after every request
// fewer than 256 events wait, and checkpoints are not signed any sooner.
TEST_F(ServiceTest, RequestsSignACheckpointOnceEnoughEventsWait) {
  const std::string token = first_login("rep.police");
  auto sizes = [&] {
    return *deployment_.db->read(
        [](store::Connection& c) -> absl::StatusOr<std::pair<std::uint64_t, std::uint64_t>> {
          auto size = audit::tree_size(c);
          if (!size.ok()) return size.status();
          auto cp = audit::latest_checkpoint(c);
          if (!cp.ok()) return cp.status();
          return std::make_pair(*size, *cp ? (*cp)->checkpoint.tree_size : 0);
        });
  };
  const auto [first_size, first_signed] = sizes();
  int signings = 0;
  std::uint64_t last_signed = first_signed;
  for (int i = 0; i < 700; ++i) {
    ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
    const auto [size, signed_size] = sizes();
    ASSERT_LT(size - signed_size, audit::Checkpointer::kEveryEvents) << "after request " << i;
    if (signed_size != last_signed) {
      ++signings;
      EXPECT_EQ(size, signed_size) << "signed as soon as due, its own event last";
      EXPECT_GE(signed_size - last_signed, audit::Checkpointer::kEveryEvents - 1);
      last_signed = signed_size;
    }
  }
  EXPECT_GE(sizes().first - first_size, 700u) << "each request appends its event";
  EXPECT_GE(signings, 2);
}

}  // namespace
}  // namespace hubtable::api
