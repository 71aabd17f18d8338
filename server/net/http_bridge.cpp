#include "net/http_bridge.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "crypto/bytes.h"
#include "net/web_assets.h"

namespace hubtable::net::http {

namespace v1 = hubtable::v1;
namespace pb = google::protobuf;

namespace {

constexpr std::string_view kApiPrefix = "/api/v1/";
constexpr const char* kJson = "application/json";

absl::string_view view(std::string_view s) { return {s.data(), s.size()}; }

// A refusal lifted by waiting says how long in HTTP's terms too (whole
// seconds, rounded up), beside the body's retryAfterMs.
void add_retry_after(Answer& a, const v1::Status& status) {
  if (status.retry_after_ms() == 0) return;
  a.headers.push_back({"Retry-After", std::to_string((status.retry_after_ms() + 999) / 1000)});
}

}  // namespace

Answer refusal(v1::Status status) {
  v1::Response r;
  *r.mutable_status() = std::move(status);
  Answer a;
  a.status = http_status(r.status().code());
  a.rule = r.status().rule();
  a.content_type = kJson;
  add_retry_after(a, r.status());
  pb::util::JsonPrintOptions options;
  (void)pb::util::MessageToJsonString(r, &a.body, options);
  return a;
}

Answer refusal(v1::Code code, const std::string& rule, const std::string& message) {
  v1::Status status;
  status.set_code(code);
  status.set_rule(rule);
  status.set_message(message);
  return refusal(std::move(status));
}

namespace {

Plan answer(Answer a) {
  Plan p;
  p.kind = Plan::Kind::kAnswer;
  p.answer = std::move(a);
  return p;
}

/// The field of Request's `kind` whose message is named `name`.
const pb::FieldDescriptor* kind_named(std::string_view name) {
  const auto* oneof = v1::Request::descriptor()->FindOneofByName("kind");
  for (int i = 0; i < oneof->field_count(); ++i) {
    const auto* field = oneof->field(i);
    if (field->message_type() != nullptr && field->message_type()->name() == name) return field;
  }
  return nullptr;
}

/// The request the event stream makes: the one the command line's `watch`
/// makes (the bridge's one named request).
const pb::FieldDescriptor* events_kind() {
  static const pb::FieldDescriptor* field = kind_named("WatchRequest");
  return field;
}

/// Same-origin requests only: a page elsewhere can neither read nor change.
std::optional<Answer> check_origin(const Incoming& in, bool changes) {
  if (!in.sec_fetch_site.empty() && in.sec_fetch_site != "same-origin") {
    return refusal(v1::PERMISSION_DENIED, "http.cross_site",
                   "requests from another site are refused");
  }
  if (changes && in.csrf != "1") {
    return refusal(v1::PERMISSION_DENIED, "http.csrf_header_missing",
                   std::string("calls must carry the header ") + std::string(kCsrfHeader) + ": 1");
  }
  return std::nullopt;
}

Plan call(const Incoming& in, std::string_view name) {
  if (in.method != "POST") {
    Answer a = refusal(v1::INVALID_ARGUMENT, "http.method", "calls are POST requests");
    a.status = 405;
    a.headers.push_back({"Allow", "POST"});
    return answer(std::move(a));
  }
  if (auto refused = check_origin(in, true)) return answer(std::move(*refused));
  if (in.content_type != kJson) {
    Answer a = refusal(v1::INVALID_ARGUMENT, "http.content_type",
                       "calls carry a JSON body (Content-Type: application/json)");
    a.status = 415;
    return answer(std::move(a));
  }
  const auto* field = kind_named(name);
  if (field == nullptr) {
    return answer(refusal(v1::NOT_FOUND, "http.unknown_request", "there is no such request"));
  }
  if (field == events_kind()) {
    return answer(refusal(v1::INVALID_ARGUMENT, "http.watch_is_a_stream",
                          "events are read from the event stream, not called"));
  }
  Plan p;
  p.kind = Plan::Kind::kCall;
  auto* body = p.request.GetReflection()->MutableMessage(&p.request, field);
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const std::string text = in.body.empty() ? std::string("{}") : in.body;
  if (auto st = pb::util::JsonStringToMessage(text, body, options); !st.ok()) {
    // The parser's message may quote the body: say only that it was not read.
    return answer(refusal(v1::INVALID_ARGUMENT, "http.bad_json",
                          "the body is not a " + std::string(name) +
                              " in the JSON mapping (unknown field, wrong type or not JSON)"));
  }
  p.request.set_session_token(session_token(in.cookie));
  return p;
}

Plan events(const Incoming& in) {
  if (in.method != "GET") {
    Answer a = refusal(v1::INVALID_ARGUMENT, "http.method", "the event stream is read with GET");
    a.status = 405;
    a.headers.push_back({"Allow", "GET"});
    return answer(std::move(a));
  }
  if (auto refused = check_origin(in, false)) return answer(std::move(*refused));
  Plan p;
  p.kind = Plan::Kind::kEvents;
  // What was pushed while the person was away comes first.
  auto* watch = p.request.GetReflection()->MutableMessage(&p.request, events_kind());
  watch->GetReflection()->SetBool(watch, watch->GetDescriptor()->FindFieldByName("replay"), true);
  p.request.set_session_token(session_token(in.cookie));
  return p;
}

std::string cookie(std::string_view value, bool clear) {
  std::string out = std::string(kCookieName) + "=" + std::string(value) +
                    "; Secure; HttpOnly; SameSite=Strict; Path=/";
  if (clear) out += "; Max-Age=0";
  return out;
}

}  // namespace

unsigned http_status(v1::Code code) {
  switch (code) {
    case v1::OK:
      return 200;
    case v1::INVALID_ARGUMENT:
    case v1::OUT_OF_RANGE:
      return 400;
    case v1::UNAUTHENTICATED:
      return 401;
    case v1::PERMISSION_DENIED:
      return 403;
    case v1::NOT_FOUND:
      return 404;
    case v1::ALREADY_EXISTS:
    case v1::ABORTED:
    case v1::FAILED_PRECONDITION:
      return 409;
    case v1::RESOURCE_EXHAUSTED:
      return 429;
    case v1::UNIMPLEMENTED:
      return 501;
    case v1::UNAVAILABLE:
      return 503;
    case v1::DEADLINE_EXCEEDED:
      return 504;
    default:
      return 500;
  }
}

std::string session_token(std::string_view cookie_header) {
  for (absl::string_view part : absl::StrSplit(view(cookie_header), ';')) {
    part = absl::StripAsciiWhitespace(part);
    if (!absl::ConsumePrefix(&part, view(kCookieName)) || !absl::ConsumePrefix(&part, "=")) {
      continue;
    }
    auto bytes = crypto::from_hex(std::string_view(part.data(), part.size()));
    if (!bytes) return {};
    return std::string(bytes->begin(), bytes->end());
  }
  return {};
}

Plan plan(const Incoming& in) {
  std::string_view path(in.target);
  path = path.substr(0, path.find('?'));
  if (path == kEventsPath) return events(in);
  if (path.substr(0, kApiPrefix.size()) == kApiPrefix) {
    return call(in, path.substr(kApiPrefix.size()));
  }
  if (in.method != "GET" && in.method != "HEAD") {
    Answer a = refusal(v1::INVALID_ARGUMENT, "http.method", "the page is read with GET");
    a.status = 405;
    a.headers.push_back({"Allow", "GET, HEAD"});
    return answer(std::move(a));
  }
  const WebAsset* asset = find_web_asset(path == "/" ? "/index.html" : path);
  if (asset == nullptr) {
    return answer(refusal(v1::NOT_FOUND, "http.not_found", "there is no such page"));
  }
  Answer a;
  a.content_type = std::string(asset->content_type);
  a.body = std::string(asset->body);
  return answer(std::move(a));
}

namespace {
/// The message the response's `kind` holds, or nullptr.
pb::Message* kind_of(v1::Response& response) {
  const auto* oneof = v1::Response::descriptor()->FindOneofByName("kind");
  const auto* field = response.GetReflection()->GetOneofFieldDescriptor(response, oneof);
  if (field == nullptr || field->message_type() == nullptr) return nullptr;
  return response.GetReflection()->MutableMessage(&response, field);
}
}  // namespace

// By the answer's shape, not its kind: a `session_token` moves into the
// cookie, a true `session_ended` (or a refused session) clears it.
Answer answer_for(v1::Response response) {
  Answer a;
  a.status = http_status(response.status().code());
  a.content_type = kJson;
  bool clear = response.status().code() == v1::UNAUTHENTICATED;
  if (pb::Message* body = kind_of(response)) {
    const auto* reflection = body->GetReflection();
    const auto* token = body->GetDescriptor()->FindFieldByName("session_token");
    if (token != nullptr && token->type() == pb::FieldDescriptor::TYPE_BYTES &&
        !reflection->GetString(*body, token).empty()) {
      const std::string value = reflection->GetString(*body, token);
      a.headers.push_back({"Set-Cookie", cookie(crypto::to_hex(crypto::as_bytes(value)), false)});
      reflection->ClearField(body, token);
    }
    const auto* ended = body->GetDescriptor()->FindFieldByName("session_ended");
    if (ended != nullptr && ended->type() == pb::FieldDescriptor::TYPE_BOOL &&
        reflection->GetBool(*body, ended)) {
      clear = true;
    }
  }
  if (clear) a.headers.push_back({"Set-Cookie", cookie("", true)});
  add_retry_after(a, response.status());
  pb::util::JsonPrintOptions options;
  (void)pb::util::MessageToJsonString(response, &a.body, options);
  return a;
}

std::vector<v1::Event> events_in(const v1::Response& response) {
  return {response.watch().missed().begin(), response.watch().missed().end()};
}

std::string event_record(const v1::Event& event) {
  std::string json;
  pb::util::JsonPrintOptions options;
  (void)pb::util::MessageToJsonString(event, &json, options);
  // One "message" per event (its kind is in the JSON, which holds no raw
  // newline), so that the page's one handler reads them all.
  return "id: " + std::to_string(event.seq()) + "\ndata: " + json + "\n\n";
}

const std::vector<Header>& security_headers() {
  static const std::vector<Header> headers = {
      {"Content-Security-Policy",
       "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"},
      {"Strict-Transport-Security", "max-age=63072000"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Cache-Control", "no-store"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
  };
  return headers;
}

}  // namespace hubtable::net::http
