// The crash harness (issue 19): writers doing real requests (submissions,
// decisions at an open meeting, identifications, break-glass-free reveals)
// against a real hubtabled over mutual TLS, killed with SIGKILL at random
// moments: in the middle of the traffic, during startup, and inside a
// checkpoint's transaction (the server is told to die there). After every
// cycle, with the server down: both database files pass
// `PRAGMA integrity_check`, the audit log verifies, and every write the
// server acknowledged is present in its acknowledged state with its audit
// event; then the server restarts and its restart time is recorded.
//
// HUBTABLE_CRASH_CYCLES (default 6) and HUBTABLE_CRASH_SEED (default: the
// clock) choose the run; HUBTABLE_CRASH_REPORT names a file for the JSON
// summary. ctest runs a few cycles (label slow); tests/crash/run.sh runs
// many, for docs/RELIABILITY.md.

#include "wire/asio.h"  // first: <utility> before Asio

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "audit/verify.h"
#include "provision/provisioner.h"
#include "store/identity_vault.h"
#include "store/situations.h"
#include "store/snapshot.h"
#include "tests/integration/harness.h"
#include "tests/support/requests.h"

namespace hubtable::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;

// How far the server acknowledged a situation.
enum class Step { kSubmitted = 0, kAccepted = 1, kIdentified = 2, kRevealed = 3 };
constexpr const char* kStepAction[] = {"situation.submit", "situation.decide", "situation.identify",
                                       "situation.reveal"};

int env_int(const char* name, int fallback) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts.
  const char* v = std::getenv(name);
  return v == nullptr ? fallback : std::atoi(v);
}

// What the server acknowledged, shared by the writers. The queues hand a
// situation from one writer to the next; each is taken once.
class Ledger {
 public:
  void acked(const std::string& id, Step step) {
    std::lock_guard<std::mutex> lock(mutex_);
    steps_[id] = std::max(steps_[id], step);
    cycle_.emplace_back(id, step);
    ++counts_[static_cast<int>(step)];
    if (step == Step::kSubmitted) submitted_.push_back(id);
    if (step == Step::kAccepted) accepted_.push_back(id);
  }
  std::optional<std::string> take(Step waiting) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& queue = waiting == Step::kSubmitted ? submitted_ : accepted_;
    if (queue.empty()) return std::nullopt;
    std::string id = queue.back();
    queue.pop_back();
    return id;
  }
  std::map<std::string, Step> all() {
    std::lock_guard<std::mutex> lock(mutex_);
    return steps_;
  }
  std::array<std::uint64_t, 4> counts() {
    std::lock_guard<std::mutex> lock(mutex_);
    return counts_;
  }
  std::vector<std::pair<std::string, Step>> end_cycle() {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(cycle_, {});
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Step> steps_;
  std::vector<std::pair<std::string, Step>> cycle_;
  std::vector<std::string> submitted_, accepted_;
  std::array<std::uint64_t, 4> counts_{};
};

// {"situation.submit": 12, ...}
std::string counts_json(const std::array<std::uint64_t, 4>& counts) {
  std::string out = "{";
  for (std::size_t i = 0; i < counts.size(); ++i) {
    out += std::string(i == 0 ? "" : ", ") + "\"" + kStepAction[i] +
           "\": " + std::to_string(counts[i]);
  }
  return out + "}";
}

class CrashHarness : public ::testing::Test {
 protected:
  // A connection for `user` on the session it logged in to once (sessions
  // outlive the server's restarts; a login with an authenticator code would
  // wait for the next 30-second step). Null when the server is not there.
  std::unique_ptr<client::Connection> connect(const std::string& user) {
    auto conn = server_.connect(user);
    if (conn == nullptr) return nullptr;
    if (!tokens_.count(user)) {
      auto r = server_.login(*conn, user);
      if (r.status().code() != v1::OK) return nullptr;
      tokens_[user] = r.login().session_token();
    }
    conn->set_session_token(tokens_[user]);
    return conn;
  }

  // One writer on its own connection, until the server goes away or `stop_`.
  // `work` returns false when the connection failed (the server died).
  void writer(client::Connection& conn, const std::function<bool(client::Connection&)>& work) {
    while (!stop_ && work(conn)) {
    }
  }

  // A call whose answer is an acknowledgement: true when the server answered
  // (OK or not), false when the connection failed.
  static bool call(client::Connection& c, const v1::Request& r, v1::Response& out) {
    auto answer = c.call(r);
    if (!answer.ok()) return false;
    out = std::move(*answer);
    return true;
  }

  // The chair opens a meeting (unless one is open) and the members check in.
  void meeting() {
    for (const char* user : {"chair.one", "rep.police", "rep.mh"}) {
      auto conn = connect(user);
      ASSERT_NE(conn, nullptr) << user;
      if (std::string(user) == "chair.one") {
        v1::Request open;
        open.mutable_open_meeting()->set_unscheduled(true);
        ASSERT_TRUE(conn->call(open).ok());  // refused when one is open: fine
      }
      v1::Request check_in;
      check_in.mutable_check_in();
      auto r = conn->call(check_in);
      ASSERT_TRUE(r.ok()) << r.status();
    }
  }

  // Traffic for a random moment, then kill -9.
  void traffic_then_kill(std::mt19937& rng) {
    meeting();
    stop_ = false;
    std::atomic<int> n{0};
    // Connected and logged in before the clock of the kill starts.
    std::vector<std::unique_ptr<client::Connection>> conns;
    for (const char* user : {"rep.police", "rep.police", "chair.one", "rep.police"}) {
      conns.push_back(connect(user));
      ASSERT_NE(conns.back(), nullptr) << user;
    }
    std::vector<std::thread> threads;
    threads.reserve(conns.size());
    for (int i = 0; i < 2; ++i) {
      threads.emplace_back([&, c = conns[i].get()] {
        writer(*c, [&](client::Connection& conn) {
          v1::Response r;
          if (!call(conn, submission(n++), r)) return false;
          if (r.status().code() == v1::OK) {
            ledger_.acked(r.submit_situation().situation().id(), Step::kSubmitted);
          }
          return true;
        });
      });
    }
    threads.emplace_back([&, c = conns[2].get()] {
      writer(*c, [&](client::Connection& conn) {
        auto id = ledger_.take(Step::kSubmitted);
        if (!id) return next_poll(conn);
        v1::Response r;
        if (!call(conn, decision(*id), r)) return false;
        if (r.status().code() == v1::OK) ledger_.acked(*id, Step::kAccepted);
        return true;
      });
    });
    threads.emplace_back([&, c = conns[3].get()] {
      writer(*c, [&](client::Connection& conn) {
        auto id = ledger_.take(Step::kAccepted);
        if (!id) return next_poll(conn);
        v1::Response r;
        if (!call(conn, identification(*id, "Crash Harness Person"), r)) return false;
        if (r.status().code() != v1::OK) return true;
        ledger_.acked(*id, Step::kIdentified);
        if (!call(conn, reveal(*id), r)) return false;
        if (r.status().code() == v1::OK) ledger_.acked(*id, Step::kRevealed);
        return true;
      });
    });
    // The random moment of the kill: the traffic is what is being cut.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 2500)(rng)));
    server_.kill();
    stop_ = true;
    for (auto& t : threads) t.join();
  }

  // Nothing to take yet: a cheap request keeps the connection honest.
  static bool next_poll(client::Connection& c) {
    v1::Request r;
    r.mutable_whoami();
    return c.call(r).ok();
  }

  // `hubtabled serve` on the harness's deployment, its port file named for `what`.
  std::vector<std::string> serve_args(const std::string& what) {
    return {hubtabled_binary(), "serve",
            "--config",         server_.deployment().config_path().string(),
            "--port-file",      (server_.deployment().scratch() / (what + "-port")).string()};
  }

  // kill -9 while the server starts: at a random moment before it listens
  // (or just after).
  void kill_during_startup(std::mt19937& rng) {
    ChildProcess p(serve_args("startup"), server_.deployment().scratch() / "startup.log");
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 300)(rng)));
    p.stop(SIGKILL, std::chrono::seconds(10));
  }

  // The server dies inside its first checkpoint's transaction (it signs one
  // as it starts when events are unsigned, as they are after a kill).
  void kill_inside_checkpoint() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread runs now.
    ::setenv("HUBTABLE_CRASH_AT", "audit.checkpoint", 1);
    ChildProcess p(serve_args("checkpoint"), server_.deployment().scratch() / "checkpoint.log");
    // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread runs now.
    ::unsetenv("HUBTABLE_CRASH_AT");
    const bool died = wait_until([&] { return p.poll().has_value(); }, std::chrono::seconds(90));
    if (!died) p.stop(SIGKILL, std::chrono::seconds(10));
    EXPECT_TRUE(died) << "the server did not reach a checkpoint";
    checkpoint_kills_ += died ? 1 : 0;
  }

  // With the server down: both files whole, the log verified, every
  // acknowledged write there in its acknowledged state, with its event.
  void check(bool everything) {
    auto d = provision::open_deployment(server_.deployment().config_path());
    ASSERT_TRUE(d.ok()) << d.status();
    const auto cycle = ledger_.end_cycle();
    const auto all = everything ? ledger_.all() : std::map<std::string, Step>{};
    auto checked = d->db->read([&](store::Connection& c) -> absl::Status {
      for (const char* schema : {"main", "keys"}) {
        if (auto s = store::check_integrity(c, schema); !s.ok()) return s;
      }
      // The opening repaired what a commit split between the two files left.
      auto damage = store::find_vault_damage(c);
      if (!damage.ok()) return damage.status();
      EXPECT_TRUE(damage->empty()) << "the database and the key store disagree";
      auto verified =
          audit::verify_stored_log(c, d->checkpointer.signer()->verifier(), std::nullopt);
      if (!verified.ok()) return verified.status();
      EXPECT_FALSE(verified->problem().has_value()) << verified->problem()->what;
      auto situations = cycle;
      for (const auto& [id, step] : all) situations.emplace_back(id, step);
      for (const auto& [id, step] : situations) {
        auto s = store::find_situation(c, id);
        if (!s.ok()) return s.status();
        if (!*s) {
          ++lost_;
          ADD_FAILURE() << "acknowledged situation " << id << " is gone";
          continue;
        }
        if (step >= Step::kAccepted && (*s)->state != domain::SituationState::kAccepted) {
          ++lost_;
          ADD_FAILURE() << "acknowledged decision on " << id << " is gone";
        }
        if (step >= Step::kIdentified) {
          auto identity = store::find_identity(c, id);
          if (!identity.ok()) return identity.status();
          auto key = store::find_wrapped_key(c, id);
          if (!key.ok()) return key.status();
          if (!*identity || !*key) {
            ++lost_;
            ADD_FAILURE() << "acknowledged identification of " << id << " is gone"
                          << (*identity ? " (its data key)" : "");
          }
        }
      }
      auto events = c.prepare(
          "SELECT count(*) FROM audit_events WHERE situation = ?1 AND action = ?2 AND outcome = "
          "1");
      if (!events.ok()) return events.status();
      for (const auto& [id, step] : cycle) {
        events->reset();
        events->bind(1, id).bind(2, kStepAction[static_cast<int>(step)]);
        auto row = events->step();
        if (!row.ok()) return row.status();
        if (events->integer(0) == 0) {
          ++lost_;
          ADD_FAILURE() << "the event of an acknowledged " << kStepAction[static_cast<int>(step)]
                        << " on " << id << " is missing";
        }
      }
      acked_ += cycle.size();
      return absl::OkStatus();
    });
    ASSERT_TRUE(checked.ok()) << checked;
  }

  RunningServer server_;
  std::map<std::string, std::string> tokens_;
  Ledger ledger_;
  std::atomic<bool> stop_{false};
  std::uint64_t acked_ = 0, lost_ = 0;
  int checkpoint_kills_ = 0;
};

TEST_F(CrashHarness, KilledAtRandomMomentsTheServerLosesNoAcknowledgedWrite) {
  const int cycles = env_int("HUBTABLE_CRASH_CYCLES", 6);
  const auto seed = static_cast<std::uint32_t>(env_int(
      "HUBTABLE_CRASH_SEED", static_cast<int>(std::chrono::system_clock::now().time_since_epoch() /
                                              std::chrono::milliseconds(1) % 1000000)));
  std::mt19937 rng(seed);
  SCOPED_TRACE("HUBTABLE_CRASH_SEED=" + std::to_string(seed));
  std::vector<double> restart_ms;
  int startup_kills = 0;
  for (int cycle = 0; cycle < cycles && !HasFatalFailure(); ++cycle) {
    const auto t0 = std::chrono::steady_clock::now();
    server_.start();
    restart_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    traffic_then_kill(rng);
    check(cycle % 10 == 9 || cycle == cycles - 1);
    if (cycle % 3 == 1) {
      kill_during_startup(rng);
      ++startup_kills;
      check(false);
    }
    if (cycle % 3 == 2) {
      kill_inside_checkpoint();
      check(false);
    }
    if (cycle % 25 == 24) {  // progress, for long runs
      std::fprintf(stderr, "crash harness: %d of %d cycles, %llu acknowledged, %llu lost\n",
                   cycle + 1, cycles, static_cast<unsigned long long>(acked_),
                   static_cast<unsigned long long>(lost_));
    }
  }
  std::sort(restart_ms.begin(), restart_ms.end());
  const double median = restart_ms.empty() ? 0 : restart_ms[restart_ms.size() / 2];
  const double worst = restart_ms.empty() ? 0 : restart_ms.back();
  const std::string summary = "{\"cycles\": " + std::to_string(cycles) +
                              ", \"seed\": " + std::to_string(seed) +
                              ", \"startup_kills\": " + std::to_string(startup_kills) +
                              ", \"checkpoint_kills\": " + std::to_string(checkpoint_kills_) +
                              ", \"acknowledged_writes\": " + std::to_string(acked_) +
                              ", \"by_kind\": " + counts_json(ledger_.counts()) +
                              ", \"lost_acknowledgements\": " + std::to_string(lost_) +
                              ", \"restart_ms_median\": " + std::to_string(median) +
                              ", \"restart_ms_max\": " + std::to_string(worst) + "}";
  std::printf("%s\n", summary.c_str());
  // NOLINTNEXTLINE(concurrency-mt-unsafe): the writers have ended.
  if (const char* report = std::getenv("HUBTABLE_CRASH_REPORT")) {
    std::ofstream(report) << summary << "\n";
  }
  EXPECT_EQ(lost_, 0U);
  EXPECT_GT(acked_, 0U) << "no write was acknowledged: the harness checked nothing";
}

}  // namespace
}  // namespace hubtable::testing
