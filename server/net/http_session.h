#pragma once
// A browser's connection after the TLS handshake (ALPN http/1.1): HTTP/1.1
// requests read one at a time with Boost.Beast, each answered from the
// embedded page or through the same RequestSink as the framed protocol (the
// dispatcher, authorization and audit are the same); or, for the event
// stream, Server-Sent Events until the connection closes.
//
// Limits are the framed protocol's: a body over max_frame_bytes is refused
// with 413 and the connection closed, a request must arrive within the idle
// timeout, each request costs a token of the connection's rate, and the
// event stream drops events while its write queue is full.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "wire/asio.h"  // before Beast: <utility> first

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "api/request_sink.h"
#include "config/limits.h"
#include "net/deadline.h"
#include "net/http_bridge.h"
#include "net/tls_stream.h"
#include "net/token_bucket.h"

namespace hubtable::net {

/// Every member is touched only on the stream's executor (the connection's
/// strand). Lifetime: shared by pending handlers; it holds `owner`, which
/// owns the stream, until it ends.
class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<void> owner, TlsStream& stream, api::RequestSink& service,
              const config::Limits& limits, std::string remote_address, std::string thumbprint);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  void start();
  /// Thread-safe: finish the request in hand, then close.
  void drain();

 private:
  using Clock = std::chrono::steady_clock;
  using Parser = boost::beast::http::request_parser<boost::beast::http::string_body>;

  void do_read();
  void on_read(const error_code& ec);
  /// Submits the planned request; answers when the service does.
  void call(hubtable::v1::Request request, bool events);
  void on_called(const hubtable::v1::Envelope& envelope, bool events);
  /// Writes `answer` with the security headers; then reads the next request
  /// or, when `keep_alive` is false or draining, closes.
  void answer(http::Answer answer, bool keep_alive);
  void open_stream(const std::vector<hubtable::v1::Event>& missed);
  void push_event(const hubtable::v1::Event& event);
  void write_stream(std::string bytes);
  void do_write_stream();
  void heartbeat();
  void begin_drain();
  void linger();
  void shutdown();
  void close();
  void arm_deadline(Clock::time_point when, const char* what);
  void on_deadline(const char* what);
  /// Counts a request refused before the service saw it.
  void reject(const std::string& rule) { ++rejected_[rule]; }

  std::shared_ptr<void> owner_;
  TlsStream& stream_;
  api::RequestSink& service_;
  const config::Limits& limits_;
  const std::string remote_address_;
  const std::string thumbprint_;
  std::shared_ptr<api::EventSink> events_;

  boost::beast::flat_buffer buffer_;
  std::optional<Parser> parser_;
  Deadline deadline_;
  asio::steady_timer heartbeat_;
  TokenBucket rate_;
  std::uint64_t next_request_id_ = 1;
  std::map<std::string, std::uint64_t> rejected_;

  bool reading_ = false;
  bool streaming_ = false;  // the event stream is open
  bool writing_ = false;
  bool draining_ = false;
  bool shutting_down_ = false;
  bool tls_closing_ = false;  // the TLS close_notify is under way
  bool closed_ = false;
  bool linger_ = false;       // read and drop the rest of a refused body before closing
  std::size_t lingered_ = 0;  // bytes dropped so far
  std::deque<std::string> stream_queue_;
};

}  // namespace hubtable::net
