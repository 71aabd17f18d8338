// `hubtable audit verify` over a log of many pages: pages asked for ahead,
// cut short by the server to fit its frames, refused for the connection's
// request rate, and still handed back in order, every event once and every
// checkpoint in the page that reaches it.

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>

#include "audit/checkpointer.h"
#include "audit/log_store.h"
#include "lib/log_pages.h"
#include "provision/provisioner.h"
#include "tests/integration/harness.h"
#include "tests/support/audit_events.h"
#include "tests/support/audit_log_seed.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

// Frames of 64 KiB hold about 140 of these events a page, so every page of
// 5,000 asked for is cut short; 20 requests a second after a burst of 5
// refuses most of the walk's ~45 requests at least once.
constexpr const char* kWalkLimits =
    "max_frame_bytes = 65536\nrequests_per_second = 20\nrequest_burst = 5\n";
constexpr std::int64_t kEvents = 6000;
constexpr std::int64_t kOtherTable = kEvents / 8;     // events of t2
constexpr std::int64_t kCheckpoints = kEvents / 256;  // signed with them

class AuditWalk : public ::testing::Test {
 protected:
  AuditWalk() : server_(std::string(kTestLimits) + kWalkLimits) {}

  // kEvents events before the server starts, one in 8 of another table (the
  // privacy officer gets its hash), a checkpoint after every 256 as a busy
  // server signs them; then `edit` may change the stored log (`base`: the
  // sequence number before the first of them).
  void start(const std::function<absl::Status(store::Connection&, std::uint64_t base)>& edit = {}) {
    auto d = provision::open_deployment(server_.deployment().config_path(), 1, false);
    ASSERT_TRUE(d.ok()) << d.status();
    auto before = d->db->read([](store::Connection& c) { return audit::tree_size(c); });
    ASSERT_TRUE(before.ok()) << before.status();
    base_ = *before;  // the deployment's own events come first
    auto s = append_sample_events(*d->db, d->checkpointer, 1, kEvents,
                                  audit::Checkpointer::kEveryEvents, table_of_);
    ASSERT_TRUE(s.ok()) << s;
    if (edit) {
      auto edited = d->db->write([&](store::Connection& c) { return edit(c, base_); });
      ASSERT_TRUE(edited.ok()) << edited;
    }
    d->db.reset();
    server_.start();
  }

  // `hubtable audit verify --json` as po.one, logged in first.
  CommandResult verify() {
    const CommandLine cli(server_);
    auto login = cli.first_login_with_totp("po.one");
    EXPECT_EQ(login.exit_code, 0) << login.err;
    return cli.run("po.one", {"audit", "verify", "--json"});
  }

  RunningServer server_;
  std::uint64_t base_ = 0;
  // The table of the i-th event start() writes.
  std::function<std::string(std::int64_t)> table_of_ = [](std::int64_t i) {
    return i % 8 == 0 ? "t2" : "t1";
  };
};

TEST_F(AuditWalk, PagesComeInOrderWithEveryEventOnceAndEachCheckpointInItsPage) {
  start();
  auto conn = server_.connect("po.one");
  ASSERT_NE(conn, nullptr);
  ASSERT_EQ(server_.login(*conn, "po.one").status().code(), v1::OK);
  client::LogPages pages(*conn, "t1");
  std::uint64_t next = 1;
  std::vector<std::uint64_t> checkpoints;
  int answers = 0;
  std::int64_t hashed = 0;
  for (bool last = false; !last;) {
    auto r = pages.next();
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status().code(), v1::OK) << r->status().message();
    ++answers;
    const auto& log = r->audit_log();
    last = log.last_page();
    const std::uint64_t after = next - 1;
    for (const auto& e : log.entries()) {
      ASSERT_EQ(e.sequence(), next) << "page " << answers;
      ++next;
      // The other table's events come as their hash only.
      if (e.event().empty()) {
        EXPECT_EQ(e.leaf_hash().size(), 32u) << e.sequence();
        ++hashed;
      } else {
        v1::AuditEvent event;
        ASSERT_TRUE(event.ParseFromString(e.event())) << e.sequence();
        EXPECT_NE(event.table(), "t2") << e.sequence();
      }
    }
    for (const auto& c : log.checkpoints()) {
      EXPECT_GT(c.tree_size(), after) << "page " << answers;
      if (!last) {
        EXPECT_LT(c.tree_size(), next) << "page " << answers;
      }
      checkpoints.push_back(c.tree_size());
    }
  }
  EXPECT_GT(next - 1, base_ + kEvents);
  EXPECT_EQ(hashed, kOtherTable);
  // Pages of 5,000 asked for, of about 140 given: cut short to fit.
  EXPECT_GT(answers, 10 * (kEvents / client::LogPages::kPage + 1));
  auto more = pages.next();
  EXPECT_EQ(more.status().code(), absl::StatusCode::kFailedPrecondition);

  // Every checkpoint once, in order: those written with the log, and any the
  // server signed before the last page was read.
  auto d = provision::open_deployment(server_.deployment().config_path(), 1, false);
  ASSERT_TRUE(d.ok()) << d.status();
  auto stored = d->db->read([](store::Connection& c) { return audit::all_checkpoints(c); });
  ASSERT_TRUE(stored.ok()) << stored.status();
  ASSERT_GE(stored->size(), checkpoints.size());
  ASSERT_GE(checkpoints.size(), static_cast<std::size_t>(kCheckpoints));
  for (std::size_t i = 0; i < checkpoints.size(); ++i) {
    EXPECT_EQ(checkpoints[i], (*stored)[i].checkpoint.tree_size) << i;
  }

  // The walk went faster than the connection's rate: it was refused and
  // waited (the refusals are on the record once the connection ends).
  conn.reset();
  std::uint64_t refused = 0;
  ASSERT_TRUE(wait_until(
      [&] {
        for (const auto& e : read_audit_events(*d->db)) {
          if (e.action() != "request.rejected") continue;
          for (const auto& r : e.rejected()) {
            if (r.rule() == "limits.request_rate") refused += r.count();
          }
        }
        return refused > 0;
      },
      std::chrono::seconds(10)));
}

TEST_F(AuditWalk, PagesGrowAgainThroughAStretchSentByHashAlone) {
  // The first half of the events is this table's, the second another's: the
  // privacy officer gets those as their hash, about five times as many to a
  // page as the first half's events.
  table_of_ = [](std::int64_t i) { return i <= kEvents / 2 ? "t1" : "t2"; };
  start();
  auto conn = server_.connect("po.one");
  ASSERT_NE(conn, nullptr);
  ASSERT_EQ(server_.login(*conn, "po.one").status().code(), v1::OK);
  // Pages of at most 1,000 asked for: each but the first two (asked for
  // before any answer) is asked for at the size the answers taught.
  client::LogPages pages(*conn, "t1", 1000);
  std::uint64_t next = 1;
  int second_half = 0;  // answers that begin among the hashes
  for (bool last = false; !last;) {
    auto r = pages.next();
    ASSERT_TRUE(r.ok()) << r.status();
    ASSERT_EQ(r->status().code(), v1::OK) << r->status().message();
    const auto& log = r->audit_log();
    last = log.last_page();
    if (log.entries_size() == 0) continue;
    ASSERT_EQ(log.entries(0).sequence(), next);
    next = log.entries(log.entries_size() - 1).sequence() + 1;
    if (log.entries(0).sequence() > base_ + kEvents / 2) ++second_half;
  }
  EXPECT_GT(next - 1, base_ + kEvents);
  // 3,000 hashes at about 700 to a page: five pages and a few, where pages
  // kept at the size the first half settled on (about 130) would take 23.
  EXPECT_LE(second_half, 10);
}

TEST_F(AuditWalk, TheCommandVerifiesALogOfManyPagesAtTheRequestRate) {
  start();
  auto r = verify();
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  google::protobuf::Struct out;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &out).ok()) << r.out;
  EXPECT_TRUE(out.fields().at("verified").bool_value());
  EXPECT_GT(out.fields().at("events").number_value(), static_cast<double>(kEvents));
  EXPECT_GE(out.fields().at("checkpoints_verified").number_value(),
            static_cast<double>(kCheckpoints));
  // The other table's events were checked by their hash.
  EXPECT_LT(out.fields().at("readable_events").number_value(),
            out.fields().at("events").number_value() - static_cast<double>(kOtherTable) + 1);
}

TEST_F(AuditWalk, AnEventChangedDeepInTheLogIsNamed) {
  // One of this table's events about 4,321 in falls in a page asked for
  // ahead, after pages cut short; it is given the bytes of the next.
  std::uint64_t changed = 0;
  start([&](store::Connection& c, std::uint64_t base) {
    auto found = c.prepare(
        "SELECT seq FROM audit_events WHERE table_code = 't1' AND seq >= ?1 ORDER BY seq LIMIT 1");
    if (!found.ok()) return found.status();
    found->bind(1, static_cast<std::int64_t>(base + 4321));
    if (auto row = found->step(); !row.ok() || !*row) return absl::NotFoundError("no event");
    changed = static_cast<std::uint64_t>(found->integer(0));
    auto st = c.exec("DROP TRIGGER audit_events_no_update;");
    if (!st.ok()) return st;
    auto q = c.prepare(
        "UPDATE audit_events SET event = (SELECT event FROM audit_events WHERE seq = ?1 + 1) "
        "WHERE seq = ?1");
    if (!q.ok()) return q.status();
    q->bind(1, static_cast<std::int64_t>(changed));
    return q->run();
  });
  auto r = verify();
  EXPECT_EQ(r.exit_code, 1) << r.err << r.out;
  google::protobuf::Struct out;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &out).ok()) << r.out;
  EXPECT_FALSE(out.fields().at("verified").bool_value());
  EXPECT_EQ(out.fields().at("first_bad").number_value(), static_cast<double>(changed)) << r.out;
  EXPECT_EQ(out.fields().at("events").number_value(), static_cast<double>(changed - 1)) << r.out;
  EXPECT_NE(out.fields().at("problem").string_value().find("moved"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace hubtable::testing
