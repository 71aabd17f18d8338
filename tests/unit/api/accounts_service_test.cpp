// Accounts nobody uses are disabled by the clock (issue 18): audited once,
// listed for the administrator, not quietly re-enabled by `apply`, and
// re-enabled on purpose by `enable-account`. One-time passwords that expire
// unused are audited once.

#include "provision/accounts.h"
#include "tests/unit/api/service_fixture.h"

namespace hubtable::api {
namespace {

constexpr std::int64_t kDayUs = std::int64_t{24} * 60 * kMinuteUs;

class UnusedAccountTest : public ServiceTest {
 protected:
  int events(const std::string& action, const std::string& target_prefix = "") {
    int n = 0;
    for (const auto& e : audit_events()) {
      if (e.action() == action && e.target().starts_with(target_prefix)) ++n;
    }
    return n;
  }
  store::AccountUse account(const std::string& user) {
    auto all = provision::list_accounts(deployment_);
    EXPECT_TRUE(all.ok());
    for (const auto& a : *all) {
      if (a.username == user) return a;
    }
    ADD_FAILURE() << "no account " << user;
    return {};
  }
  void sweep() { ASSERT_TRUE(service_.sweep().ok()); }
};

TEST_F(UnusedAccountTest, AnAccountUnusedFor90DaysIsDisabledAndAuditedOnce) {
  const std::string police = first_login("rep.police");
  const std::string mh = first_login("rep.mh");
  clock_.advance_us(60 * kDayUs);
  // rep.mh keeps using hubtable; rep.police does not.
  const std::string mh_again = login("rep.mh", kNewPassword).login().session_token();
  ASSERT_EQ(whoami("rep.mh", mh_again).status().code(), v1::OK);
  clock_.advance_us(29 * kDayUs);
  sweep();
  EXPECT_FALSE(account("rep.police").disabled_us.has_value()) << "89 days is not 90";
  clock_.advance_us(1 * kDayUs);
  sweep();
  sweep();
  const auto police_account = account("rep.police");
  ASSERT_TRUE(police_account.disabled_us.has_value());
  EXPECT_TRUE(police_account.disabled_unused);
  EXPECT_EQ(provision::account_state(police_account, clock_.now_us()).find("disabled"), 0u);
  EXPECT_FALSE(account("rep.mh").disabled_us.has_value());
  EXPECT_EQ(events("account.disabled_unused", "rep.police: unused since "), 1);
  EXPECT_EQ(events("account.disabled_unused", "rep.mh"), 0);
  auto refused = login("rep.police", kNewPassword);
  EXPECT_EQ(refused.status().rule(), "auth.account_disabled");

  // The deployment file still lists rep.police as enabled: apply does not
  // undo what the clock did, and says it changed nothing.
  auto file = provision::parse_apply_text(hubtable::testing::kTestTable);
  ASSERT_TRUE(file.ok());
  auto applied =
      provision::apply(deployment_, *file, dep_.profiles_dir(), clock_, crypto::system_random());
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(applied->users_updated, 0);
  EXPECT_TRUE(account("rep.police").disabled_us.has_value());

  // The administrator re-enables it on purpose.
  ASSERT_TRUE(provision::enable_account(deployment_, "rep.police", clock_).ok());
  EXPECT_EQ(events("admin.account_enabled", "rep.police"), 1);
  EXPECT_EQ(login("rep.police", kNewPassword).status().code(), v1::OK);
  EXPECT_EQ(provision::enable_account(deployment_, "rep.police", clock_).message(),
            "rep.police is not disabled");
  EXPECT_FALSE(police.empty() || mh.empty());
}

TEST_F(UnusedAccountTest, OneTimePasswordsThatExpireUnusedAreAuditedOnceThenTheAccountIsDisabled) {
  clock_.advance_us(8 * kDayUs);
  sweep();
  sweep();
  EXPECT_EQ(events("account.one_time_password_expired", "rep.police"), 1);
  EXPECT_NE(provision::account_state(account("rep.police"), clock_.now_us())
                .find("one-time password expired"),
            std::string::npos);
  clock_.advance_us(83 * kDayUs);
  sweep();
  EXPECT_EQ(events("account.disabled_unused", "rep.police"), 1);
  EXPECT_EQ(events("account.one_time_password_expired", "rep.police"), 1);
}

TEST_F(UnusedAccountTest, TheDeploymentFileOwnsWhatItDisabled) {
  std::string table = hubtable::testing::kTestTable;
  const std::string marker = "username = \"rep.mh\"";
  table.replace(table.find(marker), marker.size(), marker + "\ndisabled = true");
  auto file = provision::parse_apply_text(table);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE(
      provision::apply(deployment_, *file, dep_.profiles_dir(), clock_, crypto::system_random())
          .ok());
  EXPECT_EQ(provision::account_state(account("rep.mh"), clock_.now_us()),
            "disabled by the deployment file");
  auto refused = provision::enable_account(deployment_, "rep.mh", clock_);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(refused.message().find("deployment file"), std::string::npos);
  clock_.advance_us(100 * kDayUs);
  sweep();
  EXPECT_EQ(events("account.disabled_unused", "rep.mh"), 0);
}

class NeverDisabledTest : public ServiceTest {
 protected:
  NeverDisabledTest()
      : ServiceTest(std::nullopt, [](config::Limits& l) { l.disable_unused_after_us = 0; }) {}
};

TEST_F(NeverDisabledTest, ZeroDaysMeansNever) {
  first_login("rep.police");
  clock_.advance_us(400 * kDayUs);
  ASSERT_TRUE(service_.sweep().ok());
  for (const auto& e : audit_events()) EXPECT_NE(e.action(), "account.disabled_unused");
}

}  // namespace
}  // namespace hubtable::api
