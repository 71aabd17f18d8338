// One client must not be able to stop a table: a revoked device, a flood of
// frames that are not requests, a flood of requests over the rate limit.
// Each is refused before it costs work, recorded once per connection, and
// leaves the log and everyone else's requests alone.

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/harness.h"
#include "tests/support/audit_events.h"
#include "wire/frame.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

// The events requests caused (signed checkpoints come on their own schedule).
std::vector<v1::AuditEvent> audit_events(TestDeployment& d) {
  auto dep = provision::open_deployment(d.config_path(), 1, /*upkeep=*/false);
  EXPECT_TRUE(dep.ok()) << dep.status();
  if (!dep.ok()) return {};
  auto all = read_audit_events(*dep->db);
  std::erase_if(all, [](const auto& e) { return e.action() == "audit.checkpoint"; });
  return all;
}

std::vector<v1::AuditEvent> rejected_events(TestDeployment& d) {
  auto all = audit_events(d);
  std::vector<v1::AuditEvent> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [](const auto& e) { return e.action() == "request.rejected"; });
  return out;
}

std::size_t lines(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

std::uint64_t count_of(const v1::AuditEvent& e, const std::string& rule) {
  for (const auto& r : e.rejected()) {
    if (r.rule() == rule) return r.count();
  }
  return 0;
}

TEST(Abuse, RevokedCertificateFailsTheHandshakeAndCostsNoAuditOrLogFlood) {
  RunningServer server(std::string(kTestLimits) + "revocation_refresh_interval_ms = 100\n");
  server.start();
  ASSERT_TRUE(server.serves("rep.police"));
  auto revoke = run_command({hubtabled_path(), "revoke-cert", "--config",
                             server.deployment().config_path().string(), "--user", "rep.police"});
  ASSERT_EQ(revoke.exit_code, 0) << revoke.err;
  // A connection that gets no answer at all: the handshake refused it.
  auto refused_at_handshake = [&] {
    auto conn = client::Connection::open(server.profile("rep.police"));
    if (!conn.ok()) return true;
    v1::Request login;
    login.mutable_login()->set_username("rep.police");
    login.mutable_login()->set_password("whatever-it-is");
    return !(*conn)->call(login).ok();
  };
  ASSERT_TRUE(wait_until(refused_at_handshake, std::chrono::seconds(10)))
      << "a revoked certificate still completes the handshake:\n"
      << server.log();
  EXPECT_TRUE(
      wait_until([&] { return server.log().find("certificate revoked") != std::string::npos; },
                 std::chrono::seconds(10)))
      << server.log();

  const std::size_t events_before = audit_events(server.deployment()).size();
  const std::size_t lines_before = lines(server.log());
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(refused_at_handshake()) << i;
  EXPECT_EQ(audit_events(server.deployment()).size(), events_before)
      << "a refused handshake is not a request: nothing to audit";
  EXPECT_LE(lines(server.log()) - lines_before, 25u) << server.log();
  EXPECT_TRUE(server.serves("rep.mh"));
}

TEST(Abuse, FramesThatAreNotRequestsEndTheConnectionAndAreAuditedOncePerConnection) {
  RunningServer server;
  server.start();
  const std::size_t lines_before = lines(server.log());
  // Four connections, each pipelining 5,000 frames that are not Envelopes.
  std::string flood;
  for (int i = 0; i < 5000; ++i) flood += wire::encode_frame("\xff\xff\xff\xff not an envelope");
  for (int c = 0; c < 4; ++c) {
    auto conn = server.connect("rep.mh");
    (void)conn->write_raw(flood);  // the server may hang up before it is all sent
    auto first = conn->read_envelope();
    ASSERT_TRUE(first.ok()) << first.status();
    EXPECT_EQ(first->response().status().rule(), "protocol.malformed_envelope");
    EXPECT_FALSE(conn->read_envelope().ok()) << "the connection outlived its first protocol error";
  }
  std::vector<v1::AuditEvent> rejected;
  ASSERT_TRUE(wait_until(
      [&] {
        rejected = rejected_events(server.deployment());
        return rejected.size() >= 4;
      },
      std::chrono::seconds(10)));
  EXPECT_EQ(rejected.size(), 4u) << "one event per connection";
  for (const auto& e : rejected) {
    EXPECT_EQ(e.outcome(), v1::AUDIT_DENIED);
    EXPECT_EQ(e.rule(), "protocol.malformed_envelope");
    EXPECT_EQ(count_of(e, "protocol.malformed_envelope"), 1u);
    EXPECT_FALSE(e.actor().certificate_thumbprint().empty());
  }
  EXPECT_LE(lines(server.log()) - lines_before, 25u) << server.log();
  EXPECT_EQ(server.log().find("dropped"), std::string::npos) << server.log();
  EXPECT_TRUE(server.serves("rep.police"));
}

TEST(Abuse, WhatLibprotobufSaysAboutBadFramesCannotFloodTheLog) {
  RunningServer server;
  server.start();
  // A login whose username is not UTF-8: libprotobuf complains of each one.
  v1::Envelope env;
  env.set_version(1);
  env.set_request_id(1);
  env.mutable_request()->mutable_login()->set_username("rep\xff\xfe");
  std::string bytes;
  ASSERT_TRUE(env.SerializePartialToString(&bytes));
  const std::string frame = wire::encode_frame(bytes);
  for (int i = 0; i < 60; ++i) {
    auto conn = server.connect("rep.mh");
    ASSERT_TRUE(conn->write_raw(frame).ok());
    auto answer = conn->read_envelope();
    ASSERT_TRUE(answer.ok()) << answer.status();
    EXPECT_EQ(answer->response().status().rule(), "protocol.malformed_envelope");
  }
  std::vector<v1::AuditEvent> rejected;
  ASSERT_TRUE(wait_until(
      [&] {
        rejected = rejected_events(server.deployment());
        return rejected.size() >= 60;
      },
      std::chrono::seconds(20)));
  const std::string log = server.log();
  std::size_t lines = 0;
  for (auto at = log.find("libprotobuf"); at != std::string::npos;
       at = log.find("libprotobuf", at + 1)) {
    ++lines;
  }
  EXPECT_GT(lines, 0u) << "libprotobuf's complaints go to the server's log";
  EXPECT_LE(lines, 21u) << "20 lines every 10 seconds, and a count:\n" << log;
  EXPECT_TRUE(server.serves("rep.police"));
}

TEST(Abuse, RequestsOverTheRateLimitAreCountedNotEachAudited) {
  RunningServer server(std::string(kTestLimits) + "requests_per_second = 5\nrequest_burst = 10\n");
  server.start();
  auto conn = server.connect("rep.police");
  ASSERT_EQ(server.login(*conn, "rep.police").status().code(), v1::OK);
  const std::size_t events_before = audit_events(server.deployment()).size();
  v1::Request who;
  who.mutable_whoami();
  int ok = 0;
  int limited = 0;
  // In batches, reading every answer, so the client never stops reading.
  for (int batch = 0; batch < 20; ++batch) {
    std::vector<std::uint64_t> ids;
    ids.reserve(50);
    for (int i = 0; i < 50; ++i) ids.push_back(*conn->send(who));
    for (auto id : ids) {
      auto r = conn->wait(id);
      ASSERT_TRUE(r.ok()) << r.status();
      if (r->status().code() == v1::OK) ++ok;
      if (r->status().rule() == "limits.request_rate") ++limited;
    }
  }
  EXPECT_EQ(ok + limited, 1000);
  EXPECT_GT(limited, 900);
  conn.reset();  // the count is recorded when the connection ends
  std::vector<v1::AuditEvent> rejected;
  ASSERT_TRUE(wait_until(
      [&] {
        rejected = rejected_events(server.deployment());
        return !rejected.empty();
      },
      std::chrono::seconds(10)));
  ASSERT_EQ(rejected.size(), 1u);
  EXPECT_EQ(rejected[0].rule(), "limits.request_rate");
  EXPECT_EQ(count_of(rejected[0], "limits.request_rate"), static_cast<std::uint64_t>(limited));
  EXPECT_EQ(rejected[0].actor().certificate_thumbprint(),
            server.deployment().thumbprint("rep.police"));
  // Each answered whoami is on the record, the refused ones only as the count.
  EXPECT_EQ(audit_events(server.deployment()).size(),
            events_before + static_cast<std::size_t>(ok) + 1);
}

}  // namespace
}  // namespace hubtable::testing
