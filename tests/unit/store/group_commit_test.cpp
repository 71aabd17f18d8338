// Group commit (Database::write_together): callers that arrive while a group
// commits are committed together, a caller that undoes its work undoes only
// its own (the group runs again without it), and a group that cannot commit
// stores nothing and tells every caller in it. And a group's leader waits,
// briefly, for the requests on their way to the writer and for as many
// callers as the last group held.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "store/directory.h"
#include "store/transaction.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_key.h"

namespace hubtable::store {
namespace {

using hubtable::testing::TempDir;

crypto::SecretBytes key() { return hubtable::testing::test_key(); }

class GroupCommit : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Database::open((dir_.path() / "t.db").string(), key(), 2, OpenMode::kCreate);
    ASSERT_TRUE(opened.ok()) << opened.status();
    db_ = std::move(*opened);
    ASSERT_TRUE(db_->write([](Connection& c) {
                     return c.exec(
                         "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE child (parent INTEGER REFERENCES parent(id) "
                         "DEFERRABLE INITIALLY DEFERRED);");
                   })
                    .ok());
  }

  /// One caller's work: its own transaction setting `name`.
  absl::Status set(const std::string& name, const std::string& value) {
    return db_->write_together([&](Connection& c) -> absl::Status {
      Transaction tx(c, Transaction::Kind::kWrite);
      if (!tx.status().ok()) return tx.status();
      if (auto s = set_meta(c, name, value); !s.ok()) return s;
      return tx.commit();
    });
  }

  std::optional<std::string> stored(const std::string& name) {
    auto v = db_->read([&](Connection& c) { return get_meta(c, name); });
    EXPECT_TRUE(v.ok()) << v.status();
    return v.ok() ? *v : std::nullopt;
  }

  /// Waits (on the database's own count, not the clock) until `n` callers
  /// wait for a group.
  void await_waiting(std::size_t n) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (db_->waiting_to_commit() < n) {
      ASSERT_LT(std::chrono::steady_clock::now(), give_up) << "callers never queued";
      std::this_thread::yield();
    }
  }

  /// Runs `first` as a group of its own, holding it open until every one of
  /// `rest` waits, in order; `rest` then commit as one group. Returns their
  /// results.
  std::vector<absl::Status> grouped(
      const std::function<absl::Status(Connection&)>& first,
      const std::vector<std::function<absl::Status(Connection&)>>& rest) {
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> leading;
    auto lead = std::async(std::launch::async, [&] {
      return db_->write_together([&](Connection& c) {
        leading.set_value();
        released.wait();
        return first(c);
      });
    });
    leading.get_future().wait();
    std::vector<std::future<absl::Status>> followers;
    for (const auto& f : rest) {  // queued one by one, so they run in this order
      followers.push_back(
          std::async(std::launch::async, [&, f] { return db_->write_together(f); }));
      await_waiting(followers.size());
    }
    release.set_value();
    std::vector<absl::Status> out{lead.get()};
    for (auto& f : followers) out.push_back(f.get());
    return out;
  }

  static std::function<absl::Status(Connection&)> setter(const std::string& name) {
    return [name](Connection& c) -> absl::Status {
      Transaction tx(c, Transaction::Kind::kWrite);
      if (!tx.status().ok()) return tx.status();
      if (auto s = set_meta(c, name, "v"); !s.ok()) return s;
      return tx.commit();
    };
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(GroupCommit, CallersArrivingDuringACommitAreCommittedTogether) {
  const Database::GroupCounts before = db_->group_counts();
  std::vector<std::function<absl::Status(Connection&)>> rest;
  rest.reserve(8);
  for (int i = 0; i < 8; ++i) rest.push_back(setter("follower" + std::to_string(i)));
  auto results = grouped(setter("leader"), rest);
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r;
  const Database::GroupCounts after = db_->group_counts();
  // The leader's group, then the eight that queued behind it in one.
  EXPECT_EQ(after.groups - before.groups, 2U);
  EXPECT_EQ(after.members - before.members, 9U);
  EXPECT_TRUE(stored("leader").has_value());
  for (int i = 0; i < 8; ++i) EXPECT_TRUE(stored("follower" + std::to_string(i)).has_value());
}

TEST_F(GroupCommit, MoreCallersThanAGroupHoldsAreCommittedInTurn) {
  // The leader's group holds Database::kMaxGroup callers; the first of those
  // left over leads the next, with the rest.
  const std::size_t followers = Database::kMaxGroup + 36;
  const Database::GroupCounts before = db_->group_counts();
  std::vector<std::function<absl::Status(Connection&)>> rest;
  rest.reserve(followers);
  for (std::size_t i = 0; i < followers; ++i) rest.push_back(setter("f" + std::to_string(i)));
  auto results = grouped(setter("leader"), rest);
  for (const auto& r : results) EXPECT_TRUE(r.ok()) << r;
  const Database::GroupCounts after = db_->group_counts();
  EXPECT_EQ(after.groups - before.groups, 3U);
  EXPECT_EQ(after.members - before.members, followers + 1);
  for (std::size_t i = 0; i < followers; ++i) {
    EXPECT_TRUE(stored("f" + std::to_string(i)).has_value()) << i;
  }
}

TEST_F(GroupCommit, OneCallersRollbackUndoesOnlyItsOwnWork) {
  const auto refuses = [](Connection& c) -> absl::Status {
    Transaction tx(c, Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto s = set_meta(c, "refused", "v"); !s.ok()) return s;
    return absl::InvalidArgumentError("refused after writing");  // tx rolls back
  };
  const auto fails_midway = [](Connection& c) -> absl::Status {
    Transaction tx(c, Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto s = set_meta(c, "half", "v"); !s.ok()) return s;
    return c.exec("INSERT INTO no_such_table VALUES (1)");
  };
  const std::uint64_t reruns = db_->group_counts().reruns;
  auto results =
      grouped(setter("first"), {setter("before"), refuses, fails_midway, setter("after")});
  // Each of the two that wrote before undoing made the group run again.
  EXPECT_EQ(db_->group_counts().reruns - reruns, 2U);
  ASSERT_EQ(results.size(), 5U);
  EXPECT_TRUE(results[0].ok());
  EXPECT_TRUE(results[1].ok());
  EXPECT_EQ(results[2].code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(results[3].ok());
  EXPECT_TRUE(results[4].ok());
  EXPECT_TRUE(stored("before").has_value());
  EXPECT_FALSE(stored("refused").has_value());
  EXPECT_FALSE(stored("half").has_value());
  EXPECT_TRUE(stored("after").has_value());
}

TEST_F(GroupCommit, ARefusalBeforeAnyWriteCostsTheGroupNothing) {
  const auto refuses_first = [](Connection& c) -> absl::Status {
    Transaction tx(c, Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    auto seen = get_meta(c, "before");  // reads, then refuses
    if (!seen.ok()) return seen.status();
    return absl::PermissionDeniedError("refused");
  };
  const std::uint64_t reruns = db_->group_counts().reruns;
  auto results = grouped(setter("first"), {setter("before"), refuses_first, setter("after")});
  ASSERT_EQ(results.size(), 4U);
  EXPECT_EQ(results[2].code(), absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(results[1].ok() && results[3].ok());
  EXPECT_EQ(db_->group_counts().reruns, reruns);
  EXPECT_TRUE(stored("before").has_value());
  EXPECT_TRUE(stored("after").has_value());
}

TEST_F(GroupCommit, ACallerRunAgainStartsAfreshAndOnlyItsLastRunCounts) {
  // The first follower runs, then the group is run again without the
  // second (which wrote, then failed): the first runs twice, and what it
  // returns and stores is its second run's.
  int runs = 0;
  std::string last_value;
  const auto counted = [&](Connection& c) -> absl::Status {
    ++runs;
    last_value = "run" + std::to_string(runs);
    Transaction tx(c, Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto s = set_meta(c, "counted", last_value); !s.ok()) return s;
    return tx.commit();
  };
  const auto undoes = [](Connection& c) -> absl::Status {
    if (auto s = set_meta(c, "undone", "v"); !s.ok()) return s;
    return absl::InternalError("failed after writing");
  };
  auto results = grouped(setter("first"), {counted, undoes});
  ASSERT_EQ(results.size(), 3U);
  EXPECT_TRUE(results[1].ok()) << results[1];
  EXPECT_EQ(results[2].code(), absl::StatusCode::kInternal);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(stored("counted"), std::optional<std::string>("run2"));
  EXPECT_FALSE(stored("undone").has_value());
}

TEST_F(GroupCommit, AGroupThatCannotCommitStoresNothingAndTellsEveryCaller) {
  // A deferred foreign key is checked at COMMIT: one member's orphan row
  // makes the group's COMMIT fail.
  const auto orphan = [](Connection& c) -> absl::Status {
    Transaction tx(c, Transaction::Kind::kWrite);
    if (!tx.status().ok()) return tx.status();
    if (auto s = c.exec("INSERT INTO child VALUES (42)"); !s.ok()) return s;
    return tx.commit();  // the check waits for the group's COMMIT
  };
  auto results = grouped(setter("alone"), {setter("a"), orphan, setter("b")});
  ASSERT_EQ(results.size(), 4U);
  EXPECT_TRUE(results[0].ok());
  for (std::size_t i = 1; i < results.size(); ++i) {
    EXPECT_FALSE(results[i].ok()) << "caller " << i << " was told its work was stored";
  }
  EXPECT_TRUE(stored("alone").has_value());
  EXPECT_FALSE(stored("a").has_value());
  EXPECT_FALSE(stored("b").has_value());
  // The writer recovered: the next group commits.
  EXPECT_TRUE(set("later", "v").ok());
  EXPECT_TRUE(stored("later").has_value());
}

TEST_F(GroupCommit, AResultIsReturnedWithItsValue) {
  auto n = db_->write_together([](Connection& c) -> absl::StatusOr<int> {
    if (auto s = set_meta(c, "valued", "v"); !s.ok()) return s;
    return 42;
  });
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(*n, 42);
  EXPECT_TRUE(stored("valued").has_value());
}

TEST_F(GroupCommit, ManyCallersAtOnceLoseNothing) {
  constexpr int kThreads = 8;
  constexpr int kEach = 50;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        // Appended, not "k" + ...: GCC 12 at -O3 warns falsely (-Wrestrict) on that.
        std::string key = "k";
        key.append(std::to_string(t)).append(".").append(std::to_string(i));
        // Each caller gets its own function's result, whoever led its group.
        auto got = db_->write_together([&](Connection& c) -> absl::StatusOr<std::string> {
          Transaction tx(c, Transaction::Kind::kWrite);
          if (!tx.status().ok()) return tx.status();
          if (auto st = set_meta(c, key, "v"); !st.ok()) return st;
          if (auto st = tx.commit(); !st.ok()) return st;
          return key;
        });
        if (!got.ok() || *got != key) ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  auto n = db_->read([](Connection& c) {
    auto q = c.prepare("SELECT count(*) FROM meta WHERE key LIKE 'k%'");
    EXPECT_TRUE(q.ok() && *q->step());
    return q->integer(0);
  });
  EXPECT_EQ(n, kThreads * kEach);
  EXPECT_EQ(db_->group_counts().members, static_cast<std::uint64_t>(kThreads * kEach));
  EXPECT_EQ(db_->waiting_to_commit(), 0U);
}

// ---- The gather window -------------------------------------------------

// A window no test waits out: only arrivals end a leader's wait.
constexpr auto kForever = std::chrono::seconds(600);

TEST_F(GroupCommit, ALeaderWaitsForARequestOnItsWay) {
  db_->set_gather_window(kForever);
  const Database::GroupCounts before = db_->group_counts();
  std::promise<void> on_its_way;
  std::promise<void> go;
  std::shared_future<void> going = go.get_future().share();
  auto other = std::async(std::launch::async, [&] {
    const Database::Arriving arriving(*db_);
    on_its_way.set_value();
    going.wait();  // still working: it has not asked for the writer yet
    return set("other", "v");
  });
  on_its_way.get_future().wait();
  EXPECT_EQ(db_->on_their_way(), 1U);
  auto lead = std::async(std::launch::async, [&] { return set("leader", "v"); });
  await_waiting(1);  // the leader is queued, and waits for the other
  go.set_value();
  EXPECT_TRUE(lead.get().ok());
  EXPECT_TRUE(other.get().ok());
  const Database::GroupCounts after = db_->group_counts();
  // Had the leader not waited, it would have committed alone first.
  EXPECT_EQ(after.groups - before.groups, 1U);
  EXPECT_EQ(after.members - before.members, 2U);
  EXPECT_EQ(after.gathered - before.gathered, 1U);
  EXPECT_EQ(after.window_ended, before.window_ended);
  EXPECT_EQ(db_->on_their_way(), 0U);
  EXPECT_TRUE(stored("leader").has_value());
  EXPECT_TRUE(stored("other").has_value());
}

TEST_F(GroupCommit, ARequestThatEndsWithoutWritingEndsTheWait) {
  db_->set_gather_window(kForever);
  const Database::GroupCounts before = db_->group_counts();
  std::optional<Database::Arriving> arriving;
  arriving.emplace(*db_);
  auto lead = std::async(std::launch::async, [&] { return set("leader", "v"); });
  await_waiting(1);
  arriving.reset();  // answered without a write (a refusal read from memory, say)
  EXPECT_TRUE(lead.get().ok());
  const Database::GroupCounts after = db_->group_counts();
  EXPECT_EQ(after.groups - before.groups, 1U);
  EXPECT_EQ(after.members - before.members, 1U);
  EXPECT_EQ(after.gathered - before.gathered, 1U);
  EXPECT_EQ(after.window_ended, before.window_ended);
}

TEST_F(GroupCommit, AWindowEndsTheWaitAndNoLaterLeaderWaitsForTheSameRequest) {
  db_->set_gather_window(std::chrono::milliseconds(2));
  const Database::GroupCounts before = db_->group_counts();
  std::optional<Database::Arriving> slow;  // a password being hashed, say
  slow.emplace(*db_);
  EXPECT_TRUE(std::async(std::launch::async, [&] { return set("first", "v"); }).get().ok());
  const Database::GroupCounts first = db_->group_counts();
  EXPECT_EQ(first.groups - before.groups, 1U);
  EXPECT_EQ(first.window_ended - before.window_ended, 1U);
  EXPECT_EQ(first.gathered, before.gathered);
  EXPECT_EQ(db_->on_their_way(), 0U);  // the slow one is counted no more

  db_->set_gather_window(kForever);  // a wait now would never end
  EXPECT_TRUE(std::async(std::launch::async, [&] { return set("second", "v"); }).get().ok());
  slow.reset();  // its end takes nothing off the count
  EXPECT_EQ(db_->on_their_way(), 0U);
  EXPECT_TRUE(std::async(std::launch::async, [&] { return set("third", "v"); }).get().ok());
  const Database::GroupCounts after = db_->group_counts();
  EXPECT_EQ(after.groups - first.groups, 2U);
  EXPECT_EQ(after.window_ended, first.window_ended);
  EXPECT_EQ(after.gathered, first.gathered);
}

TEST_F(GroupCommit, ARequestsOwnWriteIsItsArrival) {
  db_->set_gather_window(kForever);
  const Database::GroupCounts before = db_->group_counts();
  {
    // The thread that holds it writes: it leads, and waits for no one.
    const Database::Arriving arriving(*db_);
    EXPECT_TRUE(set("mine", "v").ok());
    EXPECT_EQ(db_->on_their_way(), 0U);
    EXPECT_TRUE(set("again", "v").ok());  // a second write of the same request
  }
  EXPECT_EQ(db_->on_their_way(), 0U);
  const Database::GroupCounts after = db_->group_counts();
  EXPECT_EQ(after.groups - before.groups, 2U);
  EXPECT_EQ(after.gathered, before.gathered);
  EXPECT_EQ(after.window_ended, before.window_ended);
}

TEST_F(GroupCommit, ALeaderWaitsForAsManyCallersAsTheLastGroupHeld) {
  // The leader's group of one, then a group of three.
  auto results = grouped(setter("a"), {setter("b"), setter("c"), setter("d")});
  for (const auto& r : results) ASSERT_TRUE(r.ok()) << r;
  db_->set_gather_window(kForever);
  const Database::GroupCounts before = db_->group_counts();
  std::vector<std::future<absl::Status>> callers;
  for (const char* name : {"e", "f", "g"}) {
    callers.push_back(std::async(std::launch::async, [this, name] { return set(name, "v"); }));
    // Each stays queued: the first leads, and waits for the other two.
    if (callers.size() < 3) await_waiting(callers.size());
  }
  for (auto& c : callers) EXPECT_TRUE(c.get().ok());
  const Database::GroupCounts after = db_->group_counts();
  // One at a time, each would have committed alone.
  EXPECT_EQ(after.groups - before.groups, 1U);
  EXPECT_EQ(after.members - before.members, 3U);
  EXPECT_EQ(after.gathered - before.gathered, 1U);
}

TEST_F(GroupCommit, ALoneCallerNeverWaits) {
  db_->set_gather_window(kForever);
  const Database::GroupCounts before = db_->group_counts();
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(set("alone" + std::to_string(i), "v").ok());
  const Database::GroupCounts after = db_->group_counts();
  EXPECT_EQ(after.groups - before.groups, 5U);
  EXPECT_EQ(after.gathered, before.gathered);
  EXPECT_EQ(after.window_ended, before.window_ended);
}

}  // namespace
}  // namespace hubtable::store
