// The audit log against an insider who holds the master key: they can open
// the database, drop the append-only triggers and rewrite anything. They do
// not hold the audit signing key, and the privacy officer kept a checkpoint.
// Every kind of tampering must be caught, naming the first bad position.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "audit/audit_writer.h"
#include "audit/checkpointer.h"
#include "audit/log_store.h"
#include "audit/verify.h"
#include "crypto/pki.h"
#include "store/database.h"
#include "store/migrate.h"
#include "store/transaction.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_key.h"

namespace hubtable::audit {

// How gtest names a walk (found by argument-dependent lookup, so outside the
// anonymous namespace).
void PrintTo(const WalkOptions& w, std::ostream* os) {
  *os << (w.read_ahead ? "reading ahead, " : "on one thread, ") << w.batch_events
      << " events a batch";
}

namespace {

namespace fs = std::filesystem;
using hubtable::testing::TempDir;

constexpr std::int64_t kT0 = 1'790'000'000'000'000;

// Every test walks the log each way verify_stored_log reads it: on one
// thread; reading ahead in batches of 7 events, so that the walk hands over
// dozens of batches and a problem falls in a late one; and as
// `hubtabled verify-audit` reads it.
class AuditLogTest : public ::testing::TestWithParam<WalkOptions> {
 protected:
  AuditLogTest() : key_(32) {
    key_.data()[0] = 7;
    auto pem = crypto::generate_ed25519_key_pem();
    signer_ = *crypto::CheckpointSigner::from_private_pem(*pem);
    checkpointer_ = Checkpointer(*signer_, "hubtable/test");
  }

  void SetUp() override {
    open(store::OpenMode::kCreate);
    // 600 events with checkpoints as the server takes them: every 256.
    append_events(600);
  }

  void open(store::OpenMode mode = store::OpenMode::kExisting) {
    auto db = store::Database::open(path().string(), key_, 1, mode);
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
  }
  void close() { db_.reset(); }
  fs::path path() const { return dir_.path() / "hubtable.db"; }

  void append_events(int n) {
    for (int i = 0; i < n; ++i) {
      const auto s = db_->write([&](store::Connection& c) -> absl::Status {
        store::Transaction tx(c, store::Transaction::Kind::kWrite);
        auto seq = append(c, event("situation.read", ++now_));
        if (!seq.ok()) return seq.status();
        return tx.commit();
      });
      ASSERT_TRUE(s.ok()) << s;
      auto cp = checkpointer_.checkpoint(*db_, ++now_, Checkpointer::kEveryEvents - 1);
      ASSERT_TRUE(cp.ok()) << cp.status();
    }
  }

  hubtable::v1::AuditEvent event(const std::string& action, std::int64_t t) {
    hubtable::v1::AuditEvent e;
    e.set_time_us(kT0 + t);
    e.set_action(action);
    e.set_outcome(hubtable::v1::AUDIT_OK);
    e.set_table("t1");
    e.set_situation("S-2026-000042");
    e.mutable_actor()->set_username("rep.one");
    return e;
  }

  crypto::SignedCheckpoint checkpoint_now() {
    auto cp = checkpointer_.checkpoint(*db_, ++now_);
    EXPECT_TRUE(cp.ok() && cp->has_value());
    return **cp;
  }

  crypto::LogVerifier verify(std::optional<crypto::SignedCheckpoint> saved = std::nullopt) {
    auto v = db_->read([&](store::Connection& c) {
      return verify_stored_log(c, signer_->verifier(), saved, GetParam());
    });
    EXPECT_TRUE(v.ok()) << v.status();
    return std::move(*v);
  }

  // As the insider: statements on the writer with the triggers gone.
  void tamper(const std::string& sql,
              const std::vector<std::pair<int, crypto::Bytes>>& blobs = {}) {
    const auto s = db_->write([&](store::Connection& c) -> absl::Status {
      for (const char* t : {"audit_events_no_update", "audit_events_no_delete",
                            "audit_nodes_no_update", "audit_nodes_no_delete",
                            "audit_checkpoints_no_update", "audit_checkpoints_no_delete"}) {
        if (auto st = c.exec(std::string("DROP TRIGGER IF EXISTS ") + t); !st.ok()) return st;
      }
      auto stmt = c.prepare(sql);
      if (!stmt.ok()) return stmt.status();
      for (const auto& [i, b] : blobs) stmt->bind(i, crypto::ByteView(b));
      return stmt->run();
    });
    ASSERT_TRUE(s.ok()) << s;
  }

  // As the insider: the stored tree's leaf at `index` replaced.
  void set_stored_leaf(std::uint64_t index, const crypto::Digest& leaf) {
    tamper("UPDATE audit_nodes SET hash = ?1 WHERE level = 0 AND idx = " + std::to_string(index),
           {{1, crypto::Bytes(leaf.begin(), leaf.end())}});
  }

  // As the insider: the stored node over the leaves [index << level,
  // (index + 1) << level) given another hash.
  void set_stored_node(int level, std::uint64_t index) {
    const crypto::Digest other = crypto::sha256(crypto::as_bytes(std::string("forged node")));
    tamper("UPDATE audit_nodes SET hash = ?1 WHERE level = " + std::to_string(level) +
               " AND idx = " + std::to_string(index),
           {{1, crypto::Bytes(other.begin(), other.end())}});
  }

  // A well-formed event claiming position `seq`, as a forger would write it.
  crypto::Bytes forged(std::uint64_t seq, const std::string& action) {
    auto e = event(action, 5);
    e.set_sequence(seq);
    const std::string bytes = serialize_event(e);
    return {bytes.begin(), bytes.end()};
  }

  std::vector<std::uint64_t> checkpoint_sizes() {
    return db_->read([](store::Connection& c) {
      std::vector<std::uint64_t> out;
      const auto all = all_checkpoints(c);
      for (const auto& cp : *all) out.push_back(cp.checkpoint.tree_size);
      return out;
    });
  }

  static void expect_problem(const crypto::LogVerifier& v, std::uint64_t first, std::uint64_t last,
                             const std::string& word) {
    ASSERT_FALSE(v.ok()) << "tampering went unnoticed";
    EXPECT_EQ(v.problem()->first, first) << v.problem()->what;
    EXPECT_EQ(v.problem()->last, last) << v.problem()->what;
    EXPECT_NE(v.problem()->what.find(word), std::string::npos) << v.problem()->what;
    // What a client reports to the server is only the problem's class.
    static const std::map<std::string, std::string> kClass = {
        {"changed", "changed"},     {"missing", "missing"},     {"moved", "moved"},
        {"not signed", "unsigned"}, {"rewritten", "rewritten"}, {"no leaf", "changed"}};
    if (auto it = kClass.find(word); it != kClass.end()) {
      EXPECT_EQ(crypto::problem_class(v.problem()->what), it->second) << v.problem()->what;
    }
    EXPECT_TRUE(crypto::is_problem_class(crypto::problem_class(v.problem()->what)));
  }

  TempDir dir_;
  crypto::SecretBytes key_;
  std::optional<crypto::CheckpointSigner> signer_;
  Checkpointer checkpointer_;
  std::unique_ptr<store::Database> db_;
  std::int64_t now_ = 0;
};

TEST_P(AuditLogTest, AnUntouchedLogVerifiesWithCheckpointsEvery256Events) {
  // Each checkpoint's own event is the 256th since the one before.
  EXPECT_EQ(checkpoint_sizes(), (std::vector<std::uint64_t>{256, 512}));
  const auto v = verify();
  ASSERT_TRUE(v.ok()) << v.problem()->what;
  EXPECT_EQ(v.size(), 602U);  // 600 events and 2 checkpoint events
  EXPECT_EQ(v.checkpoints_verified(), 2U);
  EXPECT_EQ(v.signed_size(), 512U);
  const auto stored = db_->read([](store::Connection& c) { return *stored_root(c, 602); });
  EXPECT_EQ(v.root(), stored);
}

TEST_P(AuditLogTest, EditedEventIsNamed) {
  tamper("UPDATE audit_events SET event = ?1 WHERE seq = 300", {{1, forged(300, "x.edited")}});
  expect_problem(verify(), 300, 300, "changed");
}

TEST_P(AuditLogTest, EditedEventWithItsLeafRecomputedFailsTheSignedRoot) {
  const crypto::Bytes bytes = forged(300, "x.edited");
  const crypto::Digest leaf = crypto::merkle::leaf_hash(bytes);
  tamper("UPDATE audit_events SET event = ?1 WHERE seq = 300", {{1, bytes}});
  set_stored_leaf(299, leaf);
  // Between the last good checkpoint (256) and the first bad one (512).
  expect_problem(verify(), 257, 512, "changed");
}

TEST_P(AuditLogTest, DeletedEventIsNamed) {
  tamper("DELETE FROM audit_events WHERE seq = 123");
  expect_problem(verify(), 123, 123, "missing");
}

TEST_P(AuditLogTest, ReorderedEventsAreNamed) {
  const auto bytes = db_->read([](store::Connection& c) {
    auto s = c.prepare("SELECT event FROM audit_events WHERE seq IN (40, 41) ORDER BY seq");
    std::vector<crypto::Bytes> out;
    (void)s->for_each_row([&](const store::Statement& r) { out.push_back(r.blob(0)); });
    return out;
  });
  ASSERT_EQ(bytes.size(), 2U);
  tamper("UPDATE audit_events SET event = ?1 WHERE seq = 40", {{1, bytes[1]}});
  tamper("UPDATE audit_events SET event = ?1 WHERE seq = 41", {{1, bytes[0]}});
  expect_problem(verify(), 40, 40, "moved");
}

TEST_P(AuditLogTest, InsertedEventIsNamed) {
  // Make room at 77 by renumbering everything after it, then slip one in.
  tamper("UPDATE audit_events SET seq = -(seq + 1) WHERE seq >= 77");
  tamper("UPDATE audit_events SET seq = -seq WHERE seq < 0");
  tamper(
      "INSERT INTO audit_events (seq, time_us, action, outcome, event) "
      "VALUES (77, 1, 'x.inserted', 1, ?1)",
      {{1, forged(77, "x.inserted")}});
  expect_problem(verify(), 77, 77, "changed");
}

TEST_P(AuditLogTest, TruncatedLogIsNamed) {
  tamper("DELETE FROM audit_events WHERE seq > 500");
  expect_problem(verify(), 501, 512, "missing");
}

TEST_P(AuditLogTest, TruncatedLogWithItsCheckpointsIsCaughtByTheSavedCheckpoint) {
  const crypto::SignedCheckpoint saved = checkpoint_now();  // the privacy officer's copy
  EXPECT_TRUE(verify(saved).ok());
  tamper("DELETE FROM audit_events WHERE seq > 400");
  tamper("DELETE FROM audit_nodes WHERE (idx + 1) * (1 << level) > 400");
  tamper("DELETE FROM audit_checkpoints WHERE tree_size > 400");
  // Nothing left in the file disagrees with itself; the saved checkpoint does.
  EXPECT_TRUE(verify().ok());
  expect_problem(verify(saved), 401, saved.checkpoint.tree_size, "missing");
}

TEST_P(AuditLogTest, ForgedCheckpointIsRefused) {
  tamper("UPDATE audit_checkpoints SET tree_size = 300 WHERE tree_size = 256");
  expect_problem(verify(), 300, 300, "not signed");
}

TEST_P(AuditLogTest, RestoredOlderCopyIsCaughtByTheSavedCheckpoint) {
  close();
  fs::copy_file(path(), dir_.path() / "older.db");
  open();
  append_events(100);
  const crypto::SignedCheckpoint saved = checkpoint_now();
  ASSERT_TRUE(verify(saved).ok());
  close();
  fs::copy_file(dir_.path() / "older.db", path(), fs::copy_options::overwrite_existing);
  open();
  // The older copy is internally consistent: only the saved checkpoint knows.
  EXPECT_TRUE(verify().ok());
  expect_problem(verify(saved), 603, saved.checkpoint.tree_size, "missing");

  // Rolled back and then carried on past the saved size: rewritten.
  append_events(200);
  EXPECT_TRUE(verify().ok());
  expect_problem(verify(saved), 1, saved.checkpoint.tree_size, "rewritten");
}

TEST_P(AuditLogTest, SavedCheckpointFromAnotherKeyIsRefused) {
  const auto other =
      *crypto::CheckpointSigner::from_private_pem(*crypto::generate_ed25519_key_pem());
  auto saved = other.sign({"hubtable/test", 602, crypto::Digest{}, kT0, {}});
  ASSERT_TRUE(saved.ok());
  expect_problem(verify(*saved), 0, 0, "saved checkpoint");
}

TEST_P(AuditLogTest, TreeCatchesUpWithEventsWrittenBeforeIt) {
  tamper("DELETE FROM audit_nodes WHERE (idx + 1) * (1 << level) > 100");
  expect_problem(verify(), 101, 101, "no leaf");
  const auto added = db_->write([](store::Connection& c) {
    store::Transaction tx(c, store::Transaction::Kind::kWrite);
    auto n = catch_up_tree(c);
    EXPECT_TRUE(tx.commit().ok());
    return n;
  });
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(*added, 502U);
  EXPECT_TRUE(verify().ok());
}

TEST_P(AuditLogTest, ProofsFromTheStoredTreeVerifyAgainstSignedRoots) {
  const crypto::SignedCheckpoint latest = checkpoint_now();
  const std::uint64_t n = latest.checkpoint.tree_size;
  db_->read([&](store::Connection& c) {
    StoredNodes nodes(c);
    for (std::uint64_t seq : std::vector<std::uint64_t>{1, 255, 256, 300, n}) {
      auto proof = crypto::merkle::inclusion_proof(seq - 1, n, nodes.lookup());
      ASSERT_TRUE(proof.ok()) << proof.status();
      auto leaf = nodes.get({0, seq - 1});
      ASSERT_TRUE(leaf.has_value());
      EXPECT_TRUE(
          crypto::merkle::verify_inclusion(seq - 1, n, *leaf, *proof, latest.checkpoint.root));
    }
    auto first = checkpoint_at(c, 256);
    ASSERT_TRUE(first.ok() && first->has_value());
    auto proof = crypto::merkle::consistency_proof(256, n, nodes.lookup());
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(crypto::merkle::verify_consistency(256, n, (*first)->checkpoint.root,
                                                   latest.checkpoint.root, *proof));
  });
}

TEST_P(AuditLogTest, AStoredLeafThatDoesNotMatchItsEventIsNamed) {
  // The event is untouched; the stored tree, which proofs are served from,
  // is not.
  set_stored_leaf(149, crypto::merkle::leaf_hash(forged(150, "x.other")));
  expect_problem(verify(), 150, 150, "does not match its leaf");
}

TEST_P(AuditLogTest, AStoredLeafOfAnotherSizeIsNamed) {
  tamper("UPDATE audit_nodes SET hash = x'0102' WHERE level = 0 AND idx = 449");
  expect_problem(verify(), 450, 450, "does not match its leaf");
}

// Proofs and pages of the log are served from the stored tree's nodes, not
// only its leaves: every node must be the one the events make.
TEST_P(AuditLogTest, AStoredParentThatDoesNotMatchItsEventsIsNamed) {
  // The node over events 81..88, on the path of every proof for one of them.
  set_stored_node(3, 10);
  expect_problem(verify(), 81, 88, "does not match them");
}

TEST_P(AuditLogTest, TheStoredTreesLargestNodeIsCheckedToo) {
  // Events 1..512: the first subtree of the tree's frontier.
  set_stored_node(9, 0);
  expect_problem(verify(), 1, 512, "does not match them");
}

TEST_P(AuditLogTest, AStoredNodeAfterTheLastCheckpointIsNamedAtTheEnd) {
  // Events 593..600, which no checkpoint signs yet.
  set_stored_node(3, 74);
  expect_problem(verify(), 593, 600, "does not match them");
}

TEST_P(AuditLogTest, AMissingStoredParentIsNamed) {
  tamper("DELETE FROM audit_nodes WHERE level = 5 AND idx = 2");
  expect_problem(verify(), 65, 96, "lacks its node");
}

TEST_P(AuditLogTest, AStoredNodeNoEventCompletesIsNamed) {
  // Event 3 completes a leaf alone; a level-1 node keyed by it can only be
  // stored by setting the table's own check aside.
  tamper("PRAGMA ignore_check_constraints = ON");
  tamper("INSERT INTO audit_nodes (last_seq, level, idx, hash) VALUES (3, 1, 1, zeroblob(32))");
  expect_problem(verify(), 3, 3, "does not complete");
}

TEST_P(AuditLogTest, AStoredNodePastTheLastEventIsNamed) {
  // The next event's own leaf would collide with it: the log could grow no
  // more.
  tamper("INSERT INTO audit_nodes (last_seq, level, idx, hash) VALUES (603, 0, 602, zeroblob(32))");
  expect_problem(verify(), 603, 603, "past the log's last event 602");
}

TEST_P(AuditLogTest, ALogThatCannotBeReadEndsTheWalkWithAnError) {
  // The file's last pages, the log's latest events and nodes among them,
  // overwritten: SQLCipher refuses them, and the walk says it could not be
  // done (rather than naming a problem, or hanging with a reader waiting).
  close();
  {
    const auto size = fs::file_size(path());
    constexpr std::uintmax_t kTail = std::uintmax_t{8} * 4096;
    ASSERT_GT(size, 4 * kTail);
    std::fstream f(path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size - kTail));
    const std::string junk(kTail, '\x5a');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    ASSERT_TRUE(f.good());
  }
  open();
  auto v = db_->read([&](store::Connection& c) {
    return verify_stored_log(c, signer_->verifier(), std::nullopt, GetParam());
  });
  ASSERT_FALSE(v.ok()) << "a walk over unreadable pages found " << v->size() << " events";
}

INSTANTIATE_TEST_SUITE_P(Walks, AuditLogTest,
                         ::testing::Values(WalkOptions{},
                                           WalkOptions{.read_ahead = true, .batch_events = 7},
                                           kReadAhead),
                         [](const ::testing::TestParamInfo<WalkOptions>& walk) {
                           if (!walk.param.read_ahead) return std::string("OnOneThread");
                           return "ReadingAhead" + std::to_string(walk.param.batch_events) +
                                  "AtATime";
                         });

// Schema 0017 keys the nodes by the event that completes them: a tree stored
// before it reads the same after it, and stays append-only.
TEST(AuditTreeMigration, NodesStoredBeforeTheNewKeyReadTheSameAfterIt) {
  TempDir dir;
  auto c = store::open_connection((dir.path() / "m.db").string(), hubtable::testing::test_key(),
                                  store::ConnectionRole::kWriter, store::OpenMode::kCreate);
  ASSERT_TRUE(c.ok()) << c.status();
  store::Connection& conn = **c;
  ASSERT_TRUE(store::migrate(conn, 16).ok());
  // Five events' tree: five leaves, and the parents they complete.
  const std::vector<crypto::merkle::NodeId> ids = {{0, 0}, {0, 1}, {0, 2}, {0, 3},
                                                   {0, 4}, {1, 0}, {1, 1}, {2, 0}};
  std::map<std::pair<int, std::uint64_t>, crypto::Digest> stored;
  for (const auto& id : ids) {
    const std::string name = std::to_string(id.level) + "/" + std::to_string(id.index);
    const crypto::Digest h = crypto::sha256(crypto::as_bytes(name));
    auto ins = conn.prepare("INSERT INTO audit_nodes (level, idx, hash) VALUES (?1, ?2, ?3)");
    ASSERT_TRUE(ins.ok()) << ins.status();
    ins->bind(1, std::int64_t{id.level})
        .bind(2, static_cast<std::int64_t>(id.index))
        .bind(3, crypto::ByteView(h));
    ASSERT_TRUE(ins->run().ok());
    stored[{id.level, id.index}] = h;
  }
  ASSERT_TRUE(store::migrate(conn).ok());
  StoredNodes nodes(conn);
  for (const auto& id : ids) {
    auto h = nodes.get(id);
    ASSERT_TRUE(h.has_value()) << id.level << "/" << id.index;
    EXPECT_EQ(*h, (stored[{id.level, id.index}])) << id.level << "/" << id.index;
  }
  EXPECT_FALSE(nodes.get({0, 5}).has_value());
  EXPECT_FALSE(nodes.get({2, 1}).has_value());
  auto size = tree_size(conn);
  ASSERT_TRUE(size.ok()) << size.status();
  EXPECT_EQ(*size, 5U);
  EXPECT_FALSE(conn.exec("DELETE FROM audit_nodes WHERE level = 2;").ok());
  EXPECT_FALSE(conn.exec("UPDATE audit_nodes SET hash = x'00' WHERE level = 0;").ok());
}

// Schema 0018 indexes the checkpoints that rotated the audit key, which
// every page of the log names: found through the index, the same ones as
// before it, in order, whatever number of checkpoints surround them.
TEST(AuditTreeMigration, KeyRotationsAreFoundThroughTheirIndexTheSameAsBefore) {
  TempDir dir;
  auto c = store::open_connection((dir.path() / "m.db").string(), hubtable::testing::test_key(),
                                  store::ConnectionRole::kWriter, store::OpenMode::kCreate);
  ASSERT_TRUE(c.ok()) << c.status();
  store::Connection& conn = **c;
  ASSERT_TRUE(store::migrate(conn, 17).ok());
  constexpr std::int64_t kEvery = 256;  // a checkpoint every 256 events
  const std::set<std::int64_t> rotated = {kEvery * 7, kEvery * 300, kEvery * 1000};
  for (std::int64_t size = kEvery; size <= kEvery * 1200; size += kEvery) {
    auto ins = conn.prepare(
        "INSERT INTO audit_checkpoints (tree_size, time_us, origin, root_hash, key_id, "
        "signature, previous_key, next_key, next_signature) VALUES (?1, ?1, 'hubtable/test', "
        "zeroblob(32), zeroblob(4), zeroblob(64), ?2, ?2, ?3)");
    ASSERT_TRUE(ins.ok()) << ins.status();
    ins->bind(1, size);
    if (rotated.count(size) > 0) {
      ins->bind(2, crypto::ByteView(crypto::sha256(crypto::as_bytes(std::to_string(size)))));
      ins->bind(3, crypto::ByteView(crypto::Bytes(68, 1)));
    } else {
      ins->bind(2, std::nullopt).bind(3, std::nullopt);
    }
    ASSERT_TRUE(ins->run().ok());
  }
  auto sizes = [&] {
    std::vector<std::int64_t> out;
    auto list = key_rotations(conn);
    EXPECT_TRUE(list.ok()) << list.status();
    if (list.ok()) {
      for (const auto& cp : *list)
        out.push_back(static_cast<std::int64_t>(cp.checkpoint.tree_size));
    }
    return out;
  };
  const std::vector<std::int64_t> expected(rotated.begin(), rotated.end());
  EXPECT_EQ(sizes(), expected);
  ASSERT_TRUE(store::migrate(conn).ok());
  EXPECT_EQ(sizes(), expected);
  auto last = last_key_rotation(conn);
  ASSERT_TRUE(last.ok() && last->has_value()) << last.status();
  EXPECT_EQ((*last)->checkpoint.tree_size, static_cast<std::uint64_t>(kEvery * 1000));
  // SQLite reads the index, not the table, for the rotations' condition.
  auto plan = conn.prepare(
      "EXPLAIN QUERY PLAN SELECT tree_size FROM audit_checkpoints WHERE next_key IS NOT NULL "
      "ORDER BY tree_size");
  ASSERT_TRUE(plan.ok()) << plan.status();
  std::string detail;
  while (*plan->step()) detail += plan->text(3) + "\n";
  EXPECT_NE(detail.find("audit_checkpoints_rotations"), std::string::npos) << detail;
}
}  // namespace
}  // namespace hubtable::audit
