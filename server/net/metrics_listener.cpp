#include "net/metrics_listener.h"

#include "net/listen.h"

#include <spdlog/spdlog.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <memory>

namespace hubtable::net {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr int kMaxOpen = 4;
constexpr std::chrono::seconds kTimeout{5};

// One scrape: read the request, answer, close.
struct Scrape : std::enable_shared_from_this<Scrape> {
  Scrape(tcp::socket socket, const std::function<std::string()>& render_text,
         std::atomic<int>& open_count)
      : stream(std::move(socket)), render(render_text), open(open_count) {}
  ~Scrape() { --open; }
  Scrape(const Scrape&) = delete;
  Scrape& operator=(const Scrape&) = delete;

  void run() {
    stream.expires_after(kTimeout);
    parser.header_limit(8 * 1024);
    parser.body_limit(0);
    http::async_read(stream, buffer, parser,
                     [self = shared_from_this()](const error_code& ec, std::size_t) {
                       if (!ec) self->answer();
                     });
  }

  void answer() {
    const auto& req = parser.get();
    response.version(req.version());
    response.keep_alive(false);
    if (req.method() == http::verb::get && req.target() == "/metrics") {
      response.result(http::status::ok);
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = render();
    } else {
      response.result(http::status::not_found);
      response.set(http::field::content_type, "text/plain; charset=utf-8");
      response.body() = "only GET /metrics is served here\n";
    }
    response.set(http::field::cache_control, "no-store");
    response.prepare_payload();
    http::async_write(stream, response,
                      [self = shared_from_this()](const error_code&, std::size_t) {
                        error_code ignored;
                        self->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  http::request_parser<http::empty_body> parser;
  http::response<http::string_body> response;
  const std::function<std::string()>& render;
  std::atomic<int>& open;
};
}  // namespace

MetricsListener::MetricsListener(asio::io_context& io, std::function<std::string()> render)
    : io_(io), acceptor_(io), retry_(io), render_(std::move(render)) {}

absl::StatusOr<std::uint16_t> MetricsListener::listen(const std::string& host, std::uint16_t port) {
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec || !address.is_loopback()) {
    return absl::InvalidArgumentError("metrics.listen: '" + host +
                                      "' is not a loopback address (127.0.0.1 or ::1): the "
                                      "metrics endpoint is for this host only");
  }
  return open_listener(acceptor_, address, port, "listen for metrics");
}

void MetricsListener::start() { do_accept(); }

void MetricsListener::stop() {
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  retry_.cancel();
}

void MetricsListener::do_accept() {
  if (stopped_) return;
  acceptor_.async_accept(asio::make_strand(io_), [this](const error_code& ec, tcp::socket socket) {
    if (stopped_) return;
    if (ec) {
      // Out of descriptors or similar: back off instead of spinning.
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([this](const error_code& wait_ec) {
        if (!wait_ec) do_accept();
      });
      return;
    }
    if (open_.load() < kMaxOpen) {
      ++open_;
      std::make_shared<Scrape>(std::move(socket), render_, open_)->run();
    }
    do_accept();
  });
}

}  // namespace hubtable::net
