// Issue 20: what a request's session check read is kept while nothing it read
// changes (api/session_cache.h). A kept session costs one lookup; a change
// made by any process, the server's own or `hubtabled apply`, reaches the
// next request at once.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "api/session_cache.h"
#include "crypto/hkdf.h"
#include "store/accounts.h"
#include "store/connection.h"
#include "store/transaction.h"
#include "tests/unit/api/service_fixture.h"

namespace hubtable::api {
namespace {

// The deployment file with one edit: `insert` after rep.police's username.
std::string police_edited(const std::string& insert) {
  std::string text = hubtable::testing::kTestTable;
  const std::string marker = "username = \"rep.police\"\n";
  text.insert(text.find(marker) + marker.size(), insert);
  return text;
}

class SessionCacheTest : public ServiceTest {
 protected:
  // A change made on a connection of its own, as another process makes it.
  void elsewhere(const std::function<absl::Status(store::Connection&)>& change) {
    const std::string master = read_file(dep_.root() / "keys/master.key");
    crypto::SecretBytes master_key(crypto::as_bytes(master));
    auto db_key = crypto::derive_subkey(master_key, crypto::kDatabaseKeyLabel);
    ASSERT_TRUE(db_key.ok());
    auto c = store::open_connection(dep_.database().string(), *db_key,
                                    store::ConnectionRole::kWriter, store::OpenMode::kExisting);
    ASSERT_TRUE(c.ok()) << c.status();
    store::Transaction tx(**c, store::Transaction::Kind::kWrite);
    ASSERT_TRUE(tx.status().ok()) << tx.status();
    ASSERT_TRUE(change(**c).ok());
    ASSERT_TRUE(tx.commit().ok());
  }

  std::int64_t police_id() {
    auto id = deployment_.db->read(
        [](store::Connection& c) { return store::find_user_by_username(c, "rep.police"); });
    EXPECT_TRUE(id.ok() && id->has_value());
    return (*id)->id;
  }

  // The fewest statement steps of `n` whoami requests: what a session check
  // costs, counted the same on any machine.
  std::uint64_t whoami_steps(const std::string& token, int n) {
    std::uint64_t fewest = UINT64_MAX;
    for (int i = 0; i < n; ++i) {
      const std::uint64_t before = deployment_.db->statement_steps();
      EXPECT_EQ(whoami("rep.police", token).status().code(), v1::OK);
      fewest = std::min(fewest, deployment_.db->statement_steps() - before);
    }
    return fewest;
  }
};

TEST_F(SessionCacheTest, AKeptSessionIsLookedUpAgainOnlyAfterAChange) {
  const std::string token = first_login("rep.police");
  const std::uint64_t kept = whoami_steps(token, 3);
  // Another process's commit of something no session check reads: the
  // server notices the database changed, and keeps its copy.
  elsewhere([](store::Connection& c) {
    return c.exec("INSERT INTO login_failures (time_us, address) VALUES (1, '192.0.2.99');");
  });
  const std::uint64_t unrelated = whoami_steps(token, 1);
  // A change to someone else's account: every kept session is read again.
  elsewhere([](store::Connection& c) {
    return c.exec("UPDATE users SET display_name = 'M' WHERE username = 'rep.mh';");
  });
  const std::uint64_t read_again = whoami_steps(token, 1);
  EXPECT_GT(read_again, unrelated + 20)
      << "a session check after a change to an account costs as many steps (" << read_again
      << ") as after an unrelated change (" << unrelated << ")";
  EXPECT_EQ(whoami_steps(token, 3), kept);
}

TEST_F(SessionCacheTest, TheDeploymentFileReachesASessionAlreadyChecked) {
  const std::string token = first_login("rep.police");
  ASSERT_EQ(whoami("rep.police", token).whoami().display_name(), "Rep Police");

  // rep.police renamed, and a guest at t2 besides.
  std::string text = hubtable::testing::kTestTable;
  const std::size_t at = text.find("username = \"rep.police\"");
  const std::string name = "name = \"Rep Police\"";
  text.replace(text.find(name, at), name.size(), "name = \"Renamed Rep\"");
  const std::string roles = "roles = [{ table = \"t1\", role = \"REP\" }]";
  text.replace(
      text.find(roles, at), roles.size(),
      "roles = [{ table = \"t1\", role = \"REP\" }, { table = \"t2\", role = \"GUEST\" }]");
  dep_.apply_text(text);
  auto who = whoami("rep.police", token);
  ASSERT_EQ(who.status().code(), v1::OK);
  EXPECT_EQ(who.whoami().display_name(), "Renamed Rep");
  EXPECT_EQ(who.whoami().roles_size(), 2);

  dep_.apply_text(police_edited("disabled = true\n"));
  EXPECT_EQ(whoami("rep.police", token).status().code(), v1::UNAUTHENTICATED);
}

TEST_F(SessionCacheTest, ASessionRevokedElsewhereIsRefusedAtOnce) {
  const std::string token = first_login("rep.police");
  const std::string other = first_login("rep.mh");
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  ASSERT_EQ(whoami("rep.mh", other).status().code(), v1::OK);
  elsewhere([&](store::Connection& c) {
    const crypto::Digest hash = crypto::sha256(crypto::as_bytes(token));
    return store::revoke_session(c, hash, clock_.now_us(), "test");
  });
  EXPECT_EQ(whoami("rep.police", token).status().rule(), "session.revoked");
  EXPECT_EQ(whoami("rep.mh", other).status().code(), v1::OK);
}

TEST_F(SessionCacheTest, ACertificateRevokedElsewhereIsRefusedAtOnce) {
  const std::string token = first_login("rep.police");
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  const std::int64_t id = police_id();
  elsewhere([&](store::Connection& c) {
    return store::revoke_certificates(c, id, clock_.now_us()).status();
  });
  EXPECT_EQ(whoami("rep.police", token).status().rule(), "session.certificate_revoked");
}

TEST_F(SessionCacheTest, AKeptSessionPresentedWithAnotherCertificateIsRefused) {
  const std::string token = first_login("rep.police");
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  // rep.mh's device, rep.police's token.
  EXPECT_EQ(whoami("rep.mh", token).status().rule(), "session.certificate_mismatch");
  EXPECT_EQ(whoami("rep.police", token).status().code(), v1::OK);
}

TEST_F(SessionCacheTest, AKeptSessionIdlesFromItsLastRefresh) {
  const std::string token = first_login("rep.police");
  const std::int64_t idle_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                   deployment_.config.limits.session_idle_timeout)
                                   .count();
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  // Each request refreshes the last use (more than a quarter of the timeout
  // since the last refresh): a copy that kept the first time would expire.
  clock_.advance_us(idle_us * 6 / 10);
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  clock_.advance_us(idle_us * 6 / 10);
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  clock_.advance_us(idle_us + 1);
  EXPECT_EQ(whoami("rep.police", token).status().rule(), "session.expired");
}

// A kept session is checked in the request's own transaction, however the
// request runs: it takes no reader of its own. A change made elsewhere since
// the copy was kept is found there; the request is then checked afresh, on a
// reader, and answered and audited once, on what the fresh read says.
TEST_F(SessionCacheTest, AKeptSessionIsCheckedInTheRequestsOwnTransaction) {
  const std::string token = first_login("rep.police");
  v1::Request deid;  // a long read: on a reader, beside the writer
  deid.mutable_deid_check()->set_text("a quiet week");
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);  // read, and kept
  std::uint64_t reads = deployment_.db->reads();
  ASSERT_EQ(whoami("rep.police", token).status().code(), v1::OK);
  EXPECT_EQ(deployment_.db->reads(), reads) << "a short read's session check took a reader";
  reads = deployment_.db->reads();
  ASSERT_EQ(call("rep.police", token, deid).status().code(), v1::OK);
  EXPECT_EQ(deployment_.db->reads(), reads + 1) << "a long read took more than its own reader";

  const auto count = [&](const std::string& action) {
    const auto events = audit_events();
    return std::count_if(events.begin(), events.end(),
                         [&](const v1::AuditEvent& e) { return e.action() == action; });
  };
  const auto whoamis = count("session.whoami");
  elsewhere([](store::Connection& c) {
    return c.exec("UPDATE users SET display_name = 'Renamed Rep' WHERE username = 'rep.police';");
  });
  reads = deployment_.db->reads();
  auto who = whoami("rep.police", token);
  ASSERT_EQ(who.status().code(), v1::OK);
  EXPECT_EQ(who.whoami().display_name(), "Renamed Rep");
  EXPECT_EQ(deployment_.db->reads(), reads + 1) << "the changed session was not read again";
  EXPECT_EQ(count("session.whoami"), whoamis + 1);

  // Disabled elsewhere: a long read, then a write, refused, and neither done.
  dep_.apply_text(police_edited("disabled = true\n"));
  const auto deids = count("deid.check");
  const auto logouts = count("session.logout");
  ASSERT_GT(deids, 0);
  EXPECT_EQ(call("rep.police", token, deid).status().code(), v1::UNAUTHENTICATED);
  v1::Request logout;
  logout.mutable_logout();
  EXPECT_EQ(call("rep.police", token, logout).status().code(), v1::UNAUTHENTICATED);
  EXPECT_EQ(count("deid.check"), deids);
  EXPECT_EQ(count("session.logout"), logouts);
}

// Every change to what a session check reads moves the version, made by any
// connection (schema 0016's triggers); refreshing a session's last use does
// not.
TEST_F(SessionCacheTest, TheVersionMovesWithEveryChangeASessionCheckReads) {
  const std::string token = first_login("rep.police");
  const crypto::Digest hash = crypto::sha256(crypto::as_bytes(token));
  auto version = [&] {
    auto v = deployment_.db->read([](store::Connection& c) { return store::principal_version(c); });
    EXPECT_TRUE(v.ok()) << v.status();
    return v.value_or(0);
  };
  auto moves = [&](const std::string& sql) {
    const std::int64_t before = version();
    elsewhere([&](store::Connection& c) { return c.exec(sql); });
    EXPECT_NE(version(), before) << sql;
  };
  moves("UPDATE users SET display_name = 'X' WHERE username = 'rep.mh';");
  moves(
      "UPDATE sessions SET revoked_us = 1 WHERE user_id = "
      "(SELECT id FROM users WHERE username = 'rep.police');");
  moves(
      "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = 'rep.police');");
  moves(
      "INSERT INTO role_grants (user_id, role, table_id) SELECT id, 'GUEST', "
      "(SELECT id FROM situation_tables WHERE code = 't2') FROM users WHERE username = 'rep.mh';");
  moves("DELETE FROM role_grants WHERE role = 'GUEST';");
  moves(
      "UPDATE certificates SET revoked_us = 1 WHERE user_id = "
      "(SELECT id FROM users WHERE username = 'rep.mh');");
  moves("UPDATE agencies SET name = 'Renamed' WHERE code = 'housing';");
  moves("UPDATE situation_tables SET time_zone = 'UTC' WHERE code = 't2';");

  const std::int64_t before = version();
  ASSERT_TRUE(deployment_.db
                  ->write([&](store::Connection& c) {
                    return store::touch_session(c, hash, clock_.now_us());
                  })
                  .ok());
  EXPECT_EQ(version(), before);
}

TEST(SessionCache, KeepsOneVersionAndBoundsItsSize) {
  SessionCache cache;
  auto hash = [](std::uint32_t i) {
    crypto::Digest d{};
    std::copy_n(reinterpret_cast<const std::uint8_t*>(&i), sizeof i, d.begin());
    return d;
  };
  auto read = [](std::int64_t version, std::int64_t last_seen = 1) {
    SessionRead r;
    r.version = version;
    r.certificate = "cert";
    r.session.last_seen_us = last_seen;
    return r;
  };
  cache.keep(hash(1), read(7));
  EXPECT_TRUE(cache.find(hash(1), "cert", 7).has_value());
  EXPECT_FALSE(cache.find(hash(1), "cert", 8).has_value());
  EXPECT_FALSE(cache.find(hash(1), "other", 7).has_value());
  EXPECT_FALSE(cache.find(hash(2), "cert", 7).has_value());

  cache.seen(hash(1), 50);
  EXPECT_EQ(cache.find(hash(1), "cert", 7)->session.last_seen_us, 50);
  cache.seen(hash(1), 20);  // an older refresh finishing late
  EXPECT_EQ(cache.find(hash(1), "cert", 7)->session.last_seen_us, 50);

  cache.keep(hash(2), read(8));  // another version: the older copies go
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.find(hash(1), "cert", 7).has_value());

  for (std::uint32_t i = 0; i < SessionCache::kMaxSessions + 10; ++i) cache.keep(hash(i), read(8));
  EXPECT_LE(cache.size(), SessionCache::kMaxSessions);
  EXPECT_TRUE(cache.find(hash(SessionCache::kMaxSessions + 9), "cert", 8).has_value());
}

}  // namespace
}  // namespace hubtable::api
