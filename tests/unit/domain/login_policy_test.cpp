#include "domain/login_policy.h"

#include <gtest/gtest.h>

namespace hubtable::domain {
namespace {

// A login that should succeed: a rep with a registered certificate.
LoginFacts good() {
  LoginFacts f;
  f.now_us = 1'000'000'000;
  f.account_exists = true;
  f.password_matches = true;
  f.certificate_registered_to_account = true;
  return f;
}

LoginFacts with_totp() {
  LoginFacts f = good();
  f.totp_required = true;
  f.totp_enrolled = true;
  f.totp_code_given = true;
  f.totp_matched_step = 100;
  f.totp_last_step = 99;
  return f;
}

TEST(LoginPolicy, GoodLoginsAreAllowed) {
  EXPECT_TRUE(decide_login(good()).allowed());
  EXPECT_TRUE(decide_login(with_totp()).allowed());
}

TEST(LoginPolicy, EachRefusalNamesItsRule) {
  struct Case {
    const char* rule;
    Refusal refusal;
    LoginFacts facts;
  };
  std::vector<Case> cases;
  auto add = [&](const char* rule, Refusal r, auto mutate, LoginFacts base) {
    mutate(base);
    cases.push_back({rule, r, base});
  };
  add(
      "auth.rate_limited_address", Refusal::kResourceExhausted,
      [](LoginFacts& f) { f.recent_address_failures = 20; }, good());
  add(
      "auth.rate_limited_account", Refusal::kResourceExhausted,
      [](LoginFacts& f) { f.recent_account_failures = 5; }, good());
  add(
      "auth.unknown_account", Refusal::kUnauthenticated,
      [](LoginFacts& f) { f.account_exists = false; }, good());
  add(
      "auth.bad_password", Refusal::kUnauthenticated,
      [](LoginFacts& f) { f.password_matches = false; }, with_totp());
  add(
      "auth.totp_required", Refusal::kFailedPrecondition,
      [](LoginFacts& f) {
        f.totp_code_given = false;
        f.totp_matched_step.reset();
      },
      with_totp());
  add(
      "auth.bad_totp", Refusal::kUnauthenticated,
      [](LoginFacts& f) { f.totp_matched_step.reset(); }, with_totp());
  add(
      "auth.totp_reused", Refusal::kUnauthenticated, [](LoginFacts& f) { f.totp_last_step = 100; },
      with_totp());
  add(
      "auth.totp_not_enrolled", Refusal::kFailedPrecondition,
      [](LoginFacts& f) { f.totp_enrolled = false; }, with_totp());
  add(
      "auth.account_disabled", Refusal::kUnauthenticated,
      [](LoginFacts& f) { f.account_disabled = true; }, good());
  add(
      "auth.certificate_not_registered", Refusal::kUnauthenticated,
      [](LoginFacts& f) { f.certificate_registered_to_account = false; }, good());
  add(
      "auth.certificate_revoked", Refusal::kUnauthenticated,
      [](LoginFacts& f) { f.certificate_revoked = true; }, good());
  add(
      "auth.certificate_expired", Refusal::kUnauthenticated,
      [](LoginFacts& f) { f.certificate_expired = true; }, good());
  add(
      "auth.one_time_password_expired", Refusal::kUnauthenticated,
      [](LoginFacts& f) {
        f.password_one_time = true;
        f.password_expires_us = f.now_us;
      },
      good());
  add(
      "auth.password_change_required", Refusal::kFailedPrecondition,
      [](LoginFacts& f) {
        f.password_one_time = true;
        f.password_expires_us = f.now_us + 1;
      },
      good());
  add(
      "auth.weak_password", Refusal::kInvalidArgument,
      [](LoginFacts& f) {
        f.password_one_time = true;
        f.new_password_given = true;
        f.new_password_acceptable = false;
      },
      good());
  for (const auto& c : cases) {
    Decision d = decide_login(c.facts);
    EXPECT_FALSE(d.allowed()) << c.rule;
    EXPECT_EQ(d.rule, c.rule);
    EXPECT_EQ(d.refusal, c.refusal) << c.rule;
    EXPECT_FALSE(d.message.empty()) << c.rule;
  }
}

TEST(LoginPolicy, CredentialFailuresShareOneMessage) {
  LoginFacts unknown = good();
  unknown.account_exists = false;
  LoginFacts wrong = good();
  wrong.password_matches = false;
  LoginFacts bad_code = with_totp();
  bad_code.totp_matched_step.reset();
  EXPECT_EQ(decide_login(unknown).message, decide_login(wrong).message);
  EXPECT_EQ(decide_login(wrong).message, decide_login(bad_code).message);
}

TEST(LoginPolicy, ThrottlingComesBeforeCredentials) {
  LoginFacts f = good();
  f.password_matches = false;
  f.recent_account_failures = 5;
  EXPECT_EQ(decide_login(f).rule, "auth.rate_limited_account");
  // An unknown account is throttled only by address, so probing names is throttled too.
  f.account_exists = false;
  EXPECT_EQ(decide_login(f).rule, "auth.unknown_account");
  f.recent_address_failures = 20;
  EXPECT_EQ(decide_login(f).rule, "auth.rate_limited_address");
}

TEST(LoginPolicy, DisabledAccountIsRevealedOnlyAfterCorrectCredentials) {
  LoginFacts f = good();
  f.account_disabled = true;
  f.password_matches = false;
  EXPECT_EQ(decide_login(f).rule, "auth.bad_password");
}

TEST(LoginPolicy, OneTimePasswordReplacedInTheSameCallIsAllowed) {
  LoginFacts f = good();
  f.password_one_time = true;
  f.password_expires_us = f.now_us + 10;
  f.new_password_given = true;
  f.new_password_acceptable = true;
  EXPECT_TRUE(decide_login(f).allowed());
}

TEST(LoginPolicy, WhichFailuresCountTowardsThrottling) {
  LoginFacts wrong = good();
  wrong.password_matches = false;
  EXPECT_TRUE(counts_as_failure(decide_login(wrong)));
  LoginFacts reused = with_totp();
  reused.totp_last_step = 100;
  EXPECT_FALSE(counts_as_failure(decide_login(reused)));
  LoginFacts needs_code = with_totp();
  needs_code.totp_code_given = false;
  EXPECT_FALSE(counts_as_failure(decide_login(needs_code)));
  EXPECT_FALSE(counts_as_failure(decide_login(good())));
}

}  // namespace
}  // namespace hubtable::domain

namespace hubtable::domain {
namespace {

TEST(LoginPolicy, TotpIsMandatoryForChairsPrivacyOfficersAndAdmins) {
  EXPECT_TRUE(role_requires_totp("CHAIR"));
  EXPECT_TRUE(role_requires_totp("PRIVACY_OFFICER"));
  EXPECT_TRUE(role_requires_totp("ADMIN"));
  EXPECT_FALSE(role_requires_totp("REP"));
  EXPECT_FALSE(role_requires_totp("GUEST"));
}

}  // namespace
}  // namespace hubtable::domain
