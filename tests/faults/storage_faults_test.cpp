// Storage faults (issue 19): a scripted session of real requests through the
// request service in-process, over a real deployment whose two files (the
// database and the vault key store) go through the fault VFS. For every N
// over the session: the Nth write fails with EIO, or the disk is full from
// the Nth write on, or the Nth sync fails, or the Nth open fails, or the
// power goes at the Nth sync. Each time:
//
// - every answer is OK or the store's own clear error, never anything else;
// - once the fault clears, the running server takes writes again and the two
//   files agree (no identifiers without their data key, no identity without
//   its blind indexes, no key-store row of nothing);
// - after a restart (for a power loss, with every unsynced write dropped):
//   both files pass `PRAGMA integrity_check`, the audit log verifies, and
//   every acknowledged write is there in its acknowledged state: the
//   identifiers of an acknowledged identification reveal, and its planning
//   notes read.

#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "api/service.h"
#include "audit/verify.h"
#include "crypto/pki.h"
#include "crypto/totp.h"
#include "provision/provisioner.h"
#include "store/identity_vault.h"
#include "store/situations.h"
#include "store/snapshot.h"
#include "tests/support/audit_events.h"
#include "tests/support/deployment.h"
#include "tests/support/fault_vfs.h"
#include "tests/support/requests.h"

namespace hubtable::testing {
namespace {

namespace fs = std::filesystem;
namespace v1 = hubtable::v1;
using Op = FaultVfs::Op;

constexpr const char* kPassword = "a-long-enough-new-password";
constexpr const char* kPersonName = "Fault Harness Person";
// Tuesday 24 November 2026, 14:45 UTC; every run starts here.
constexpr std::int64_t kStartUs = 1'795'531'500'000'000;
constexpr std::int64_t kMinuteUs = 60'000'000;
constexpr const char* kUsers[] = {"chair.one", "rep.police", "rep.mh"};

provision::Deployment open_or_throw(const fs::path& config) {
  auto d = provision::open_deployment(config);
  if (!d.ok()) throw std::runtime_error("open: " + std::string(d.status().message()));
  return std::move(*d);
}

// A deployment opened, and the request service over it.
class Live {
 public:
  Live(const fs::path& root, std::int64_t now_us)
      : root_(root),
        d_(open_or_throw(root / "hubtabled.toml")),
        clock_(now_us),
        service_(*d_.db, clock_, crypto::system_random(), d_.totp_sealer, d_.vault, d_.checkpointer,
                 d_.config.limits) {}

  v1::Response call(const std::string& user, const std::string& token, v1::Request r) {
    r.set_session_token(token);
    const std::string crt = read_file(root_ / "profiles" / user / "client.crt");
    api::RequestContext ctx{
        "192.0.2.10", *crypto::certificate_thumbprint_pem(crt), ++request_id_, {}};
    clock_.advance_us(1'000'000);
    return service_.handle(ctx, r);
  }

  store::Database& db() { return *d_.db; }
  const audit::Checkpointer& checkpointer() const { return d_.checkpointer; }

 private:
  fs::path root_;
  provision::Deployment d_;
  domain::ManualClock clock_;
  api::Service service_;
  std::uint64_t request_id_ = 0;
};

v1::Request join_request(const std::string& id) {
  v1::Request r;
  r.mutable_join_situation()->set_id(id);
  return r;
}
v1::Request assign_request(const std::string& id, const std::string& lead) {
  v1::Request r;
  r.mutable_assign_situation()->set_id(id);
  r.mutable_assign_situation()->set_lead_agency(lead);
  return r;
}
v1::Request plan_request(const std::string& id, const std::string& note) {
  v1::Request r;
  r.mutable_plan_situation()->set_id(id);
  r.mutable_plan_situation()->set_note(note);
  return r;
}

// What the server acknowledged of one situation.
struct Acked {
  std::string id;
  bool accepted = false;
  bool rejected = false;
  bool identified = false;
  bool led = false;  // mental health joined and leads: it may write notes
  int notes = 0;
};

// The deployment every run copies: users logged in, a meeting open and
// everyone checked in.
class Template {
 public:
  Template() {
    Live live(dep_.root(), kStartUs);
    for (const char* user : kUsers) {
      v1::Request r;
      auto* l = r.mutable_login();
      l->set_username(user);
      l->set_password(dep_.one_time_password(user));
      l->set_new_password(kPassword);
      if (fs::exists(dep_.profile(user) / "totp-uri")) {
        l->set_totp_code(dep_.totp(user, kStartUs / 1'000'000 + 1));
      }
      auto answer = live.call(user, "", r);
      if (answer.status().code() != v1::OK) throw std::runtime_error(answer.status().message());
      tokens_[user] = answer.login().session_token();
    }
    v1::Request open;
    open.mutable_open_meeting()->set_unscheduled(true);
    if (live.call("chair.one", tokens_["chair.one"], open).status().code() != v1::OK) {
      throw std::runtime_error("the meeting did not open");
    }
    for (const char* user : kUsers) {
      v1::Request check_in;
      check_in.mutable_check_in();
      if (live.call(user, tokens_[user], check_in).status().code() != v1::OK) {
        throw std::runtime_error("check-in failed");
      }
    }
  }
  fs::path root() const { return dep_.root(); }
  const std::string& token(const std::string& user) const { return tokens_.at(user); }

 private:
  TestDeployment dep_;
  std::map<std::string, std::string> tokens_;
};

const Template& the_template() {
  static const Template t;
  return t;
}

// One run: a copy of the template, the session under a fault, the checks.
class Run {
 public:
  explicit Run(std::string label) : label_(std::move(label)) {
    fs::copy(the_template().root(), root(), fs::copy_options::recursive);
  }
  fs::path root() const { return scratch_.path() / "deploy"; }

  // The scripted session; every answer OK or the store's clear error.
  void session(Live& live) {
    acked_.assign(3, Acked{});
    Acked& a = acked_[0];
    Acked& b = acked_[1];
    Acked& c = acked_[2];
    auto as = [&](const char* user, const v1::Request& r) {
      auto answer = live.call(user, the_template().token(user), r);
      const auto& st = answer.status();
      const bool clear = st.code() == v1::OK ||
                         (st.code() == v1::UNAVAILABLE && st.rule() == "store.unavailable") ||
                         (st.code() == v1::RESOURCE_EXHAUSTED && st.rule() == "store.full");
      EXPECT_TRUE(clear) << label_ << ": " << v1::Code_Name(st.code()) << " " << st.rule() << ": "
                         << st.message();
      return answer;
    };
    auto ok = [](const v1::Response& r) { return r.status().code() == v1::OK; };
    // Mental health joins and is named lead: its rep may write notes.
    auto lead = [&](Acked& s) {
      s.led =
          ok(as("rep.mh", join_request(s.id))) && ok(as("chair.one", assign_request(s.id, "mh")));
    };
    // A: accepted, identified (a new data key), revealed, a note (the same key).
    if (auto r = as("rep.police", submission(0)); ok(r)) {
      a.id = r.submit_situation().situation().id();
      a.accepted = ok(as("chair.one", decision(a.id, true)));
    }
    if (a.accepted) {
      a.identified = ok(as("rep.police", identification(a.id, kPersonName)));
      if (a.identified) as("rep.police", reveal(a.id));
      lead(a);
    }
    if (a.led) a.notes += ok(as("rep.mh", plan_request(a.id, "Home visit Thursday."))) ? 1 : 0;
    // B: a note first (the note makes the key), then identified.
    if (auto r = as("rep.police", submission(0)); ok(r)) {
      b.id = r.submit_situation().situation().id();
      b.accepted = ok(as("chair.one", decision(b.id, true)));
    }
    if (b.accepted) lead(b);
    if (b.led) b.notes += ok(as("rep.mh", plan_request(b.id, "School meeting Friday."))) ? 1 : 0;
    if (b.accepted) b.identified = ok(as("rep.police", identification(b.id, kPersonName)));
    // C: rejected (an erasure: the WAL is truncated after it).
    if (auto r = as("rep.police", submission(0)); ok(r)) {
      c.id = r.submit_situation().situation().id();
      c.rejected = ok(as("chair.one", decision(c.id, false)));
    }
  }

  // A write is taken, and the two files agree (a repair a fault that
  // persisted held back has run).
  void agrees_and_writes(Live& live, const char* when) {
    auto r = live.call("rep.police", the_template().token("rep.police"), submission(0));
    EXPECT_EQ(r.status().code(), v1::OK) << label_ << ", " << when << ": " << r.status().message();
    auto damage = live.db().read([](store::Connection& c) { return store::find_vault_damage(c); });
    ASSERT_TRUE(damage.ok()) << damage.status();
    EXPECT_TRUE(damage->empty()) << label_ << ", " << when << ": " << damage->without_key.size()
                                 << " without key, " << damage->without_indexes.size()
                                 << " without indexes, " << damage->orphan_rows << " orphan rows";
  }

  // After a restart: both files whole, the log verified, every
  // acknowledged write there, every stored identity readable.
  void restarted_and_checked() {
    Live live(root(), kStartUs + kMinuteUs);
    auto checked = live.db().read([&](store::Connection& c) -> absl::Status {
      for (const char* schema : {"main", "keys"}) {
        if (auto s = store::check_integrity(c, schema); !s.ok()) return s;
      }
      return absl::OkStatus();
    });
    ASSERT_TRUE(checked.ok()) << label_ << ": " << checked;
    auto verified = live.db().read([&](store::Connection& c) {
      return audit::verify_stored_log(c, live.checkpointer().signer()->verifier(), std::nullopt);
    });
    ASSERT_TRUE(verified.ok()) << label_ << ": " << verified.status();
    EXPECT_FALSE(verified->problem().has_value()) << label_ << ": " << verified->problem()->what;
    for (const Acked& s : acked_) {
      if (s.id.empty()) continue;
      auto found =
          live.db().read([&](store::Connection& c) { return store::find_situation(c, s.id); });
      ASSERT_TRUE(found.ok() && found->has_value())
          << label_ << ": acknowledged " << s.id << " is gone";
      if (s.accepted) {
        EXPECT_EQ((**found).state, domain::SituationState::kAccepted) << label_;
      }
      if (s.rejected) {
        EXPECT_EQ((**found).state, domain::SituationState::kRejected) << label_;
      }
      const std::string& police = the_template().token("rep.police");
      auto shown = live.call("rep.police", police, reveal(s.id));
      if (s.identified) {
        ASSERT_EQ(shown.status().code(), v1::OK) << label_ << ": " << shown.status().message();
      }
      if (shown.status().code() == v1::OK) {
        ASSERT_EQ(shown.reveal_situation().people_size(), 1) << label_;
        EXPECT_EQ(shown.reveal_situation().people(0).name(), kPersonName) << label_;
      } else if (s.accepted) {
        EXPECT_EQ(shown.status().rule(), "reveal.not_identified") << label_;
      }
      if (s.led) {
        auto notes = live.call("rep.mh", the_template().token("rep.mh"), plan_request(s.id, ""));
        ASSERT_EQ(notes.status().code(), v1::OK) << label_ << ": " << notes.status().message();
        EXPECT_GE(notes.plan_situation().notes_size(), s.notes) << label_;
      }
    }
    agrees_and_writes(live, "after the restart");
    for (const auto& e : read_audit_events(live.db())) {
      repairs_ += e.action() == "vault.repaired" ? 1 : 0;
    }
  }

  int repairs() const { return repairs_; }

  const std::vector<Acked>& acked() const { return acked_; }

 private:
  std::string label_;
  TempDir scratch_;
  std::vector<Acked> acked_;
  int repairs_ = 0;
};

struct Totals {
  int runs = 0;
  int repairs = 0;  // runs that left the two files to be put back in agreement
  int fired = 0;
  int acked = 0;
};

// Counts the operations of a session with no fault armed.
FaultVfs::Counts dry_run() {
  FaultVfs::Scope vfs;
  Run run("dry run");
  Live live(run.root(), kStartUs);
  FaultVfs::clear();
  run.session(live);
  return FaultVfs::counts();
}

// Every write point fails once in a ctest run: the odd ones with EIO, the
// even ones with a full disk. HUBTABLE_FAULTS_EVERY_ERRNO=1 fails every
// point with each (docs/RELIABILITY.md's run).
int write_stride() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts.
  const char* all = std::getenv("HUBTABLE_FAULTS_EVERY_ERRNO");
  return all != nullptr && std::string(all) == "1" ? 1 : 2;
}

// For N = first, first + stride, .. up to `points`: arms, runs, checks.
Totals every_point(const std::string& name, int points, const std::function<void(int)>& arm,
                   int first = 1, int stride = 1) {
  Totals t;
  for (int n = first; n <= points && !::testing::Test::HasFatalFailure(); n += stride) {
    FaultVfs::Scope vfs;
    Run run(name + " at " + std::to_string(n));
    {
      Live live(run.root(), kStartUs);
      arm(n);
      run.session(live);
      t.fired += FaultVfs::fired() > 0 ? 1 : 0;
      const bool power_lost = FaultVfs::power_is_off();
      FaultVfs::clear();
      if (!power_lost) run.agrees_and_writes(live, "once the fault cleared");
    }
    FaultVfs::restore_power();
    run.restarted_and_checked();
    for (const Acked& s : run.acked()) {
      t.acked += (s.id.empty() ? 0 : 1) + s.accepted + s.rejected + s.identified + s.led + s.notes;
    }
    t.repairs += run.repairs() > 0 ? 1 : 0;
    ++t.runs;
  }
  std::printf(
      "{\"fault\": \"%s\", \"points\": %d, \"fired\": %d, \"acknowledged\": %d, "
      "\"repaired\": %d}\n",
      name.c_str(), t.runs, t.fired, t.acked, t.repairs);
  return t;
}

TEST(StorageFaults, WritesFailingOnceWithEio) {
  const auto n = dry_run();
  ASSERT_GT(n.writes, 20);
  auto t = every_point(
      "write EIO", n.writes,
      [](int at) { FaultVfs::fail(Op::kWrite, at, SQLITE_IOERR_WRITE, false); }, 1, write_stride());
  EXPECT_EQ(t.fired, t.runs);
  // Some writes fail between the database's commit and the key store's.
  EXPECT_GT(t.repairs, 0) << "no fault split a commit: the two-file repair went untested";
}

TEST(StorageFaults, DiskFullFromWrites) {
  const auto n = dry_run();
  auto t = every_point(
      "write ENOSPC", n.writes, [](int at) { FaultVfs::fail(Op::kWrite, at, SQLITE_FULL, true); },
      write_stride(), write_stride());
  EXPECT_EQ(t.fired, t.runs);
}

TEST(StorageFaults, EverySyncFailingOnce) {
  const auto n = dry_run();
  ASSERT_GT(n.syncs, 5);
  auto t = every_point("fsync EIO", n.syncs,
                       [](int at) { FaultVfs::fail(Op::kSync, at, SQLITE_IOERR_FSYNC, false); });
  EXPECT_EQ(t.fired, t.runs);
}

TEST(StorageFaults, EveryOpenFailingOnce) {
  const auto n = dry_run();
  ASSERT_GT(n.opens, 0) << "the session opens no journal: nothing to fail";
  auto t = every_point("open EIO", n.opens,
                       [](int at) { FaultVfs::fail(Op::kOpen, at, SQLITE_CANTOPEN, false); });
  EXPECT_EQ(t.fired, t.runs);
}

TEST(StorageFaults, PowerLostAtEverySync) {
  const auto n = dry_run();
  auto t = every_point("power loss", n.syncs, [](int at) { FaultVfs::cut_power_at_sync(at); });
  EXPECT_EQ(t.fired, t.runs);
}

}  // namespace
}  // namespace hubtable::testing
