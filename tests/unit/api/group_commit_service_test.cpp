// Issue 20: group commit through the whole request path. Requests answered
// at the same time share their commits (store::Database::write_together),
// and each still has exactly its own audit event, with its own outcome.

#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "store/accounts.h"
#include "store/directory.h"
#include "store/event_log.h"
#include "store/transaction.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

TEST_F(FilterTest, RequestsAnsweredTogetherEachHaveTheirOwnEvent) {
  const std::string id = accepted();
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);  // logs in
  const std::string token = tokens_["rep.police"];
  ASSERT_FALSE(token.empty());

  // Writes, audited reads and refusals (a rep may not decide), interleaved.
  constexpr int kThreads = 6;
  constexpr int kEach = 12;
  std::vector<std::vector<std::pair<RequestContext, v1::Request>>> work(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      v1::Request r;
      switch ((t + i) % 3) {
        case 0:
          *r.mutable_submit_situation() = submission();
          break;
        case 1:
          r.mutable_show_situation()->set_id(id);
          break;
        default:
          r.mutable_decide_situation()->set_id(id);
          r.mutable_decide_situation()->set_accept(true);
          break;
      }
      r.set_session_token(token);
      work[t].emplace_back(ctx("rep.police"), std::move(r));
    }
  }
  const auto situations_stored = [&] {
    return deployment_.db->read([](store::Connection& c) {
      auto q = c.prepare("SELECT count(*) FROM situations");
      EXPECT_TRUE(q.ok() && *q->step());
      return static_cast<int>(q->integer(0));
    });
  };
  const int stored_before = situations_stored();
  const store::Database::GroupCounts before = deployment_.db->group_counts();
  std::vector<std::vector<v1::Response>> answers(kThreads);
  {
    std::vector<std::thread> threads;
    threads.reserve(kThreads);
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (const auto& [c, r] : work[t]) answers[t].push_back(service_.handle(c, r));
      });
    }
    for (auto& th : threads) th.join();
  }
  const store::Database::GroupCounts after = deployment_.db->group_counts();
  // Every request joined a group at least once (its work, or its refusal's event).
  EXPECT_GE(after.members - before.members, static_cast<std::uint64_t>(kThreads * kEach));

  std::map<std::uint64_t, std::vector<v1::AuditEvent>> by_request;
  for (const auto& e : audit_events()) {
    // The refusals repeated quickly enough to raise an alert, which carries
    // the request id of the refusal that raised it: not the request's own.
    if (e.action().rfind("alert.", 0) != 0) by_request[e.request_id()].push_back(e);
  }
  int submitted = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kEach; ++i) {
      const RequestContext& c = work[t][i].first;
      const v1::Request& r = work[t][i].second;
      const v1::Response& a = answers[t][i];
      const auto& events = by_request[c.request_id];
      ASSERT_EQ(events.size(), 1U)
          << "request " << c.request_id << " has " << events.size() << " events: "
          << (events.empty() ? "" : events.front().action() + ", " + events.back().action());
      if (r.has_decide_situation()) {
        EXPECT_EQ(a.status().code(), v1::PERMISSION_DENIED);
        EXPECT_EQ(events[0].outcome(), v1::AUDIT_DENIED);
      } else {
        EXPECT_EQ(a.status().code(), v1::OK) << a.status().message();
        EXPECT_EQ(events[0].outcome(), v1::AUDIT_OK);
      }
      if (r.has_submit_situation() && a.status().code() == v1::OK) {
        ++submitted;
        EXPECT_EQ(events[0].situation(), a.submit_situation().situation().id());
      }
    }
  }
  EXPECT_EQ(submitted, kThreads * kEach / 3);
  // What each submission answered is stored, and nothing else.
  EXPECT_EQ(situations_stored() - stored_before, submitted);
}

// A write's live events are kept for replay in the write's own transaction:
// one member of one group (the session is looked up on a reader), not a
// commit of their own after it; what is pushed carries the number it was
// kept as.
TEST_F(FilterTest, AWritesLiveEventsCommitWithIt) {
  const std::string id = accepted();
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(watch("rep.mh").status().code(), v1::OK);
  ASSERT_EQ(show("chair.one", id).status().code(), v1::OK);  // the chair is logged in
  collector_->take();

  const store::Database::GroupCounts before = deployment_.db->group_counts();
  ASSERT_EQ(assign(id, "mh", {"police"}).status().code(), v1::OK);
  const store::Database::GroupCounts after = deployment_.db->group_counts();
  EXPECT_EQ(after.members - before.members, 1U);  // the write and its event

  const auto pushed = collector_->take();
  ASSERT_EQ(pushed.size(), 1U);
  EXPECT_EQ(pushed[0].kind(), "situation.assigned");
  ASSERT_GT(pushed[0].seq(), 0U);
  auto kept = deployment_.db->read([&](store::Connection& c) {
    return store::events_after(c, static_cast<std::int64_t>(pushed[0].seq()) - 1, 0, 10);
  });
  ASSERT_TRUE(kept.ok()) << kept.status();
  ASSERT_FALSE(kept->empty());
  EXPECT_EQ(kept->front().seq, static_cast<std::int64_t>(pushed[0].seq()));
  EXPECT_EQ(kept->front().kind, "situation.assigned");
  EXPECT_EQ(kept->front().situation, id);
}

// AuditedWork on the fixture's database, working for rep.police.
class AuditedWorkTest : public ServiceTest {
 protected:
  AuditedWorkTest() {
    p.user_id = 1;
    p.username = "rep.police";
  }
  EventHub hub;
  AuditedWork audited{*deployment_.db, clock_, deployment_.config.limits.alerts, hub};
  Principal p;
};

// A short read runs on the writer (Run::kRead), where nothing stops a
// handler from writing as a reader's query_only would: the audited work does.
TEST_F(AuditedWorkTest, AShortReadThatWritesIsUndoneAndRefused) {
  const auto writes = [](store::Connection& c, AuditScope&,
                         v1::Response&) -> absl::StatusOr<domain::Decision> {
    if (auto s = store::set_meta(c, "written-by-a-read", "x"); !s.ok()) return s;
    return domain::Decision::allow("test.read");
  };
  const auto reads = [](store::Connection& c, AuditScope&,
                        v1::Response&) -> absl::StatusOr<domain::Decision> {
    auto v = store::get_meta(c, "written-by-a-read");
    if (!v.ok()) return v.status();
    return domain::Decision::allow("test.read");
  };
  const std::size_t events_before = audit_events().size();
  EXPECT_EQ(audited.run_short_read(ctx("rep.police"), p, "test.read", writes).status().code(),
            v1::UNAVAILABLE);
  EXPECT_EQ(audit_events().size(), events_before);  // no OK event for it
  EXPECT_EQ(audited.run_short_read(ctx("rep.police"), p, "test.read", reads).status().code(),
            v1::OK);
  EXPECT_EQ(audit_events().size(), events_before + 1);
  auto stored = deployment_.db->read(
      [](store::Connection& c) { return store::get_meta(c, "written-by-a-read"); });
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_FALSE(stored->has_value());
}

// A premise that no longer holds (the service's kept copy of a session,
// changed since): whichever way the work runs, its body never runs, nothing
// is written or audited, and the caller is told. One that holds changes
// nothing.
TEST_F(AuditedWorkTest, WorkOnAPremiseThatNoLongerHoldsIsNotDone) {
  int ran = 0;
  const auto writes = [&](store::Connection& c, AuditScope&,
                          v1::Response&) -> absl::StatusOr<domain::Decision> {
    ++ran;
    if (auto s = store::set_meta(c, "premise-test", "written"); !s.ok()) return s;
    return domain::Decision::allow("test.write");
  };
  const auto reads = [&](store::Connection&, AuditScope&,
                         v1::Response&) -> absl::StatusOr<domain::Decision> {
    ++ran;
    return domain::Decision::allow("test.read");
  };
  using Runner =
      v1::Response (AuditedWork::*)(const RequestContext&, const Principal&, std::string_view,
                                    const AuditedWork::Body&, AuditedWork::Premise*);
  const std::vector<std::pair<Runner, AuditedWork::Body>> runs = {
      {&AuditedWork::run_write, writes},
      {&AuditedWork::run_short_read, reads},
      {&AuditedWork::run_read, reads}};
  for (const auto& [runner, body] : runs) {
    SCOPED_TRACE(ran);
    const std::size_t events_before = audit_events().size();
    ran = 0;
    AuditedWork::Premise gone{[](store::Connection& c) -> absl::StatusOr<bool> {
      auto v = store::principal_version(c);  // read in the run's own transaction
      if (!v.ok()) return v.status();
      return false;
    }};
    const v1::Response empty = (audited.*runner)(ctx("rep.police"), p, "test.work", body, &gone);
    EXPECT_TRUE(gone.failed);
    EXPECT_EQ(ran, 0);
    EXPECT_EQ(empty.ByteSizeLong(), 0u);
    EXPECT_EQ(audit_events().size(), events_before);

    AuditedWork::Premise holds{[](store::Connection&) -> absl::StatusOr<bool> { return true; }};
    EXPECT_EQ((audited.*runner)(ctx("rep.police"), p, "test.work", body, &holds).status().code(),
              v1::OK);
    EXPECT_FALSE(holds.failed);
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(audit_events().size(), events_before + 1);

    // A premise that cannot be checked: the work is not done either.
    AuditedWork::Premise unreadable{[](store::Connection&) -> absl::StatusOr<bool> {
      return absl::UnavailableError("disk gone");
    }};
    EXPECT_EQ(
        (audited.*runner)(ctx("rep.police"), p, "test.work", body, &unreadable).status().code(),
        v1::UNAVAILABLE);
    EXPECT_EQ(ran, 1);
    EXPECT_EQ(audit_events().size(), events_before + 1);
  }
  auto stored =
      deployment_.db->read([](store::Connection& c) { return store::get_meta(c, "premise-test"); });
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->value_or(""), "written");  // by the run whose premise held
}

// A request the service is answering is on its way to the writer from the
// moment a worker takes it (store::Database::Arriving): a group's leader
// waits for it, and they commit together.
TEST_F(FilterTest, ALeaderWaitsForARequestTheServiceIsAnswering) {
  const std::string id = accepted();
  ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);  // logs in
  // A second session, of which no copy is kept yet (Service::kept_session):
  // the request reads it on the fixture's one reader, held below, on its way
  // to the writer.
  ASSERT_FALSE(std::filesystem::exists(dep_.profile("rep.police") / "totp-uri"));
  const v1::Response again = login("rep.police", kNewPassword);
  ASSERT_EQ(again.status().code(), v1::OK);
  v1::Request r;
  r.mutable_show_situation()->set_id(id);
  r.set_session_token(again.login().session_token());
  store::Database& db = *deployment_.db;
  db.set_gather_window(std::chrono::seconds(600));  // only arrivals end a wait
  const auto until = [](auto condition) {
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > give_up) return false;
      std::this_thread::yield();
    }
    return true;
  };

  // The fixture's one reader, held: the request waits for it to check its
  // session, on its way to the writer.
  std::promise<void> holding;
  std::promise<void> release;
  auto reader = std::async(std::launch::async, [&] {
    return db.read([&](store::Connection&) {
      holding.set_value();
      release.get_future().wait();
      return 0;
    });
  });
  holding.get_future().wait();
  const store::Database::GroupCounts before = db.group_counts();
  // From here the reader is released on every way out: a failed expectation
  // goes on to the end, where every future is waited for, instead of
  // leaving this scope with the reader held (its future would wait forever).
  std::promise<v1::Envelope> answered;
  const bool submitted = service_.submit(ctx("rep.police"), r,
                                         [&](v1::Envelope e) { answered.set_value(std::move(e)); });
  if (!submitted) release.set_value();
  ASSERT_TRUE(submitted);
  EXPECT_TRUE(until([&] { return db.on_their_way() == 1; }));

  auto lead = std::async(std::launch::async, [&] {
    return db.write_together([](store::Connection& c) -> absl::Status {
      store::Transaction tx(c, store::Transaction::Kind::kWrite);
      if (auto s = store::set_meta(c, "gather.test", "1"); !s.ok()) return s;
      return tx.commit();
    });
  });
  EXPECT_TRUE(until([&] { return db.waiting_to_commit() == 1; }));
  release.set_value();
  EXPECT_EQ(reader.get(), 0);
  EXPECT_TRUE(lead.get().ok());
  const v1::Envelope answer = answered.get_future().get();
  EXPECT_EQ(answer.response().status().code(), v1::OK);
  const store::Database::GroupCounts after = db.group_counts();
  // Had the leader not waited, it would have committed alone first.
  EXPECT_EQ(after.groups - before.groups, 1U);
  EXPECT_EQ(after.members - before.members, 2U);
  EXPECT_EQ(after.gathered - before.gathered, 1U);
  EXPECT_EQ(db.on_their_way(), 0U);
}

}  // namespace
}  // namespace hubtable::api
