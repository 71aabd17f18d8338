// The browser bridge's decisions, without a socket.

#include "net/http_bridge.h"
#include "net/token_bucket.h"

#include <gtest/gtest.h>

namespace hubtable::net::http {
namespace {

namespace v1 = hubtable::v1;

Incoming call(const std::string& name, const std::string& body) {
  Incoming in;
  in.method = "POST";
  in.target = "/api/v1/" + name;
  in.csrf = "1";
  in.sec_fetch_site = "same-origin";
  in.content_type = "application/json";
  in.body = body;
  return in;
}

TEST(HttpBridge, TheSessionCookieIsFoundAmongOthersAndAMalformedOneIsNone) {
  const std::string hex(64, 'a');
  EXPECT_EQ(session_token("__Host-hubtable=" + hex), std::string(32, '\xaa'));
  EXPECT_EQ(session_token("theme=dark; __Host-hubtable=" + hex + "; lang=fr"),
            std::string(32, '\xaa'));
  EXPECT_EQ(session_token("hubtable=" + hex), "");          // not the __Host- cookie
  EXPECT_EQ(session_token("x__Host-hubtable=" + hex), "");  // not its name
  EXPECT_EQ(session_token("__Host-hubtable=zz"), "");       // not hex
  EXPECT_EQ(session_token(""), "");
}

TEST(HttpBridge, ACallBecomesTheNamedRequestWithTheCookiesToken) {
  auto in = call("ShowSituationRequest", R"({"id":"7K2M9-X4Q1D","earlierUpdates":3})");
  in.cookie = "__Host-hubtable=" + std::string(64, 'b');
  const Plan p = plan(in);
  ASSERT_EQ(p.kind, Plan::Kind::kCall) << p.answer.body;
  EXPECT_EQ(p.request.show_situation().id(), "7K2M9-X4Q1D");
  EXPECT_EQ(p.request.show_situation().earlier_updates(), 3u);
  EXPECT_EQ(p.request.session_token(), std::string(32, '\xbb'));
  // A token in the body is not how a session travels: the field is unknown.
  const Plan smuggled = plan(call("WhoAmIRequest", R"({"sessionToken":"AAAA"})"));
  EXPECT_EQ(smuggled.answer.rule, "http.bad_json");
}

TEST(HttpBridge, EachMissingSafeguardIsItsOwnRefusal) {
  auto no_csrf = call("WhoAmIRequest", "{}");
  no_csrf.csrf.clear();
  EXPECT_EQ(plan(no_csrf).answer.rule, "http.csrf_header_missing");
  auto same_site = call("WhoAmIRequest", "{}");
  same_site.sec_fetch_site = "same-site";
  EXPECT_EQ(plan(same_site).answer.rule, "http.cross_site");
  auto text = call("WhoAmIRequest", "{}");
  text.content_type = "text/plain";
  EXPECT_EQ(plan(text).answer.status, 415u);
  EXPECT_EQ(plan(call("Envelope", "{}")).answer.rule, "http.unknown_request");
  EXPECT_EQ(plan(call("", "{}")).answer.rule, "http.unknown_request");
  EXPECT_EQ(plan(call("WatchRequest", "{}")).answer.rule, "http.watch_is_a_stream");
  Incoming put = call("WhoAmIRequest", "{}");
  put.method = "PUT";
  EXPECT_EQ(plan(put).answer.status, 405u);
}

TEST(HttpBridge, TheEventStreamIsAWatchThatReplays) {
  Incoming in;
  in.method = "GET";
  in.target = std::string(kEventsPath);
  const Plan p = plan(in);
  ASSERT_EQ(p.kind, Plan::Kind::kEvents);
  EXPECT_TRUE(p.request.watch().replay());
}

TEST(HttpBridge, ALoginsTokenGoesIntoTheCookieOnlyAndALogoutClearsIt) {
  v1::Response login;
  login.mutable_login()->set_session_token(std::string(32, '\x01'));
  const Answer a = answer_for(login);
  EXPECT_EQ(a.status, 200u);
  ASSERT_EQ(a.headers.size(), 1u);
  std::string hex;
  for (int i = 0; i < 32; ++i) hex += "01";
  EXPECT_EQ(a.headers[0].value,
            "__Host-hubtable=" + hex + "; Secure; HttpOnly; SameSite=Strict; Path=/");
  EXPECT_EQ(a.body.find("sessionToken"), std::string::npos) << a.body;
  v1::Response logout;
  logout.mutable_logout()->set_session_ended(true);
  const Answer out = answer_for(logout);
  ASSERT_EQ(out.headers.size(), 1u);
  EXPECT_NE(out.headers[0].value.find("Max-Age=0"), std::string::npos);
  v1::Response refused;
  refused.mutable_status()->set_code(v1::UNAUTHENTICATED);
  EXPECT_EQ(answer_for(refused).status, 401u);
  EXPECT_EQ(answer_for(refused).headers.size(), 1u);
}

// A refusal lifted by waiting says how long: retryAfterMs in the body for the
// page, and Retry-After in whole seconds, rounded up, for anything else.
TEST(HttpBridge, ARefusalThatNamesAWaitCarriesRetryAfter) {
  v1::Status status;
  status.set_code(v1::RESOURCE_EXHAUSTED);
  status.set_rule("limits.request_rate");
  status.set_message("too many requests on this connection; slow down");
  status.set_retry_after_ms(1200);
  const Answer a = refusal(status);
  EXPECT_EQ(a.status, 429u);
  EXPECT_EQ(a.rule, "limits.request_rate");
  ASSERT_EQ(a.headers.size(), 1u);
  EXPECT_EQ(a.headers[0].name, "Retry-After");
  EXPECT_EQ(a.headers[0].value, "2");
  EXPECT_NE(a.body.find("\"retryAfterMs\":1200"), std::string::npos) << a.body;

  // The same from the service (a full queue), through answer_for.
  v1::Response busy;
  *busy.mutable_status() = status;
  busy.mutable_status()->set_rule("limits.worker_queue");
  busy.mutable_status()->set_retry_after_ms(200);
  const Answer b = answer_for(busy);
  ASSERT_EQ(b.headers.size(), 1u);
  EXPECT_EQ(b.headers[0].name, "Retry-After");
  EXPECT_EQ(b.headers[0].value, "1");

  // A refusal that waiting does not lift has none.
  status.set_retry_after_ms(0);
  EXPECT_TRUE(refusal(status).headers.empty());
}

TEST(TokenBucket, ARefusedTakeSaysHowLongUntilTheNextToken) {
  TokenBucket bucket(2, 4);  // two at once, then four a second
  ASSERT_TRUE(bucket.take());
  ASSERT_TRUE(bucket.take());
  ASSERT_FALSE(bucket.take());
  // At most a quarter of a second away, and at least a millisecond.
  EXPECT_GE(bucket.until_next().count(), 1);
  EXPECT_LE(bucket.until_next().count(), 250);
  TokenBucket slow(1, 0.5);  // one every two seconds
  ASSERT_TRUE(slow.take());
  ASSERT_FALSE(slow.take());
  EXPECT_GT(slow.until_next().count(), 1900);
  EXPECT_LE(slow.until_next().count(), 2000);
}

}  // namespace
}  // namespace hubtable::net::http
