#pragma once
// One client connection: TLS handshake, frame reading with deadlines, request
// dispatch to the service, and an ordered, bounded write queue. A browser's
// connection (ALPN http/1.1) is handed to an HttpSession after the handshake.

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>

#include "api/request_sink.h"
#include "config/limits.h"
#include "net/deadline.h"
#include "net/tls_stream.h"
#include "net/token_bucket.h"
#include "wire/asio.h"
#include "wire/frame.h"

namespace hubtable::net {

class ConnectionManager;
class HttpSession;

/// Every member is touched only on the connection's strand (the socket's
/// executor). Lifetime: shared by pending handlers; the manager holds a weak
/// reference. Reading pauses while the write queue or the in-flight count is
/// at its limit, so a slow reader cannot make the server buffer without bound.
/// A frame costs a token of the connection's rate limit before any other
/// work; the first frame that is not a valid request ends the connection.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, ssl::context& tls, ConnectionManager& manager,
             api::RequestSink& service, const config::Limits& limits, std::string remote_address);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  /// Begins the handshake. Call once, after the manager has attached it.
  void start();
  /// Thread-safe: stop reading, finish in-flight requests, flush, close.
  void drain();

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::size_t kReadChunkBytes = std::size_t{16} * 1024;

  void on_handshake(const error_code& ec);
  void do_read();
  /// Reading pauses while the in-flight requests are at their limit.
  void wait_for_workers();
  /// The socket has something: reads it into a buffer that exists only
  /// while it holds unprocessed bytes.
  void on_readable(const error_code& ec);
  void process_pending();
  void handle_frame(const std::string& payload);
  /// Counts a frame refused before dispatch under `rule`; the counts are
  /// audited as one event when the connection ends.
  void reject(const std::string& rule);
  void on_response(const hubtable::v1::Envelope& envelope);
  void enqueue(const hubtable::v1::Envelope& envelope);
  /// On the strand: queues a pushed event unless the queue is full.
  void push_event(const hubtable::v1::Event& event);
  void do_write();
  void on_write(const error_code& ec);
  void begin_drain();
  void begin_shutdown();
  void close();
  void arm_deadline(Clock::time_point when, const char* what);
  void on_deadline(const char* what);
  bool idle() const { return in_flight_ == 0 && write_queue_.empty() && !writing_; }

  TlsStream stream_;
  Deadline deadline_;
  ConnectionManager& manager_;
  api::RequestSink& service_;
  const config::Limits& limits_;
  const std::string remote_address_;
  std::string thumbprint_;
  std::shared_ptr<api::EventSink> events_;  // handed weakly to the service (watch)

  wire::FrameDecoder decoder_;
  std::unique_ptr<std::uint8_t[]> read_buffer_;  // kReadChunkBytes while it holds bytes
  std::size_t pending_begin_ = 0;                // unprocessed bytes of read_buffer_
  std::size_t pending_end_ = 0;
  Clock::time_point frame_started_{};

  std::deque<std::string> write_queue_;
  int in_flight_ = 0;
  bool handshake_done_ = false;
  bool reading_ = false;
  bool writing_ = false;
  bool draining_ = false;  // no new requests; close once idle
  bool close_after_flush_ = false;
  bool shutting_down_ = false;
  bool closed_ = false;
  bool waiting_for_workers_ = false;  // reading paused at max_in_flight

  TokenBucket rate_;
  std::weak_ptr<HttpSession> http_;                // a browser's connection, after the handshake
  std::map<std::string, std::uint64_t> rejected_;  // rule -> frames refused before dispatch
};

}  // namespace hubtable::net
