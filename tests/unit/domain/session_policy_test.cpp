#include "domain/session_policy.h"

#include <gtest/gtest.h>

namespace hubtable::domain {
namespace {

constexpr std::int64_t kMinute = 60'000'000;

SessionFacts live() {
  SessionFacts f;
  f.token_given = true;
  f.session_found = true;
  f.thumbprint_matches = true;
  f.created_us = 100 * kMinute;
  f.last_seen_us = 110 * kMinute;
  f.now_us = 111 * kMinute;
  f.idle_timeout_us = 15 * kMinute;
  f.absolute_timeout_us = kMinute * 60 * 12;
  return f;
}

TEST(SessionPolicy, LiveSessionIsValid) { EXPECT_TRUE(decide_session(live()).allowed()); }

TEST(SessionPolicy, IdleTimeoutIsFifteenMinutesFromLastUse) {
  SessionFacts f = live();
  f.now_us = f.last_seen_us + 15 * kMinute - 1;
  EXPECT_TRUE(decide_session(f).allowed());
  f.now_us = f.last_seen_us + 15 * kMinute;
  EXPECT_EQ(decide_session(f).rule, "session.expired");
}

TEST(SessionPolicy, AbsoluteTimeoutHoldsEvenWhenActive) {
  SessionFacts f = live();
  f.now_us = f.created_us + kMinute * 60 * 12;
  f.last_seen_us = f.now_us - kMinute;
  EXPECT_EQ(decide_session(f).rule, "session.expired");
}

TEST(SessionPolicy, RefusalsNameTheirRule) {
  auto rule = [](auto mutate) {
    SessionFacts f = live();
    mutate(f);
    Decision d = decide_session(f);
    EXPECT_EQ(d.refusal, Refusal::kUnauthenticated);
    return d.rule;
  };
  EXPECT_EQ(rule([](SessionFacts& f) { f.token_given = false; }), "session.missing");
  EXPECT_EQ(rule([](SessionFacts& f) { f.session_found = false; }), "session.unknown");
  EXPECT_EQ(rule([](SessionFacts& f) { f.thumbprint_matches = false; }),
            "session.certificate_mismatch");
  EXPECT_EQ(rule([](SessionFacts& f) { f.session_revoked = true; }), "session.revoked");
  EXPECT_EQ(rule([](SessionFacts& f) { f.certificate_revoked = true; }),
            "session.certificate_revoked");
  EXPECT_EQ(rule([](SessionFacts& f) { f.account_disabled = true; }), "session.account_disabled");
}

}  // namespace
}  // namespace hubtable::domain
