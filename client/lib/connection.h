#pragma once
// A client's TLS connection to hubtabled: framing, request ids, pipelining.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "hubtable/v1/envelope.pb.h"
#include "lib/profile.h"
#include "wire/asio.h"
#include "wire/frame.h"
#include "wire/protocol.h"

namespace hubtable::client {

/// Blocking calls with a deadline each. Not thread-safe: one thread uses a
/// connection. Transport failures are returned as absl errors (UNAVAILABLE:
/// cannot connect or connection lost; FAILED_PRECONDITION: TLS refused;
/// DEADLINE_EXCEEDED: no answer in time). A server's refusal is not a
/// transport failure: it arrives as a Response whose status is not OK.
class Connection {
 public:
  struct Options {
    std::chrono::milliseconds timeout{15000};
    std::size_t max_frame_bytes = wire::kDefaultMaxFrameBytes;
    std::string local_address;  // bind to this source address first (multi-homed hosts)
  };

  static absl::StatusOr<std::unique_ptr<Connection>> open(const Profile& profile, Options options);
  static absl::StatusOr<std::unique_ptr<Connection>> open(const Profile& profile) {
    return open(profile, Options{});
  }
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// The token sent with every request (empty: not logged in).
  void set_session_token(std::string token) { token_ = std::move(token); }

  /// Sends one request without waiting; returns its request id.
  /// INVALID_ARGUMENT, with nothing sent, when a string field is not UTF-8
  /// (naming the field) or the request is over the frame limit.
  absl::StatusOr<std::uint64_t> send(hubtable::v1::Request request);
  /// Waits for the response to `request_id`; other responses and events that
  /// arrive first are kept for later.
  absl::StatusOr<hubtable::v1::Response> wait(std::uint64_t request_id);
  /// send + wait. A refusal that did nothing and names a wait (the
  /// connection's request rate, a busy server: retry_after_ms) is waited out
  /// and the request sent again, for as long as the timeout allows; the
  /// refusal is returned once it does not.
  absl::StatusOr<hubtable::v1::Response> call(const hubtable::v1::Request& request);

  /// Writes bytes as they are (tests use it to send malformed input).
  absl::Status write_raw(std::string_view bytes);
  /// Reads the next frame as an Envelope.
  absl::StatusOr<hubtable::v1::Envelope> read_envelope();
  /// Pushed events received so far.
  std::deque<hubtable::v1::Event>& events() { return events_; }
  /// The next pushed event: one already received, or the next to arrive
  /// within the timeout (DEADLINE_EXCEEDED otherwise). Responses that arrive
  /// meanwhile are kept for wait().
  absl::StatusOr<hubtable::v1::Event> next_event();
  /// How long each blocking call may take from now on.
  void set_timeout(std::chrono::milliseconds timeout) { options_.timeout = timeout; }
  std::chrono::milliseconds timeout() const { return options_.timeout; }

 private:
  Connection(std::unique_ptr<ssl::context> tls, Options options);
  template <class Initiate>
  error_code run(Initiate&& initiate);
  absl::Status connect(const Profile& profile);
  absl::Status transport_error(const error_code& ec, const std::string& what) const;

  Options options_;
  asio::io_context io_;
  std::unique_ptr<ssl::context> tls_;
  ssl::stream<tcp::socket> stream_;
  std::string endpoint_text_;
  std::string token_;
  std::uint64_t next_id_ = 1;
  // Bytes read past the end of the last frame, for the next one.
  std::string pending_;
  wire::FrameDecoder decoder_{options_.max_frame_bytes};
  static constexpr std::size_t kReadChunkBytes = std::size_t{64} * 1024;
  std::map<std::uint64_t, hubtable::v1::Response> early_;
  std::deque<hubtable::v1::Event> events_;
};

/// How long `response` asks to wait before its request is sent again:
/// nullopt unless it is a refusal with retry_after_ms.
std::optional<std::chrono::milliseconds> retry_after(const hubtable::v1::Response& response);
/// Waits out the wait `response` names and returns true, when it names one
/// that ends before `give_up`: its request is then to be sent again.
bool waited_out(const hubtable::v1::Response& response,
                std::chrono::steady_clock::time_point give_up);

}  // namespace hubtable::client
