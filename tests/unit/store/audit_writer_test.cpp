#include "audit/audit_writer.h"

#include <gtest/gtest.h>

#include "store/database.h"
#include "store/transaction.h"
#include "tests/support/temp_dir.h"

namespace hubtable::audit {
namespace {

using hubtable::testing::TempDir;

class AuditWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::SecretBytes k(32);
    auto db =
        store::Database::open((dir_.path() / "a.db").string(), k, 1, store::OpenMode::kCreate);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
  }

  absl::StatusOr<std::uint64_t> append_one(const std::string& action, bool commit) {
    return db_->write([&](store::Connection& c) -> absl::StatusOr<std::uint64_t> {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      hubtable::v1::AuditEvent e;
      e.set_time_us(1'700'000'000'000'000);
      e.set_action(action);
      e.set_outcome(hubtable::v1::AUDIT_OK);
      e.mutable_actor()->set_username("rep.one");
      auto seq = append(c, e);
      if (seq.ok() && commit) {
        if (auto s = tx.commit(); !s.ok()) return s;
      }
      return seq;
    });
  }

  int count() {
    return db_->read([](store::Connection& c) {
      auto s = c.prepare("SELECT count(*) FROM audit_events");
      (void)s->step();
      return static_cast<int>(s->integer(0));
    });
  }

  TempDir dir_;
  std::unique_ptr<store::Database> db_;
};

TEST_F(AuditWriterTest, SequenceIsGaplessAndRolledBackWithTheTransaction) {
  EXPECT_EQ(*append_one("auth.login", true), 1u);
  EXPECT_EQ(*append_one("auth.login", false), 2u);  // rolled back
  EXPECT_EQ(*append_one("session.logout", true), 2u);
  EXPECT_EQ(count(), 2);
}

TEST_F(AuditWriterTest, StoredBytesAreTheDeterministicEvent) {
  ASSERT_TRUE(append_one("auth.login", true).ok());
  auto bytes = db_->read([](store::Connection& c) {
    auto s = c.prepare("SELECT event FROM audit_events WHERE seq = 1");
    (void)s->step();
    return s->blob(0);
  });
  hubtable::v1::AuditEvent e;
  ASSERT_TRUE(e.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())));
  EXPECT_EQ(e.sequence(), 1u);
  EXPECT_EQ(e.action(), "auth.login");
  EXPECT_EQ(serialize_event(e), std::string(bytes.begin(), bytes.end()));
}

TEST_F(AuditWriterTest, TriggersRefuseUpdateAndDelete) {
  ASSERT_TRUE(append_one("auth.login", true).ok());
  auto update = db_->write(
      [](store::Connection& c) { return c.exec("UPDATE audit_events SET action = 'x'"); });
  EXPECT_FALSE(update.ok());
  EXPECT_NE(std::string(update.message()).find("append-only"), std::string::npos);
  auto del = db_->write([](store::Connection& c) { return c.exec("DELETE FROM audit_events"); });
  EXPECT_FALSE(del.ok());
  EXPECT_EQ(count(), 1);
}

TEST_F(AuditWriterTest, EventsNeedAnActionAndATime) {
  auto s = db_->write([](store::Connection& c) {
    hubtable::v1::AuditEvent e;
    e.set_time_us(1);
    return append(c, e).status();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace hubtable::audit
