#include "net/connection.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "net/connection_manager.h"
#include "net/http_session.h"
#include "net/log_throttle.h"
#include "net/strand_sink.h"
#include "net/tls_context.h"
#include "wire/envelope_codec.h"

namespace hubtable::net {

namespace v1 = hubtable::v1;

Connection::Connection(tcp::socket socket, ssl::context& tls, ConnectionManager& manager,
                       api::RequestSink& service, const config::Limits& limits,
                       std::string remote_address)
    : stream_(std::move(socket), tls),
      deadline_(stream_.get_executor()),
      manager_(manager),
      service_(service),
      limits_(limits),
      remote_address_(std::move(remote_address)),
      decoder_(limits.max_frame_bytes),
      rate_(limits.request_burst, limits.requests_per_second) {}

Connection::~Connection() {
  manager_.release(this, remote_address_);
  if (!rejected_.empty()) {
    service_.record_rejected_frames({remote_address_, thumbprint_, 0, {}}, rejected_);
  }
}

void Connection::reject(const std::string& rule) { ++rejected_[rule]; }

void Connection::start() {
  events_ = std::make_shared<StrandSink>(shared_from_this(), stream_.get_executor(),
                                         &Connection::push_event);
  arm_deadline(Clock::now() + limits_.handshake_timeout, "handshake");
  stream_.async_handshake(
      [self = shared_from_this()](const error_code& ec) { self->on_handshake(ec); });
}

void Connection::drain() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->begin_drain(); });
}

void Connection::arm_deadline(Clock::time_point when, const char* what) {
  deadline_.arm(shared_from_this(), when, what, &Connection::on_deadline);
}

void Connection::on_deadline(const char* what) {
  if (closed_) return;
  log_throttled(client_log_throttle(), spdlog::level::info,
                "closing connection from {}: {} deadline passed", remote_address_, what);
  close();
}

void Connection::on_handshake(const error_code& ec) {
  if (closed_) return;
  if (ec) {
    // Say why a client certificate was refused (revoked, expired, another CA).
    const long verify = SSL_get_verify_result(stream_.native_handle());
    log_throttled(client_log_throttle(), spdlog::level::info, "TLS handshake from {} failed: {}{}",
                  remote_address_, ec.message(),
                  verify == X509_V_OK ? std::string()
                                      : std::string(" (client certificate: ") +
                                            X509_verify_cert_error_string(verify) + ")");
    close();
    return;
  }
  const Protocol protocol = negotiated_protocol(stream_.native_handle());
  if (protocol == Protocol::kNone) {
    log_throttled(client_log_throttle(), spdlog::level::info,
                  "connection from {} negotiated neither ALPN hubtable/1 nor http/1.1",
                  remote_address_);
    begin_shutdown();
    return;
  }
  thumbprint_ = peer_thumbprint(stream_.native_handle());
  handshake_done_ = true;
  if (draining_) {
    begin_shutdown();
    return;
  }
  if (protocol == Protocol::kHttp) {
    // A browser: the HTTP session owns the stream from here on, and this
    // connection (its admission slot) lives as long as it does.
    deadline_.cancel();
    auto session = std::make_shared<HttpSession>(shared_from_this(), stream_, service_, limits_,
                                                 remote_address_, thumbprint_);
    http_ = session;
    session->start();
    return;
  }
  do_read();
}

void Connection::wait_for_workers() {
  // The server is the slow one: the frame deadline is the client's, so it
  // does not run while reading waits on the workers (an idle one does).
  if (waiting_for_workers_) return;
  waiting_for_workers_ = true;
  arm_deadline(Clock::now() + limits_.idle_timeout, "idle");
}

void Connection::do_read() {
  if (closed_ || shutting_down_ || reading_ || !handshake_done_) return;
  if (draining_ || close_after_flush_) return;
  // A client that does not read its answers keeps its deadline running.
  if (static_cast<int>(write_queue_.size()) >= limits_.max_queued_writes)
    return;  // on_write resumes
  if (in_flight_ >= limits_.max_in_flight) {
    wait_for_workers();  // on_response resumes
    return;
  }
  if (pending_begin_ != pending_end_) {
    process_pending();
    if (pending_begin_ != pending_end_ || closed_ || close_after_flush_) {
      if (in_flight_ >= limits_.max_in_flight) wait_for_workers();
      return;
    }
  }
  if (waiting_for_workers_) {
    waiting_for_workers_ = false;
    // A frame half read when reading paused gets its full time from now.
    if (decoder_.in_frame()) frame_started_ = Clock::now();
  }
  reading_ = true;
  if (decoder_.in_frame()) {
    arm_deadline(frame_started_ + limits_.frame_timeout, "frame");
  } else {
    arm_deadline(Clock::now() + limits_.idle_timeout, "idle");
  }
  stream_.async_wait_readable(
      [self = shared_from_this()](const error_code& ec) { self->on_readable(ec); });
}

void Connection::on_readable(const error_code& wait_error) {
  reading_ = false;
  if (closed_) return;
  if (shutting_down_) {
    // A wait cancelled to make way for the TLS shutdown.
    stream_.async_shutdown([self = shared_from_this()](const error_code&) { self->close(); });
    return;
  }
  error_code ec = wait_error;
  std::size_t n = 0;
  if (!ec) {
    if (!read_buffer_) read_buffer_ = std::make_unique<std::uint8_t[]>(kReadChunkBytes);
    n = stream_.read_some(asio::buffer(read_buffer_.get(), kReadChunkBytes), ec);
  }
  if (ec == asio::error::would_block) {
    read_buffer_.reset();  // part of a record: wait again, holding nothing
    do_read();
    return;
  }
  if (ec) {
    if (ec != asio::error::eof && ec != ssl::error::stream_truncated) {
      spdlog::debug("read from {} failed: {}", remote_address_, ec.message());
    }
    close();
    return;
  }
  pending_begin_ = 0;
  pending_end_ = n;
  process_pending();
  do_read();
}

void Connection::process_pending() {
  while (pending_begin_ < pending_end_ && !closed_ && !close_after_flush_) {
    if (in_flight_ >= limits_.max_in_flight ||
        static_cast<int>(write_queue_.size()) >= limits_.max_queued_writes) {
      return;
    }
    const bool was_in_frame = decoder_.in_frame();
    auto result = decoder_.feed(std::span<const std::uint8_t>(read_buffer_.get() + pending_begin_,
                                                              pending_end_ - pending_begin_));
    pending_begin_ += result.consumed;
    if (!was_in_frame && decoder_.in_frame()) frame_started_ = Clock::now();
    switch (result.status) {
      case wire::FrameDecoder::Status::kNeedMore:
        break;
      case wire::FrameDecoder::Status::kFrame:
        handle_frame(decoder_.take_frame());
        break;
      case wire::FrameDecoder::Status::kTooLarge: {
        const std::string rule = "protocol.frame_too_large";
        enqueue(wire::error_envelope(0, v1::RESOURCE_EXHAUSTED,
                                     "frame of " + std::to_string(decoder_.declared_length()) +
                                         " bytes exceeds the limit of " +
                                         std::to_string(limits_.max_frame_bytes) + " bytes",
                                     rule));
        reject(rule);
        close_after_flush_ = true;
        pending_begin_ = pending_end_;
        return;
      }
    }
  }
  if (pending_begin_ == pending_end_) read_buffer_.reset();  // drained: hold no buffer
}

void Connection::handle_frame(const std::string& payload) {
  // The rate limit comes before any work: only the request id is read, to
  // address the refusal.
  if (!rate_.take()) {
    const v1::Status refused = rate_refusal(rate_);
    v1::Envelope refusal = wire::error_envelope(wire::peek_request_id(payload), refused.code(),
                                                refused.message(), refused.rule());
    *refusal.mutable_response()->mutable_status() = refused;
    enqueue(refusal);
    reject(refused.rule());
    return;
  }
  auto parsed = wire::parse_request(payload);
  if (!parsed.ok()) {
    // A client that sends something other than a request is broken or
    // hostile: answer once and end the connection.
    v1::Envelope refusal = wire::parse_error_envelope(parsed.status());
    refusal.set_request_id(wire::peek_request_id(payload));
    enqueue(refusal);
    reject(wire::rule_of(parsed.status()));
    close_after_flush_ = true;
    return;
  }
  const std::uint64_t request_id = parsed->envelope.request_id();
  ++in_flight_;
  api::RequestContext ctx{remote_address_, thumbprint_, request_id, events_};
  auto work = asio::make_work_guard(stream_.get_executor());
  const bool queued = service_.submit(
      std::move(ctx), std::move(*parsed->envelope.mutable_request()),
      [self = shared_from_this(), work](v1::Envelope response) mutable {
        asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
          self->on_response(response);
        });
        work.reset();
      });
  if (!queued) reject("limits.worker_queue");
}

void Connection::on_response(const v1::Envelope& envelope) {
  --in_flight_;
  if (closed_) return;
  enqueue(envelope);
  if (draining_ && idle()) begin_shutdown();
  do_read();
}

void Connection::enqueue(const v1::Envelope& envelope) {
  if (closed_) return;
  write_queue_.push_back(wire::encode_frame(envelope.SerializeAsString()));
  if (!writing_) do_write();
}

void Connection::push_event(const v1::Event& event) {
  if (closed_ || draining_) return;
  if (static_cast<int>(write_queue_.size()) >= limits_.max_queued_writes) {
    spdlog::debug("event for {} dropped: write queue full", remote_address_);
    return;
  }
  v1::Envelope env;
  env.set_version(wire::kProtocolVersion);
  *env.mutable_event() = event;
  enqueue(env);
}

void Connection::do_write() {
  if (closed_ || write_queue_.empty()) return;
  writing_ = true;
  asio::async_write(
      stream_, asio::buffer(write_queue_.front()),
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_write(ec); });
}

void Connection::on_write(const error_code& ec) {
  writing_ = false;
  if (closed_) return;
  if (ec) {
    spdlog::debug("write to {} failed: {}", remote_address_, ec.message());
    close();
    return;
  }
  write_queue_.pop_front();
  if (!write_queue_.empty()) {
    do_write();
    return;
  }
  if (close_after_flush_ || (draining_ && idle())) {
    begin_shutdown();
    return;
  }
  do_read();
}

void Connection::begin_drain() {
  if (auto http = http_.lock()) {
    http->drain();
    return;
  }
  if (closed_ || draining_) return;
  draining_ = true;
  arm_deadline(Clock::now() + limits_.drain_timeout, "drain");
  if (!handshake_done_) return;  // on_handshake will shut down
  if (idle()) begin_shutdown();
}

void Connection::begin_shutdown() {
  if (closed_ || shutting_down_) return;
  shutting_down_ = true;
  arm_deadline(Clock::now() + std::min<std::chrono::milliseconds>(limits_.drain_timeout,
                                                                  std::chrono::seconds(2)),
               "shutdown");
  if (reading_) {
    error_code ignored;
    stream_.lowest_layer().cancel(ignored);  // on_read continues with the shutdown
    return;
  }
  stream_.async_shutdown([self = shared_from_this()](const error_code&) { self->close(); });
}

void Connection::close() {
  if (closed_) return;
  closed_ = true;
  deadline_.cancel();
  error_code ignored;
  stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
}

}  // namespace hubtable::net
