// Logging in, sessions and accounts against a real server over real TLS.

#include <gtest/gtest.h>

#include "tests/integration/harness.h"
#include "tests/support/audit_events.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

v1::Request whoami_request() {
  v1::Request r;
  r.mutable_whoami();
  return r;
}

std::vector<v1::AuditEvent> audit_events(TestDeployment& d) {
  auto dep = provision::open_deployment(d.config_path());
  EXPECT_TRUE(dep.ok()) << dep.status();
  return read_audit_events(*dep->db);
}

TEST(Auth, LoginWhoamiLogoutForARepAndAChair) {
  RunningServer server;
  server.start();
  for (const std::string user : {"rep.police", "chair.one"}) {
    auto conn = server.connect(user);
    ASSERT_NE(conn, nullptr);
    auto login = server.login(*conn, user);
    ASSERT_EQ(login.status().code(), v1::OK) << user << ": " << login.status().message();
    auto who = conn->call(whoami_request());
    ASSERT_TRUE(who.ok());
    ASSERT_EQ(who->status().code(), v1::OK);
    EXPECT_EQ(who->whoami().username(), user);
    EXPECT_EQ(who->whoami().roles(0).role(), user == "chair.one" ? v1::CHAIR : v1::REP);
    EXPECT_EQ(who->whoami().agency(), user == "chair.one" ? "" : "police");
    v1::Request out;
    out.mutable_logout();
    EXPECT_EQ(conn->call(out)->status().code(), v1::OK);
    auto after = conn->call(whoami_request());
    EXPECT_EQ(after->status().code(), v1::UNAUTHENTICATED);
    EXPECT_EQ(after->status().rule(), "session.revoked");
  }
}

TEST(Auth, WrongPasswordAndWrongCodeAreRefusedAndAudited) {
  RunningServer server;
  server.start();
  auto conn = server.connect("chair.one");
  v1::Request req;
  req.mutable_login()->set_username("chair.one");
  req.mutable_login()->set_password("not-the-password");
  req.mutable_login()->set_totp_code("123456");
  auto r = conn->call(req);
  EXPECT_EQ(r->status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(r->status().rule(), "auth.bad_credentials");
  req.mutable_login()->set_password(server.deployment().one_time_password("chair.one"));
  const std::string real = server.deployment().totp("chair.one", std::time(nullptr));
  req.mutable_login()->set_totp_code(real == "999999" ? "000000" : "999999");
  r = conn->call(req);
  EXPECT_EQ(r->status().rule(), "auth.bad_totp");
  ASSERT_TRUE(server.serves("rep.mh"));
  ASSERT_EQ(server.stop(), 0);

  int denied = 0;
  for (const auto& e : audit_events(server.deployment())) {
    if (e.action() == "auth.login" && e.outcome() == v1::AUDIT_DENIED) {
      ++denied;
      EXPECT_EQ(e.actor().username(), "chair.one");
      EXPECT_EQ(e.actor().remote_address(), "127.0.0.1");
      EXPECT_EQ(e.actor().certificate_thumbprint(), server.deployment().thumbprint("chair.one"));
      EXPECT_EQ(e.SerializeAsString().find("not-the-password"), std::string::npos);
    }
  }
  EXPECT_EQ(denied, 2);
}

TEST(Auth, RevokedCertificateIsRefusedOnTheNextRequest) {
  RunningServer server;
  server.start();
  auto conn = server.connect("rep.police");
  ASSERT_EQ(server.login(*conn, "rep.police").status().code(), v1::OK);
  auto revoke = run_command({hubtabled_path(), "revoke-cert", "--config",
                             server.deployment().config_path().string(), "--user", "rep.police"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  auto r = conn->call(whoami_request());
  EXPECT_EQ(r->status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(r->status().rule(), "session.revoked");  // revoke-cert ends the sessions too
  EXPECT_TRUE(server.serves("rep.mh"));
}

TEST(Auth, DisablingAnAccountEndsItsSessionAndRefusesLogin) {
  RunningServer server;
  server.start();
  auto conn = server.connect("rep.police");
  ASSERT_EQ(server.login(*conn, "rep.police").status().code(), v1::OK);
  std::string text = kTestTable;
  const std::string marker = "username = \"rep.police\"\n";
  text.insert(text.find(marker) + marker.size(), "disabled = true\n");
  server.deployment().apply_text(text);  // while the server runs
  auto r = conn->call(whoami_request());
  EXPECT_EQ(r->status().code(), v1::UNAUTHENTICATED);
  auto fresh = server.connect("rep.police");
  auto login = server.login(*fresh, "rep.police");
  EXPECT_EQ(login.status().rule(), "auth.account_disabled");
}

TEST(Auth, PipelinedRequestsAreAnsweredByRequestId) {
  RunningServer server;
  server.start();
  auto conn = server.connect("rep.police");
  ASSERT_EQ(server.login(*conn, "rep.police").status().code(), v1::OK);
  std::vector<std::uint64_t> ids;
  ids.reserve(12);
  for (int i = 0; i < 12; ++i) ids.push_back(*conn->send(whoami_request()));
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {  // collect in reverse order
    auto r = conn->wait(*it);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status().code(), v1::OK);
    EXPECT_EQ(r->whoami().username(), "rep.police");
  }
}

TEST(Auth, CanaryCredentialsNeverReachDiskLogsOrAudit) {
  RunningServer server;
  server.start();
  const std::string canary = "CANARY-7731-credential";
  auto conn = server.connect("rep.mh");
  v1::Request req;
  req.mutable_login()->set_username(canary);
  req.mutable_login()->set_password(canary);
  EXPECT_EQ(conn->call(req)->status().code(), v1::UNAUTHENTICATED);
  req.mutable_login()->set_username("rep.mh");
  req.mutable_login()->set_password(server.deployment().one_time_password("rep.mh"));
  req.mutable_login()->set_new_password(canary + "-new-password");
  auto ok = conn->call(req);
  ASSERT_EQ(ok->status().code(), v1::OK);
  const std::string token = ok->login().session_token();
  conn->set_session_token(token);
  EXPECT_EQ(conn->call(whoami_request())->status().code(), v1::OK);
  // Read the files while the server still holds the WAL open, and after.
  const auto db = server.deployment().database();
  std::vector<std::string> blobs = {read_file(db), read_file(db.string() + "-wal"), server.log()};
  ASSERT_EQ(server.stop(), 0);
  blobs.push_back(read_file(db));
  blobs.push_back(server.log());
  for (const auto& e : audit_events(server.deployment())) blobs.push_back(e.SerializeAsString());
  for (const auto& b : blobs) {
    EXPECT_EQ(b.find("CANARY-7731"), std::string::npos);
    EXPECT_EQ(b.find(token), std::string::npos);
  }
}

TEST(Auth, SigtermDrainsConnectionsAndExitsCleanly) {
  RunningServer server;
  server.start();
  auto idle = server.connect("rep.police");
  auto busy = server.connect("rep.mh");
  ASSERT_EQ(server.login(*busy, "rep.mh").status().code(), v1::OK);
  ASSERT_TRUE(busy->send(whoami_request()).ok());
  EXPECT_EQ(server.stop(), 0);
  EXPECT_NE(server.log().find("hubtabled stopped"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace hubtable::testing
