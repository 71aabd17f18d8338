#include "net/http_session.h"

#include <spdlog/spdlog.h>

#include <cctype>

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "net/log_throttle.h"
#include "net/strand_sink.h"

namespace hubtable::net {

namespace v1 = hubtable::v1;
namespace bhttp = boost::beast::http;

namespace {
// Headers and request line; a browser's are far smaller.
constexpr std::uint32_t kHeaderLimit = 16 * 1024;
// A comment line keeps an idle event stream (and its proxies) open.
constexpr auto kHeartbeat = std::chrono::seconds(20);

std::string header_value(const bhttp::request<bhttp::string_body>& r, std::string_view name) {
  auto it = r.find(boost::beast::string_view(name.data(), name.size()));
  return it == r.end() ? std::string() : std::string(it->value());
}

/// The Cookie header(s), joined as one.
std::string cookies(const bhttp::request<bhttp::string_body>& r) {
  std::string out;
  for (auto it = r.find(bhttp::field::cookie); it != r.end() && it->name() == bhttp::field::cookie;
       ++it) {
    if (!out.empty()) out += "; ";
    out.append(it->value().data(), it->value().size());
  }
  return out;
}

/// The media type without its parameters ("application/json; charset=utf-8").
std::string media_type(std::string value) {
  value = value.substr(0, value.find(';'));
  while (!value.empty() && value.back() == ' ') value.pop_back();
  for (auto& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value;
}
}  // namespace

HttpSession::HttpSession(std::shared_ptr<void> owner, TlsStream& stream, api::RequestSink& service,
                         const config::Limits& limits, std::string remote_address,
                         std::string thumbprint)
    : owner_(std::move(owner)),
      stream_(stream),
      service_(service),
      limits_(limits),
      remote_address_(std::move(remote_address)),
      thumbprint_(std::move(thumbprint)),
      deadline_(stream.get_executor()),
      heartbeat_(stream.get_executor()),
      rate_(limits.request_burst, limits.requests_per_second) {}

HttpSession::~HttpSession() {
  if (!rejected_.empty()) {
    service_.record_rejected_frames({remote_address_, thumbprint_, 0, {}}, rejected_);
  }
}

void HttpSession::start() {
  events_ = std::make_shared<StrandSink>(shared_from_this(), stream_.get_executor(),
                                         &HttpSession::push_event);
  do_read();
}

void HttpSession::drain() {
  asio::post(stream_.get_executor(), [self = shared_from_this()] { self->begin_drain(); });
}

void HttpSession::arm_deadline(Clock::time_point when, const char* what) {
  deadline_.arm(shared_from_this(), when, what, &HttpSession::on_deadline);
}

void HttpSession::on_deadline(const char* what) {
  if (closed_) return;
  log_throttled(client_log_throttle(), spdlog::level::info,
                "closing HTTPS connection from {}: {} deadline passed", remote_address_, what);
  close();
}

void HttpSession::do_read() {
  if (closed_ || shutting_down_ || reading_) return;
  if (draining_) {
    shutdown();
    return;
  }
  parser_.emplace();
  parser_->header_limit(kHeaderLimit);
  parser_->body_limit(limits_.max_frame_bytes);
  reading_ = true;
  arm_deadline(Clock::now() + limits_.idle_timeout, "idle");
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const error_code& ec, std::size_t) { self->on_read(ec); });
}

void HttpSession::on_read(const error_code& ec) {
  reading_ = false;
  if (closed_) return;
  if (shutting_down_) {
    shutdown();  // a read cancelled to make way for the TLS close
    return;
  }
  if (ec == bhttp::error::body_limit) {
    http::Answer a = http::refusal(
        v1::RESOURCE_EXHAUSTED, "protocol.frame_too_large",
        "the body exceeds the limit of " + std::to_string(limits_.max_frame_bytes) + " bytes");
    a.status = 413;
    reject(a.rule);
    linger_ = true;
    answer(std::move(a), false);
    return;
  }
  if (ec) {
    if (ec != bhttp::error::end_of_stream && ec != ssl::error::stream_truncated &&
        ec != asio::error::eof) {
      log_throttled(client_log_throttle(), spdlog::level::info,
                    "HTTPS request from {} not read: {}", remote_address_, ec.message());
    }
    close();
    return;
  }
  auto request = parser_->release();
  const bool keep_alive = request.keep_alive();
  if (!rate_.take()) {
    http::Answer a = http::refusal(rate_refusal(rate_));
    reject(a.rule);
    answer(std::move(a), keep_alive);
    return;
  }
  http::Incoming in;
  in.method = std::string(request.method_string());
  in.target = std::string(request.target());
  in.cookie = cookies(request);
  in.sec_fetch_site = header_value(request, "Sec-Fetch-Site");
  in.csrf = header_value(request, http::kCsrfHeader);
  in.content_type = media_type(header_value(request, "Content-Type"));
  in.body = std::move(request.body());
  http::Plan plan = http::plan(in);
  switch (plan.kind) {
    case http::Plan::Kind::kAnswer:
      if (!plan.answer.rule.empty()) reject(plan.answer.rule);
      answer(std::move(plan.answer), keep_alive);
      return;
    case http::Plan::Kind::kCall:
      call(std::move(plan.request), false);
      return;
    case http::Plan::Kind::kEvents:
      call(std::move(plan.request), true);
      return;
  }
}

void HttpSession::call(v1::Request request, bool events) {
  // The service answers in its own time; the connection waits for it.
  deadline_.cancel();
  api::RequestContext ctx{
      remote_address_, thumbprint_, next_request_id_++,
      events ? std::weak_ptr<api::EventSink>(events_) : std::weak_ptr<api::EventSink>()};
  auto work = asio::make_work_guard(stream_.get_executor());
  service_.submit(std::move(ctx), std::move(request),
                  [self = shared_from_this(), events, work](v1::Envelope envelope) mutable {
                    asio::post(self->stream_.get_executor(),
                               [self, events, envelope = std::move(envelope)]() {
                                 self->on_called(envelope, events);
                               });
                    work.reset();
                  });
}

void HttpSession::on_called(const v1::Envelope& envelope, bool events) {
  if (closed_) return;
  if (events && envelope.response().status().code() == v1::OK) {
    open_stream(http::events_in(envelope.response()));
    return;
  }
  answer(http::answer_for(envelope.response()), true);
}

void HttpSession::answer(http::Answer a, bool keep_alive) {
  if (closed_) return;
  auto response = std::make_shared<bhttp::response<bhttp::string_body>>(
      static_cast<bhttp::status>(a.status), 11);
  response->set(bhttp::field::server, "hubtabled");
  for (const auto& h : http::security_headers()) response->set(h.name, h.value);
  for (const auto& h : a.headers) response->insert(h.name, h.value);
  if (!a.content_type.empty()) response->set(bhttp::field::content_type, a.content_type);
  response->body() = std::move(a.body);
  response->keep_alive(keep_alive && !draining_);
  response->prepare_payload();
  arm_deadline(Clock::now() + limits_.idle_timeout, "write");
  bhttp::async_write(stream_, *response,
                     [self = shared_from_this(), response](const error_code& ec, std::size_t) {
                       if (self->closed_) return;
                       if (ec) {
                         self->close();
                         return;
                       }
                       if (!response->keep_alive()) {
                         if (self->linger_) {
                           self->linger();
                         } else {
                           self->shutdown();
                         }
                         return;
                       }
                       self->do_read();
                     });
}

void HttpSession::open_stream(const std::vector<v1::Event>& missed) {
  streaming_ = true;
  std::string head = "HTTP/1.1 200 OK\r\nServer: hubtabled\r\n";
  for (const auto& h : http::security_headers()) head += h.name + ": " + h.value + "\r\n";
  head += "Content-Type: text/event-stream\r\nConnection: close\r\n\r\n";
  write_stream(std::move(head));
  for (const auto& e : missed) push_event(e);
  heartbeat();
}

void HttpSession::push_event(const v1::Event& event) {
  if (!streaming_ || closed_ || shutting_down_) return;
  write_stream(http::event_record(event));
}

void HttpSession::write_stream(std::string bytes) {
  if (static_cast<int>(stream_queue_.size()) >= limits_.max_queued_writes) {
    spdlog::debug("event for {} dropped: write queue full", remote_address_);
    return;
  }
  stream_queue_.push_back(std::move(bytes));
  if (!writing_) do_write_stream();
}

void HttpSession::do_write_stream() {
  if (closed_ || stream_queue_.empty()) return;
  writing_ = true;
  // A reader that does not take what is sent is closed, not waited on.
  arm_deadline(Clock::now() + limits_.idle_timeout, "event write");
  asio::async_write(stream_, asio::buffer(stream_queue_.front()),
                    [self = shared_from_this()](const error_code& ec, std::size_t) {
                      self->writing_ = false;
                      if (self->closed_) return;
                      if (ec) {
                        self->close();
                        return;
                      }
                      self->stream_queue_.pop_front();
                      if (!self->stream_queue_.empty()) {
                        self->do_write_stream();
                        return;
                      }
                      self->deadline_.cancel();
                      if (self->shutting_down_) self->shutdown();
                    });
}

void HttpSession::heartbeat() {
  heartbeat_.expires_after(kHeartbeat);
  heartbeat_.async_wait([self = shared_from_this()](const error_code& ec) {
    if (ec || self->closed_ || self->shutting_down_) return;
    self->write_stream(":\n\n");
    self->heartbeat();
  });
}

void HttpSession::begin_drain() {
  if (closed_ || draining_) return;
  draining_ = true;
  if (streaming_ || reading_) shutdown();
  // Otherwise the request in hand is answered, then the connection closes.
}

// A body over the limit is refused once its header is read, while the
// browser is still sending it; closing then would reset the connection and the
// browser would lose the 413 it was sent. So the rest is read and dropped, at
// most four frames' worth and for at most two seconds (nginx's "lingering
// close"), then the connection closes.
void HttpSession::linger() {
  if (closed_) return;
  if (shutting_down_ || lingered_ >= 4 * limits_.max_frame_bytes) {
    shutdown();
    return;
  }
  if (lingered_ == 0) arm_deadline(Clock::now() + std::chrono::seconds(2), "linger");
  buffer_.consume(buffer_.size());
  reading_ = true;
  stream_.async_read_some(buffer_.prepare(std::size_t{16} * 1024),
                          [self = shared_from_this()](const error_code& ec, std::size_t n) {
                            self->reading_ = false;
                            if (self->closed_) return;
                            if (ec) {
                              self->shutdown();
                              return;
                            }
                            self->lingered_ += n;
                            self->linger();
                          });
}

void HttpSession::shutdown() {
  if (closed_) return;
  if (!shutting_down_) {
    shutting_down_ = true;
    heartbeat_.cancel();
    arm_deadline(Clock::now() + std::min<std::chrono::milliseconds>(limits_.drain_timeout,
                                                                    std::chrono::seconds(2)),
                 "shutdown");
  }
  if (reading_) {
    error_code ignored;
    stream_.lowest_layer().cancel(ignored);  // on_read continues with the shutdown
    return;
  }
  if (writing_ || tls_closing_) return;  // the write's handler comes back here
  tls_closing_ = true;
  stream_.async_shutdown([self = shared_from_this()](const error_code&) { self->close(); });
}

void HttpSession::close() {
  if (closed_) return;
  closed_ = true;
  streaming_ = false;
  deadline_.cancel();
  heartbeat_.cancel();
  error_code ignored;
  stream_.lowest_layer().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.lowest_layer().close(ignored);
}

}  // namespace hubtable::net
