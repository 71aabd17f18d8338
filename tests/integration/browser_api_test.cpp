// The browser's side of the one port, over real TLS against a real server:
// ALPN http/1.1 with the same client certificates, the embedded page and
// its headers, the JSON bridge through the same dispatcher, authorization
// and audit, the session cookie bound to its certificate, the event stream,
// and every refusal made before a request reaches the service.

#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/integration/https_client.h"
#include "tests/integration/table_fixture.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;
using std::chrono::seconds;

constexpr const char* kCanaryName = "Wexford Canarybright";
constexpr const char* kCanaryAddress = "12 Zzcanary Lane";
constexpr const char* kCanaryNarrative = "Qorvath";

class BrowserApi : public WholeTableTest {
 protected:
  void SetUp() override { start_and_log_in(); }

  std::unique_ptr<HttpsClient> browser(const std::string& user, HttpsClient::Options options = {}) {
    auto c = HttpsClient::connect(server_.profile(user), std::move(options));
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? std::move(*c) : nullptr;
  }

  /// Logs `user` in through the bridge; returns the cookie to send back.
  std::string log_in(HttpsClient& b, const std::string& user) {
    auto r = b.call(
        "LoginRequest",
        R"({"username":")" + user + R"(","password":")" + server_.password(user) + "\"}", "");
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    EXPECT_EQ(r->status, 200u) << r->body;
    return session_cookie(*r);
  }

  static v1::Response parsed(const HttpsReply& reply) {
    v1::Response r;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(reply.body, &r).ok()) << reply.body;
    return r;
  }

  std::string submit(const std::string& narrative) { return submit_as("rep.police", narrative); }

  void open_meeting_and_accept(const std::string& id) {
    v1::Request open;
    open.mutable_open_meeting()->set_unscheduled(true);
    ASSERT_EQ(as("chair.one", open).status().code(), v1::OK);
    v1::Request check_in;
    check_in.mutable_check_in();
    for (const char* u : {"chair.one", "rep.police", "rep.mh"}) {
      ASSERT_EQ(as(u, check_in).status().code(), v1::OK) << u;
    }
    v1::Request decide;
    decide.mutable_decide_situation()->set_id(id);
    decide.mutable_decide_situation()->set_accept(true);
    ASSERT_EQ(as("chair.one", decide).status().code(), v1::OK);
  }

  /// Every audit event about `id`, as the privacy officer reads them.
  std::vector<v1::AuditEvent> audit_of(const std::string& id) {
    v1::Request q;
    q.mutable_audit_query()->set_situation(id);
    q.mutable_audit_query()->set_limit(1000);
    auto r = as("po.one", q);
    EXPECT_EQ(r.status().code(), v1::OK) << r.status().message();
    return {r.audit_query().events().begin(), r.audit_query().events().end()};
  }
};

TEST_F(BrowserApi, ThePageIsEmbeddedAndEveryAnswerCarriesTheSecurityHeaders) {
  auto b = browser("rep.police");
  ASSERT_NE(b, nullptr);
  for (const char* path : {"/", "/app.js", "/style.css", "/nope.html", "/api/v1/WhoAmIRequest"}) {
    auto r = b->request(std::string(path).rfind("/api", 0) == 0 ? "POST" : "GET", path, "{}",
                        {{"Content-Type", "application/json"}, {"X-Hubtable-CSRF", "1"}});
    ASSERT_TRUE(r.ok()) << path << ": " << r.status();
    EXPECT_EQ(r->header("content-security-policy"),
              "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
        << path;
    EXPECT_EQ(r->header("strict-transport-security"), "max-age=63072000") << path;
    EXPECT_EQ(r->header("x-content-type-options"), "nosniff") << path;
    EXPECT_EQ(r->header("referrer-policy"), "no-referrer") << path;
    EXPECT_EQ(r->header("cache-control"), "no-store") << path;
  }
  auto page = b->request("GET", "/", "", {});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->status, 200u);
  EXPECT_EQ(page->header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(page->body.find("<script type=\"module\" src=\"/app.js\"></script>"),
            std::string::npos);
  // No inline script: the policy would refuse it, and the page has none.
  EXPECT_EQ(page->body.find("<script>"), std::string::npos);
  EXPECT_EQ(page->body.find("style=\""), std::string::npos);
  auto js = b->request("GET", "/api.js", "", {});  // the module every call goes through
  ASSERT_TRUE(js.ok());
  EXPECT_EQ(js->header("content-type"), "text/javascript; charset=utf-8");
  EXPECT_NE(js->body.find("X-Hubtable-CSRF"), std::string::npos);
  for (const char* catalogue : {"/i18n-en.json", "/i18n-fr.json"}) {
    auto c = b->request("GET", catalogue, "", {});
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->header("content-type"), "application/json");
  }
  auto missing = b->request("GET", "/nope.html", "", {});
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, 404u);
}

TEST_F(BrowserApi, ALoginSetsAHostCookieAndCallsGoThroughTheSameDispatcherAndAudit) {
  auto b = browser("rep.police");
  ASSERT_NE(b, nullptr);
  auto login = b->call(
      "LoginRequest",
      R"({"username":"rep.police","password":")" + server_.password("rep.police") + "\"}", "");
  ASSERT_TRUE(login.ok());
  ASSERT_EQ(login->status, 200u) << login->body;
  const std::string cookie = session_cookie(*login);
  ASSERT_EQ(cookie.size(), std::string("__Host-hubtable=").size() + 64) << cookie;
  const std::string set_cookie = login->header("set-cookie");
  EXPECT_EQ(set_cookie, cookie + "; Secure; HttpOnly; SameSite=Strict; Path=/");
  // The token is in the cookie only, never the body.
  EXPECT_EQ(login->body.find("sessionToken"), std::string::npos) << login->body;
  EXPECT_EQ(login->body.find(cookie.substr(16)), std::string::npos);
  EXPECT_EQ(parsed(*login).login().time_zone(), "America/Toronto");

  auto who = b->call("WhoAmIRequest", "{}", cookie);
  ASSERT_TRUE(who.ok());
  ASSERT_EQ(who->status, 200u) << who->body;
  EXPECT_EQ(parsed(*who).whoami().username(), "rep.police");

  // A submission through the bridge is the same request: the scanner
  // refuses an identifier (and never echoes it), the corrected one lands,
  // and its audit event is the framed protocol's.
  auto refused = b->call("SubmitSituationRequest",
                         R"({"situationType":"person","ageBand":"16-17","gender":"F",)"
                         R"("riskFactors":["MEN-SUSP"],"filter1Attested":true,)"
                         R"("narrative":"Call 306-555-0142 about a youth sleeping in a car."})",
                         cookie);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 400u) << refused->body;
  EXPECT_EQ(refused->body.find("555-0142"), std::string::npos) << refused->body;
  auto landed = b->call("SubmitSituationRequest",
                        R"({"situationType":"person","ageBand":"16-17","gender":"F",)"
                        R"("riskFactors":["MEN-SUSP"],"filter1Attested":true,)"
                        R"("narrative":"A youth sleeps in a car; )" +
                            std::string(kCanaryNarrative) + R"( noted by the school."})",
                        cookie);
  ASSERT_TRUE(landed.ok());
  ASSERT_EQ(landed->status, 200u) << landed->body;
  const std::string id = parsed(*landed).submit_situation().situation().id();
  ASSERT_FALSE(id.empty());
  bool audited = false;
  for (const auto& e : audit_of(id)) {
    if (e.action() == "situation.submit" && e.outcome() == v1::AUDIT_OK) {
      audited = true;
      EXPECT_EQ(e.actor().username(), "rep.police");
    }
  }
  EXPECT_TRUE(audited);
  v1::Request show;
  show.mutable_show_situation()->set_id(id);
  EXPECT_NE(as("rep.mh", show).show_situation().situation().narrative().find(kCanaryNarrative),
            std::string::npos);

  // Logging out clears the cookie and ends the session.
  auto out = b->call("LogoutRequest", "{}", cookie);
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->status, 200u);
  EXPECT_NE(out->header("set-cookie").find("Max-Age=0"), std::string::npos);
  auto after = b->call("WhoAmIRequest", "{}", cookie);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->status, 401u);
}

TEST_F(BrowserApi, RefusalsComeBeforeTheServiceAndNameTheirRule) {
  auto b = browser("rep.police");
  ASSERT_NE(b, nullptr);
  const std::string cookie = log_in(*b, "rep.police");
  ASSERT_FALSE(cookie.empty());
  auto rule_of = [](const absl::StatusOr<HttpsReply>& r) {
    return r.ok() ? parsed(*r).status().rule() : std::string("(no answer)");
  };
  const std::map<std::string, std::string> json = {{"Content-Type", "application/json"},
                                                   {"Cookie", cookie}};

  auto no_csrf = b->request("POST", "/api/v1/WhoAmIRequest", "{}", json);
  ASSERT_TRUE(no_csrf.ok());
  EXPECT_EQ(no_csrf->status, 403u);
  EXPECT_EQ(rule_of(no_csrf), "http.csrf_header_missing");

  auto cross = json;
  cross["X-Hubtable-CSRF"] = "1";
  cross["Sec-Fetch-Site"] = "cross-site";
  auto cross_site = b->request("POST", "/api/v1/WhoAmIRequest", "{}", cross);
  ASSERT_TRUE(cross_site.ok());
  EXPECT_EQ(cross_site->status, 403u);
  EXPECT_EQ(rule_of(cross_site), "http.cross_site");
  auto cross_events = b->request("GET", "/api/v1/events", "", cross);
  ASSERT_TRUE(cross_events.ok());
  EXPECT_EQ(cross_events->status, 403u);

  auto form = b->request("POST", "/api/v1/WhoAmIRequest", "a=b",
                         {{"Content-Type", "application/x-www-form-urlencoded"},
                          {"X-Hubtable-CSRF", "1"},
                          {"Cookie", cookie}});
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->status, 415u);
  EXPECT_EQ(rule_of(form), "http.content_type");

  auto get = b->request("GET", "/api/v1/WhoAmIRequest", "", {{"Cookie", cookie}});
  ASSERT_TRUE(get.ok());
  EXPECT_EQ(get->status, 405u);
  EXPECT_EQ(get->header("allow"), "POST");

  auto unknown = b->call("DropTablesRequest", "{}", cookie);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 404u);
  EXPECT_EQ(rule_of(unknown), "http.unknown_request");

  auto bad =
      b->call("ShowSituationRequest", std::string(R"({"id": ")") + kCanaryName + "\", ", cookie);
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->status, 400u);
  EXPECT_EQ(rule_of(bad), "http.bad_json");
  EXPECT_EQ(bad->body.find("Canarybright"), std::string::npos) << bad->body;
  auto unknown_field = b->call("WhoAmIRequest", R"({"asUser":"admin"})", cookie);
  ASSERT_TRUE(unknown_field.ok());
  EXPECT_EQ(rule_of(unknown_field), "http.bad_json");

  auto watch = b->call("WatchRequest", "{}", cookie);
  ASSERT_TRUE(watch.ok());
  EXPECT_EQ(rule_of(watch), "http.watch_is_a_stream");

  auto anonymous = b->call("WhoAmIRequest", "{}", "");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->status, 401u);

  // Still the same connection: refusals do not end it...
  auto who = b->call("WhoAmIRequest", "{}", cookie);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->status, 200u);
  // ...but a body over the frame limit does, after saying why.
  const std::string huge(static_cast<std::size_t>(2) * 1024 * 1024, 'x');
  auto oversize = b->call("DeidCheckRequest", R"({"text":")" + huge + "\"}", cookie);
  if (oversize.ok()) {
    EXPECT_EQ(oversize->status, 413u);
    EXPECT_EQ(rule_of(oversize), "protocol.frame_too_large");
  }
  EXPECT_FALSE(b->call("WhoAmIRequest", "{}", cookie).ok());

  // The server counts what it refused before dispatch, under their rules,
  // in one audit event written once the connection has ended.
  b.reset();
  const std::vector<std::string> expected = {
      "http.csrf_header_missing", "http.cross_site", "http.content_type",
      "http.unknown_request",     "http.bad_json",   "protocol.frame_too_large"};
  std::string rules;
  const auto until = std::chrono::steady_clock::now() + seconds(20);
  auto all_there = [&] {
    return std::all_of(expected.begin(), expected.end(),
                       [&](const std::string& r) { return rules.find(r) != std::string::npos; });
  };
  while (!all_there() && std::chrono::steady_clock::now() < until) {
    v1::Request q;
    q.mutable_audit_query()->set_action("request.rejected");
    rules.clear();
    const v1::Response found = as("po.one", q);
    for (const auto& e : found.audit_query().events()) {
      for (const auto& r : e.rejected()) rules += r.rule() + " ";
    }
  }
  EXPECT_TRUE(all_there()) << rules;
}

TEST_F(BrowserApi, ACookieIsValidOnlyWithTheCertificateItWasIssuedTo) {
  auto police = browser("rep.police");
  ASSERT_NE(police, nullptr);
  const std::string cookie = log_in(*police, "rep.police");
  ASSERT_FALSE(cookie.empty());
  // The same cookie from rep.mh's device: refused, and it reveals nothing.
  auto other = browser("rep.mh");
  ASSERT_NE(other, nullptr);
  auto replayed = other->call("WhoAmIRequest", "{}", cookie);
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->status, 401u) << replayed->body;
  EXPECT_EQ(replayed->body.find("rep.police"), std::string::npos);
}

TEST_F(BrowserApi, OnlyTheDeploymentsCertificatesAndKnownProtocolsAreServed) {
  HttpsClient::Options none;
  none.present_certificate = false;
  auto anonymous = HttpsClient::connect(server_.profile("rep.police"), none);
  if (anonymous.ok()) {
    EXPECT_FALSE((*anonymous)->request("GET", "/", "", {}).ok());
  }

  TestDeployment elsewhere{TestDeployment::Separate{}};
  HttpsClient::Options foreign;
  foreign.certificate = {elsewhere.profile("rep.police") / "client.crt",
                         elsewhere.profile("rep.police") / "client.key"};
  auto stranger = HttpsClient::connect(server_.profile("rep.police"), foreign);
  if (stranger.ok()) {
    EXPECT_FALSE((*stranger)->request("GET", "/", "", {}).ok());
  }

  HttpsClient::Options h2;
  h2.alpn = {"h2"};
  auto unknown = HttpsClient::connect(server_.profile("rep.police"), h2);
  if (unknown.ok()) {
    EXPECT_FALSE((*unknown)->request("GET", "/", "", {}).ok());
  }

  // The framed protocol is still served on the same port.
  EXPECT_TRUE(server_.serves("rep.police"));
}

TEST_F(BrowserApi, AnotherTablesRepAndAGuestReachNoCaseDataThroughTheApi) {
  const std::string id = submit(std::string("A youth sleeps in a car; ") + kCanaryNarrative + ".");
  auto t2 = browser("rep.t2");
  ASSERT_NE(t2, nullptr);
  const std::string cookie = log_in(*t2, "rep.t2");
  for (const auto& [name, body] : std::vector<std::pair<std::string, std::string>>{
           {"ShowSituationRequest", R"({"id":")" + id + "\"}"},
           {"ListSituationsRequest", R"({"table":"t1"})"},
           {"AgendaRequest", R"({"ref":{"table":"t1"}})"},
           {"RevealSituationRequest", R"({"id":")" + id + "\"}"}}) {
    auto r = t2->call(name, body, cookie);
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_GE(r->status, 400u) << name << ": " << r->body;
    EXPECT_EQ(r->body.find(kCanaryNarrative), std::string::npos) << name;
  }
  auto guest = browser("guest.one");
  ASSERT_NE(guest, nullptr);
  const std::string guest_cookie = log_in(*guest, "guest.one");
  for (const char* name : {"ShowSituationRequest", "RevealSituationRequest"}) {
    auto r = guest->call(name, R"({"id":")" + id + "\"}", guest_cookie);
    ASSERT_TRUE(r.ok()) << name;
    EXPECT_EQ(r->body.find(kCanaryNarrative), std::string::npos) << name << ": " << r->body;
  }
}

TEST_F(BrowserApi, TheEventStreamCarriesWhatWatchReceivesAndIdentifiersStayInBodies) {
  const std::string id = submit("A youth sleeps in a car and has missed most of the term.");
  auto mh = browser("rep.mh");
  ASSERT_NE(mh, nullptr);
  const std::string cookie = log_in(*mh, "rep.mh");
  auto events = browser("rep.mh");
  ASSERT_NE(events, nullptr);
  auto opened = events->open_events(cookie);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->status, 200u);
  EXPECT_EQ(opened->header("content-type"), "text/event-stream");
  EXPECT_EQ(opened->header("cache-control"), "no-store");

  open_meeting_and_accept(id);
  EXPECT_TRUE(events->read_events_until("\"situation.decided\"", std::chrono::seconds(20)))
      << events->events_read();
  EXPECT_NE(events->events_read().find(id), std::string::npos);

  // Identify and reveal through the bridge: the identifiers are in the
  // revealing agency's answer body and nowhere else.
  auto police = browser("rep.police");
  const std::string police_cookie = log_in(*police, "rep.police");
  auto joined = mh->call("JoinSituationRequest", R"({"id":")" + id + "\"}", cookie);
  ASSERT_TRUE(joined.ok());
  ASSERT_EQ(joined->status, 200u) << joined->body;
  auto identified = police->call(
      "IdentifySituationRequest",
      R"({"id":")" + id + R"(","legalAuthority":"ON-MFIPPA-32-H","people":[{"name":")" +
          kCanaryName + R"(","dateOfBirth":"2009-03-14","address":")" + kCanaryAddress + "\"}]}",
      police_cookie);
  ASSERT_TRUE(identified.ok());
  ASSERT_EQ(identified->status, 200u) << identified->body;
  auto revealed = mh->call("RevealSituationRequest", R"({"id":")" + id + "\"}", cookie);
  ASSERT_TRUE(revealed.ok());
  ASSERT_EQ(revealed->status, 200u) << revealed->body;
  EXPECT_NE(revealed->body.find(kCanaryName), std::string::npos);
  for (const auto* reply : {&*identified, &*revealed}) {
    for (const auto& [name, value] : reply->headers) {
      EXPECT_EQ(value.find("Canarybright"), std::string::npos) << name;
      EXPECT_EQ(value.find("Zzcanary"), std::string::npos) << name;
    }
    EXPECT_EQ(reply->header("cache-control"), "no-store");
  }
  bool disclosed = false;
  for (const auto& e : audit_of(id)) {
    if (e.action() == "situation.reveal" && e.actor().username() == "rep.mh") disclosed = true;
    const std::string text = e.SerializeAsString();
    EXPECT_EQ(text.find("Canarybright"), std::string::npos) << e.action();
    EXPECT_EQ(text.find("Zzcanary"), std::string::npos) << e.action();
  }
  EXPECT_TRUE(disclosed);
  const std::string log = server_.log();
  EXPECT_EQ(log.find("Canarybright"), std::string::npos);
  EXPECT_EQ(log.find("Zzcanary"), std::string::npos);
}

}  // namespace
}  // namespace hubtable::testing
