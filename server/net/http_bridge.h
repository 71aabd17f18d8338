#pragma once
// The browser's side of the one port: what an HTTPS request asks for, read
// without any socket. `POST /api/v1/<RequestName>` carries a request message
// in protobuf's JSON mapping and is answered with the Response in the same
// mapping; the Request envelope's kinds are the only list of what exists (no
// per-endpoint code). `GET /api/v1/events` opens the live events (Server-Sent
// Events). Anything else is one of the page's embedded files.
//
// Sessions: the token travels only in a `__Host-` cookie (Secure, HttpOnly,
// SameSite=Strict) and is checked by the same dispatcher as the framed
// protocol's, bound to the certificate it was issued to. Calls must carry
// `X-Hubtable-CSRF: 1` and `Content-Type: application/json` (neither a form
// nor a cross-site fetch can without a preflight, which is never granted),
// and an API request whose `Sec-Fetch-Site` is not same-origin is refused.

#include <string>
#include <string_view>
#include <vector>

#include "hubtable/v1/envelope.pb.h"

namespace hubtable::net::http {

inline constexpr std::string_view kCookieName = "__Host-hubtable";
inline constexpr std::string_view kCsrfHeader = "X-Hubtable-CSRF";
inline constexpr std::string_view kEventsPath = "/api/v1/events";

struct Header {
  std::string name;
  std::string value;
};

/// An answer, before the headers every answer carries.
struct Answer {
  unsigned status = 200;
  std::string rule;  // a refusal's rule, also counted in the audit; empty otherwise
  std::string content_type;
  std::string body;
  std::vector<Header> headers;
};

/// The parts of an HTTP request the bridge reads.
struct Incoming {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/api/v1/LoginRequest"
  std::string cookie;  // the Cookie header(s), joined with "; "
  std::string sec_fetch_site;
  std::string csrf;          // the X-Hubtable-CSRF header
  std::string content_type;  // without parameters folded in
  std::string body;
};

/// A refusal made before the service sees the request, shaped like any
/// Response so that the page reads every failure the same way; its HTTP
/// status is its code's.
Answer refusal(hubtable::v1::Code code, const std::string& rule, const std::string& message);
/// The same for a whole Status; one with retry_after_ms also gets a
/// Retry-After header.
Answer refusal(hubtable::v1::Status status);

/// What to do with a request.
struct Plan {
  enum class Kind {
    kAnswer,  // answer `answer` now
    kCall,    // submit `request`, answer with answer_for()
    kEvents,  // submit `request` (a watch) and stream what it pushes
  };
  Kind kind = Kind::kAnswer;
  Answer answer;
  hubtable::v1::Request request;
};

Plan plan(const Incoming& in);

/// The answer to a call: the Response in the JSON mapping with the HTTP
/// status of its code. A session token (a login's) goes into the cookie,
/// never the body; an ended session (a logout's) or a refused one clears it.
Answer answer_for(hubtable::v1::Response response);

/// The events an answer to the event stream's request brings (what was
/// pushed while the person was away), oldest first.
std::vector<hubtable::v1::Event> events_in(const hubtable::v1::Response& response);

/// The HTTP status for a status code.
unsigned http_status(hubtable::v1::Code code);

/// One Server-Sent Events record: "id: SEQ\ndata: JSON\n\n".
std::string event_record(const hubtable::v1::Event& event);

/// Headers on every answer: the Content-Security-Policy (no inline script,
/// no framing), HSTS, nosniff, no referrer, and no caching (case data).
const std::vector<Header>& security_headers();

/// The token in a Cookie header, or empty.
std::string session_token(std::string_view cookie_header);

}  // namespace hubtable::net::http
