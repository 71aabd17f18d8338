// Fuzz target: the browser's HTTP/JSON bridge without a socket. The input is
// an HTTP request's parts, one per line (method, target, Cookie,
// Sec-Fetch-Site, X-Hubtable-CSRF, Content-Type), then the body; it goes
// through the bridge's plan (origin checks, the JSON mapping into a Request),
// the cookie reader, and, read as a Response, the answer's JSON mapping.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "net/http_bridge.h"
#include "tests/fuzz/quiet_protobuf.h"

namespace {

std::string next_line(std::string_view& rest) {
  const auto end = rest.find('\n');
  std::string line(rest.substr(0, end));
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hubtable::fuzz::quiet_protobuf();
  namespace http = hubtable::net::http;
  std::string_view rest(reinterpret_cast<const char*>(data), size);  // NOLINT
  http::Incoming in;
  for (std::string* field :
       {&in.method, &in.target, &in.cookie, &in.sec_fetch_site, &in.csrf, &in.content_type}) {
    *field = next_line(rest);
  }
  in.body = std::string(rest);
  const http::Plan plan = http::plan(in);
  if (plan.kind != http::Plan::Kind::kAnswer &&
      plan.request.kind_case() == hubtable::v1::Request::KIND_NOT_SET) {
    __builtin_trap();  // a call names what it calls
  }
  if (plan.kind == http::Plan::Kind::kAnswer && plan.answer.status < 100) __builtin_trap();
  (void)http::session_token(in.cookie);
  hubtable::v1::Response response;
  if (response.ParseFromArray(in.body.data(), static_cast<int>(in.body.size()))) {
    const http::Answer answer = http::answer_for(response);
    if (answer.status < 100 || answer.status > 599) __builtin_trap();
    for (const auto& e : http::events_in(response)) (void)http::event_record(e);
  }
  return 0;
}
