#pragma once
// A browser's side of the one port, for tests: HTTPS over TLS with ALPN
// http/1.1 and a client certificate (or none), requests on one kept-alive
// connection, answers read whole, and an event stream read as it comes.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/profile.h"

namespace hubtable::testing {

struct HttpsReply {
  unsigned status = 0;
  std::multimap<std::string, std::string> headers;  // names in lower case
  std::string body;

  /// The header's (first) value, or empty.
  std::string header(const std::string& lower_name) const;
};

class HttpsClient {
 public:
  struct Options {
    bool present_certificate = true;
    std::vector<std::string> alpn = {"http/1.1"};
    /// Another client certificate and key than the profile's.
    std::optional<std::pair<std::filesystem::path, std::filesystem::path>> certificate;
  };

  /// Connects and completes the handshake; the error says why not.
  static absl::StatusOr<std::unique_ptr<HttpsClient>> connect(const client::Profile& profile,
                                                              Options options);
  static absl::StatusOr<std::unique_ptr<HttpsClient>> connect(const client::Profile& profile) {
    return connect(profile, Options{});
  }
  ~HttpsClient();

  /// One request; `headers` as given (a browser's, e.g. Sec-Fetch-Site).
  /// Fails when the connection ends before a whole answer.
  absl::StatusOr<HttpsReply> request(const std::string& method, const std::string& target,
                                     const std::string& body,
                                     const std::map<std::string, std::string>& headers);
  /// A call as the page makes it: POST, JSON, the CSRF header, the cookie.
  absl::StatusOr<HttpsReply> call(const std::string& request_name, const std::string& json,
                                  const std::string& cookie);

  /// Opens the event stream with `cookie`; the reply's body is what came
  /// with the headers.
  absl::StatusOr<HttpsReply> open_events(const std::string& cookie);
  /// Reads the event stream until `text` has come (true) or `timeout`.
  bool read_events_until(const std::string& text, std::chrono::milliseconds timeout);
  const std::string& events_read() const { return events_; }

  struct Impl;  // the connection (public for the file's helpers)

 private:
  explicit HttpsClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string events_;
};

/// "__Host-hubtable=HEX" from a login's Set-Cookie, or empty.
std::string session_cookie(const HttpsReply& login);

}  // namespace hubtable::testing
