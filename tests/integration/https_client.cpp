#include "tests/integration/https_client.h"

#include "wire/asio.h"  // before Beast: <utility> first

#include <openssl/ssl.h>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace hubtable::testing {

namespace bhttp = boost::beast::http;

namespace {
constexpr auto kAnswerTimeout = std::chrono::seconds(20);

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

std::string HttpsReply::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? std::string() : it->second;
}

struct HttpsClient::Impl {
  asio::io_context io;
  ssl::context tls{ssl::context::tls_client};
  std::optional<ssl::stream<tcp::socket>> stream;
  boost::beast::flat_buffer buffer;
  std::string host;

  /// Runs the io_context until `done` or the timeout (then cancels).
  bool run_until(const bool& done, std::chrono::milliseconds timeout) {
    io.restart();
    io.run_for(timeout);
    if (done) return true;
    error_code ignored;
    stream->lowest_layer().cancel(ignored);
    io.restart();
    io.run();
    return false;
  }
};

namespace {
/// Writes `req`, then runs `read(done)`; the reply's status and headers
/// come from `parser` once it has read them.
template <typename Request, typename Parser, typename Read>
absl::StatusOr<HttpsReply> exchange(HttpsClient::Impl& impl, Request& req, Parser& parser,
                                    Read read) {
  bool done = false;
  error_code failed;
  auto finish = [&](const error_code& ec, std::size_t) {
    failed = ec;
    done = true;
  };
  bhttp::async_write(*impl.stream, req, [&](const error_code& ec, std::size_t n) {
    if (ec) {
      finish(ec, n);
      return;
    }
    read(finish);
  });
  if (!impl.run_until(done, kAnswerTimeout)) return absl::DeadlineExceededError("no answer");
  if (failed) return absl::UnavailableError(failed.message());
  HttpsReply reply;
  reply.status = parser.get().result_int();
  for (const auto& field : parser.get()) {
    reply.headers.emplace(lower(std::string(field.name_string())), std::string(field.value()));
  }
  return reply;
}
}  // namespace

HttpsClient::HttpsClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpsClient::~HttpsClient() = default;

absl::StatusOr<std::unique_ptr<HttpsClient>> HttpsClient::connect(const client::Profile& profile,
                                                                  Options options) {
  auto impl = std::make_unique<Impl>();
  error_code ec;
  impl->tls.load_verify_file(profile.ca_certificate.string(), ec);
  if (ec) return absl::FailedPreconditionError("CA: " + ec.message());
  if (options.present_certificate) {
    const auto cert = options.certificate ? options.certificate->first : profile.client_certificate;
    const auto key = options.certificate ? options.certificate->second : profile.client_key;
    impl->tls.use_certificate_chain_file(cert.string(), ec);
    if (!ec) impl->tls.use_private_key_file(key.string(), ssl::context::pem, ec);
    if (ec) return absl::FailedPreconditionError("client certificate: " + ec.message());
  }
  impl->tls.set_verify_mode(ssl::verify_peer);
  impl->tls.set_verify_callback(ssl::host_name_verification(profile.server_name));
  std::string alpn;
  for (const auto& name : options.alpn) {
    alpn.push_back(static_cast<char>(name.size()));
    alpn += name;
  }
  if (!alpn.empty()) {
    SSL_CTX_set_alpn_protos(impl->tls.native_handle(),
                            reinterpret_cast<const unsigned char*>(alpn.data()),
                            static_cast<unsigned int>(alpn.size()));
  }
  impl->stream.emplace(impl->io, impl->tls);
  tcp::resolver resolver(impl->io);
  auto endpoints = resolver.resolve(profile.server_host, profile.server_port, ec);
  if (ec) return absl::UnavailableError("resolve: " + ec.message());
  asio::connect(impl->stream->lowest_layer(), endpoints, ec);
  if (ec) return absl::UnavailableError("connect: " + ec.message());
  impl->stream->handshake(ssl::stream_base::client, ec);
  if (ec) return absl::UnavailableError("handshake: " + ec.message());
  // TLS 1.3: the server's verdict on our certificate comes with its first
  // record, so read nothing yet; the first request shows it.
  impl->host = profile.server_name;
  return std::unique_ptr<HttpsClient>(new HttpsClient(std::move(impl)));
}

absl::StatusOr<HttpsReply> HttpsClient::request(const std::string& method,
                                                const std::string& target, const std::string& body,
                                                const std::map<std::string, std::string>& headers) {
  bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), target, 11);
  req.set(bhttp::field::host, impl_->host);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = body;
  req.prepare_payload();
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{64} * 1024 * 1024);
  auto reply = exchange(*impl_, req, parser, [&](auto done) {
    bhttp::async_read(*impl_->stream, impl_->buffer, parser, done);
  });
  if (!reply.ok()) return reply.status();
  const auto& res = parser.get();
  reply->body = res.body();
  return reply;
}

absl::StatusOr<HttpsReply> HttpsClient::call(const std::string& request_name,
                                             const std::string& json, const std::string& cookie) {
  std::map<std::string, std::string> headers = {{"Content-Type", "application/json"},
                                                {"X-Hubtable-CSRF", "1"},
                                                {"Sec-Fetch-Site", "same-origin"}};
  if (!cookie.empty()) headers["Cookie"] = cookie;
  return request("POST", "/api/v1/" + request_name, json, headers);
}

absl::StatusOr<HttpsReply> HttpsClient::open_events(const std::string& cookie) {
  bhttp::request<bhttp::empty_body> req(bhttp::verb::get, "/api/v1/events", 11);
  req.set(bhttp::field::host, impl_->host);
  req.set("Sec-Fetch-Site", "same-origin");
  req.set(bhttp::field::accept, "text/event-stream");
  if (!cookie.empty()) req.set(bhttp::field::cookie, cookie);
  bhttp::response_parser<bhttp::empty_body> parser;
  auto reply = exchange(*impl_, req, parser, [&](auto done) {
    bhttp::async_read_header(*impl_->stream, impl_->buffer, parser, done);
  });
  if (!reply.ok()) return reply.status();
  // What came after the headers is the start of the stream.
  const auto data = impl_->buffer.data();
  events_.assign(static_cast<const char*>(data.data()), data.size());
  impl_->buffer.consume(impl_->buffer.size());
  reply->body = events_;
  return reply;
}

bool HttpsClient::read_events_until(const std::string& text, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  char chunk[4096];
  while (events_.find(text) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    bool done = false;
    error_code failed;
    std::size_t n = 0;
    impl_->stream->async_read_some(asio::buffer(chunk), [&](const error_code& ec, std::size_t got) {
      failed = ec;
      n = got;
      done = true;
    });
    if (!impl_->run_until(done, left) || failed) return events_.find(text) != std::string::npos;
    events_.append(chunk, n);
  }
  return true;
}

std::string session_cookie(const HttpsReply& login) {
  auto [begin, end] = login.headers.equal_range("set-cookie");
  for (auto it = begin; it != end; ++it) {
    const std::string& v = it->second;
    if (v.rfind("__Host-hubtable=", 0) != 0) continue;
    const auto value_end = v.find(';');
    if (value_end == std::string::npos || value_end == 16) continue;
    return v.substr(0, value_end);
  }
  return {};
}

}  // namespace hubtable::testing
