#pragma once
// The request service in-process over a real encrypted database, with an
// injected clock: expiry, throttling and schedules are tested without waiting.

#include <gtest/gtest.h>

#include "api/service.h"
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
  // Without `start_us` the clock starts at the real time the deployment was made.
  explicit ServiceTest(std::optional<std::int64_t> start_us = std::nullopt)
      : deployment_(*provision::open_deployment(dep_.config_path())),
        clock_(start_us.value_or(domain::SystemClock().now_us())),
        service_(*deployment_.db, clock_, crypto::system_random(), deployment_.totp_sealer,
                 deployment_.vault, deployment_.checkpointer, deployment_.config.limits) {}

  RequestContext ctx(const std::string& user, const std::string& address = "192.0.2.10") {
    // Someone typing an unknown username still presents a real device.
    const bool known = std::filesystem::exists(dep_.profile(user));
    return {address, dep_.thumbprint(known ? user : "rep.police"), ++request_id_, events_};
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
    void deliver(const v1::Event& e) override {
      std::lock_guard<std::mutex> lock(mutex);
      events.push_back(e);
    }
    std::vector<v1::Event> take() {
      std::lock_guard<std::mutex> lock(mutex);
      return std::exchange(events, {});
    }
    std::mutex mutex;
    std::vector<v1::Event> events;
  };

  TestDeployment dep_;
  std::shared_ptr<Collector> collector_ = std::make_shared<Collector>();
  std::weak_ptr<EventSink> events_ = collector_;
  provision::Deployment deployment_;
  domain::ManualClock clock_;
  Service service_;
  std::uint64_t request_id_ = 0;
};

}  // namespace hubtable::api
