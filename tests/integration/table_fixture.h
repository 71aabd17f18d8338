#pragma once
// A running server with every user of the test table logged in on a
// connection of their own, and `as(user, request)` to call as one of them.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "tests/integration/harness.h"

namespace hubtable::testing {

class WholeTableTest : public ::testing::Test {
 protected:
  /// Starts the server and logs every user in.
  void start_and_log_in() {
    server_.start();
    for (const char* user :
         {"rep.police", "rep.mh", "chair.one", "guest.one", "po.one", "admin", "rep.t2"}) {
      auto conn = server_.connect(user);
      ASSERT_NE(conn, nullptr) << user;
      ASSERT_EQ(server_.login(*conn, user).status().code(), hubtable::v1::OK) << user;
      conns_[user] = std::move(conn);
    }
  }

  hubtable::v1::Response as(const std::string& user, const hubtable::v1::Request& r) {
    auto response = conns_.at(user)->call(r);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : hubtable::v1::Response();
  }

  /// A situation of a 16-year-old submitted by `user`, Filter 1 attested;
  /// its id (empty when refused, with a failed expectation).
  std::string submit_as(const std::string& user,
                        const std::string& narrative =
                            "A 16-year-old has missed most of the term and sleeps in a car.") {
    hubtable::v1::Request r;
    auto* s = r.mutable_submit_situation();
    s->set_situation_type("PERSON");
    s->set_age_band("16-17");
    s->set_gender("F");
    s->add_risk_factors("MEN-SUSP");
    s->set_narrative(narrative);
    s->set_filter1_attested(true);
    auto done = as(user, r);
    EXPECT_EQ(done.status().code(), hubtable::v1::OK) << done.status().message();
    return done.submit_situation().situation().id();
  }

  RunningServer server_;
  std::map<std::string, std::unique_ptr<client::Connection>> conns_;
};

}  // namespace hubtable::testing
