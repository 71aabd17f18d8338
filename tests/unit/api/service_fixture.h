#pragma once
// The request service in-process over a real encrypted database, with an
// injected clock: expiry, throttling and schedules are tested without waiting.

#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "api/service.h"
#include "store/reports.h"
#include "tests/support/audit_events.h"
#include "tests/support/deployment.h"

namespace hubtable::api {

namespace v1 = hubtable::v1;
using hubtable::testing::read_file;
using hubtable::testing::TestDeployment;

constexpr std::int64_t kMinuteUs = 60'000'000;
constexpr const char* kNewPassword = "a-long-enough-new-password";

class ServiceTest : public ::testing::Test {
 protected:
  using Tune = std::function<void(config::Limits&)>;

  // Without `start_us` the clock starts at the real time the deployment was
  // made; `tune` adjusts the configured limits and alert rules.
  explicit ServiceTest(std::optional<std::int64_t> start_us = std::nullopt, const Tune& tune = {})
      : deployment_(*provision::open_deployment(dep_.config_path())),
        clock_(start_us.value_or(domain::SystemClock().now_us())),
        service_(*deployment_.db, clock_, crypto::system_random(), deployment_.totp_sealer,
                 deployment_.vault, deployment_.checkpointer, tuned(tune)) {}

  config::Limits tuned(const Tune& tune) const {
    config::Limits l = deployment_.config.limits;
    if (tune) tune(l);
    return l;
  }

  // Whatever a test did, every situation's reporting row (schema 0013) is
  // what its triggers should have made of it.
  void TearDown() override {
    auto stale =
        deployment_.db->read([](store::Connection& c) { return store::stale_report_rows(c); });
    ASSERT_TRUE(stale.ok()) << stale.status();
    EXPECT_EQ(*stale, 0U) << "reporting rows that differ from their situations";
  }

  RequestContext ctx(const std::string& user, const std::string& address = "192.0.2.10") {
    // Someone typing an unknown username still presents a real device.
    const bool known = std::filesystem::exists(dep_.profile(user));
    std::weak_ptr<EventSink> sink = events_;
    if (auto own = own_sinks_.find(user); own != own_sinks_.end()) sink = own->second;
    return {address, dep_.thumbprint(known ? user : "rep.police"), ++request_id_, sink};
  }

  v1::Response login(const std::string& user, const std::string& password,
                     const std::string& totp = "", const std::string& new_password = "",
                     const std::string& address = "192.0.2.10") {
    v1::Request r;
    r.mutable_login()->set_username(user);
    r.mutable_login()->set_password(password);
    r.mutable_login()->set_totp_code(totp);
    r.mutable_login()->set_new_password(new_password);
    return service_.handle(ctx(user, address), r);
  }

  std::string code(const std::string& user) { return dep_.totp(user, clock_.now_us() / 1000000); }

  // First login: replaces the one-time password; returns the session token.
  std::string first_login(const std::string& user) {
    const bool totp = std::filesystem::exists(dep_.profile(user) / "totp-uri");
    auto r = login(user, dep_.one_time_password(user), totp ? code(user) : "", kNewPassword);
    EXPECT_EQ(r.status().code(), v1::OK) << r.status().message();
    return r.login().session_token();
  }

  v1::Response call(const std::string& user, const std::string& token, v1::Request r) {
    r.set_session_token(token);
    return service_.handle(ctx(user), r);
  }

  v1::Response whoami(const std::string& user, const std::string& token) {
    v1::Request r;
    r.mutable_whoami();
    return call(user, token, r);
  }

  std::vector<v1::AuditEvent> audit_events() {
    return hubtable::testing::read_audit_events(*deployment_.db);
  }

  /// Collects the events pushed to this test's "connection" after a watch.
  struct Collector final : EventSink {
    bool deliver(const v1::Event& e) override {
      std::lock_guard<std::mutex> lock(mutex);
      events.push_back(e);
      return true;
    }
    std::vector<v1::Event> take() {
      std::lock_guard<std::mutex> lock(mutex);
      return std::exchange(events, {});
    }
    std::mutex mutex;
    std::vector<v1::Event> events;
  };

  /// Gives `user` a connection of their own: what is pushed to them after
  /// they watch is collected apart from everyone else's.
  std::shared_ptr<Collector> own_connection(const std::string& user) {
    auto& sink = own_sinks_[user];
    if (!sink) sink = std::make_shared<Collector>();
    return sink;
  }

  TestDeployment dep_;
  std::map<std::string, std::shared_ptr<Collector>> own_sinks_;
  std::shared_ptr<Collector> collector_ = std::make_shared<Collector>();
  std::weak_ptr<EventSink> events_ = collector_;
  provision::Deployment deployment_;
  domain::ManualClock clock_;
  Service service_;
  std::uint64_t request_id_ = 0;
};

}  // namespace hubtable::api
