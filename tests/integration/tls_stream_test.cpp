// The server's TLS stream (net/tls_stream.h) against Asio's own TLS client,
// over loopback with the deployment's kind of certificates: bytes arrive
// whole and in order whatever the record sizes, the end of a stream is told
// apart from a cut one, bytes OpenSSL already holds are readable without the
// socket, and a peer that has gone is an error rather than a signal.

#include "net/tls_stream.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "crypto/pki.h"
#include "net/tls_context.h"
#include "tests/support/temp_dir.h"

namespace hubtable::net {
namespace {

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// A CA, a server certificate and a client certificate in a temp dir; a
/// server context as hubtabled makes it and a client context that presents
/// the client certificate.
class Pki {
 public:
  Pki() {
    const std::string ca_key = *crypto::generate_p256_key_pem();
    crypto::CertificateSpec ca_spec;
    ca_spec.common_name = "test CA";
    ca_spec.usage = crypto::CertificateUsage::kCertificateAuthority;
    const std::string ca = *crypto::create_ca_certificate(ca_key, ca_spec);
    const auto issue = [&](const std::string& name, crypto::CertificateUsage usage) {
      const std::string key = *crypto::generate_p256_key_pem();
      crypto::CertificateSpec spec;
      spec.common_name = name;
      spec.usage = usage;
      spec.ip_addresses = {"127.0.0.1"};
      write_text(dir_.path() / (name + ".key"), key);
      write_text(dir_.path() / (name + ".crt"), *crypto::issue_certificate(ca, ca_key, key, spec));
    };
    write_text(dir_.path() / "ca.crt", ca);
    issue("server", crypto::CertificateUsage::kServer);
    issue("client", crypto::CertificateUsage::kClient);
  }

  std::unique_ptr<ssl::context> server() const {
    auto made = make_server_tls_context(dir_.path() / "ca.crt", dir_.path() / "server.crt",
                                        dir_.path() / "server.key");
    EXPECT_TRUE(made.ok()) << made.status();
    return std::move(*made);
  }

  std::unique_ptr<ssl::context> client() const {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    ctx->load_verify_file((dir_.path() / "ca.crt").string());
    ctx->use_certificate_chain_file((dir_.path() / "client.crt").string());
    ctx->use_private_key_file((dir_.path() / "client.key").string(), ssl::context::pem);
    ctx->set_verify_mode(ssl::verify_peer);
    static const unsigned char kAlpn[] = "\x0bhubtable/1";
    SSL_CTX_set_alpn_protos(ctx->native_handle(), kAlpn, sizeof kAlpn - 1);
    return ctx;
  }

 private:
  testing::TempDir dir_;
};

/// One server stream and one client stream, connected and handshaken, on
/// one io_context run by the test thread under a deadline.
class TlsStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ctx_ = pki_.server();
    client_ctx_ = pki_.client();
    tcp::acceptor acceptor(io_, {asio::ip::make_address("127.0.0.1"), 0});
    client_.emplace(io_, *client_ctx_);
    client_->lowest_layer().connect(acceptor.local_endpoint());
    server_.emplace(acceptor.accept(), *server_ctx_);
    std::optional<error_code> server_done;
    std::optional<error_code> client_done;
    server_->async_handshake([&](const error_code& ec) { server_done = ec; });
    client_->async_handshake(ssl::stream_base::client,
                             [&](const error_code& ec) { client_done = ec; });
    run_until([&] { return server_done && client_done; });
    ASSERT_TRUE(server_done && client_done);
    ASSERT_FALSE(*server_done) << server_done->message();
    ASSERT_FALSE(*client_done) << client_done->message();
  }

  /// Runs handlers until `done` holds; fails the test after 20 s.
  template <typename Done>
  void run_until(Done done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_one_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(done()) << "timed out";
  }

  /// The server's reading loop as Connection does it: wait for something to
  /// read, read what is there into `chunk` bytes, until the end or an error.
  void read_all_on_server(std::size_t chunk, std::string& into, std::optional<error_code>& end) {
    server_->async_wait_readable([this, chunk, &into, &end](const error_code& wait) {
      if (wait) {
        end = wait;
        return;
      }
      std::vector<char> buffer(chunk);
      error_code ec;
      const std::size_t n = server_->read_some(asio::buffer(buffer), ec);
      if (ec && ec != asio::error::would_block) {
        end = ec;
        return;
      }
      into.append(buffer.data(), n);
      read_all_on_server(chunk, into, end);
    });
  }

  Pki pki_;
  asio::io_context io_;
  std::unique_ptr<ssl::context> server_ctx_;
  std::unique_ptr<ssl::context> client_ctx_;
  std::optional<TlsStream> server_;
  std::optional<ssl::stream<tcp::socket>> client_;
};

std::string random_bytes(std::size_t n) {
  std::mt19937 rng(42);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(rng());
  return out;
}

TEST_F(TlsStreamTest, CarriesAMegabyteBothWaysInRecordsOfEverySize) {
  const std::string sent = random_bytes(std::size_t{1} << 20);
  // The client writes in pieces of 1 byte to 40 KB, so records of every size
  // and several per read reach the server.
  std::size_t written = 0;
  std::size_t piece = 1;
  std::function<void()> write_next = [&] {
    if (written == sent.size()) return;
    const std::size_t n = std::min(piece, sent.size() - written);
    piece = piece * 7 % 40'009 + 1;
    asio::async_write(*client_, asio::buffer(sent.data() + written, n),
                      [&, n](const error_code& ec, std::size_t) {
                        ASSERT_FALSE(ec) << ec.message();
                        written += n;
                        write_next();
                      });
  };
  write_next();
  std::string received;
  std::optional<error_code> end;
  read_all_on_server(3000, received, end);
  run_until([&] { return received.size() == sent.size(); });
  EXPECT_TRUE(received == sent);

  // Back the other way through the server's writes, in one async_write.
  std::string echoed(sent.size(), '\0');
  std::optional<error_code> echo_written;
  std::optional<error_code> echo_read;
  asio::async_write(*server_, asio::buffer(received),
                    [&](const error_code& ec, std::size_t) { echo_written = ec; });
  asio::async_read(*client_, asio::buffer(echoed),
                   [&](const error_code& ec, std::size_t) { echo_read = ec; });
  run_until([&] { return echo_written && echo_read; });
  ASSERT_TRUE(echo_written && echo_read);
  EXPECT_FALSE(*echo_written) << echo_written->message();
  EXPECT_FALSE(*echo_read) << echo_read->message();
  EXPECT_TRUE(echoed == sent);
}

TEST_F(TlsStreamTest, BytesOpenSSLAlreadyHoldsAreReadableWithoutTheSocket) {
  const std::string sent = random_bytes(1000);  // one record
  std::optional<error_code> client_wrote;
  asio::async_write(*client_, asio::buffer(sent),
                    [&](const error_code& ec, std::size_t) { client_wrote = ec; });
  std::string received;
  std::optional<error_code> end;
  // Reads of 100 bytes: after the first, the other 900 are inside OpenSSL
  // and the socket has nothing; each wait must still complete.
  read_all_on_server(100, received, end);
  run_until([&] { return received.size() == sent.size(); });
  EXPECT_TRUE(received == sent);
  EXPECT_FALSE(end.has_value());
}

TEST_F(TlsStreamTest, TheEndIsEofAfterCloseNotifyAndTruncatedWithout) {
  std::string received;
  std::optional<error_code> end;
  read_all_on_server(4096, received, end);
  std::optional<error_code> client_shut;
  client_->async_shutdown([&](const error_code& ec) { client_shut = ec; });
  run_until([&] { return end.has_value(); });
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(*end, asio::error::eof) << end->message();

  // A second connection whose client just closes its socket.
  SetUp();
  std::optional<error_code> cut;
  std::string ignored_bytes;
  read_all_on_server(4096, ignored_bytes, cut);
  client_->lowest_layer().close();
  run_until([&] { return cut.has_value(); });
  ASSERT_TRUE(cut.has_value());
  EXPECT_EQ(*cut, ssl::error::stream_truncated) << cut->message();
}

TEST_F(TlsStreamTest, TheServersCloseNotifyReachesTheClientAsEof) {
  std::optional<error_code> shut;
  server_->async_shutdown([&](const error_code& ec) { shut = ec; });
  std::array<char, 16> buffer{};
  std::optional<error_code> client_read;
  client_->async_read_some(asio::buffer(buffer),
                           [&](const error_code& ec, std::size_t) { client_read = ec; });
  run_until([&] { return shut && client_read; });
  ASSERT_TRUE(shut && client_read);
  EXPECT_FALSE(*shut) << shut->message();
  EXPECT_EQ(*client_read, asio::error::eof) << client_read->message();
}

TEST_F(TlsStreamTest, ACancelledWaitEndsAsAborted) {
  std::optional<error_code> waited;
  server_->async_wait_readable([&](const error_code& ec) { waited = ec; });
  asio::post(io_, [&] { server_->lowest_layer().cancel(); });
  run_until([&] { return waited.has_value(); });
  ASSERT_TRUE(waited.has_value());
  EXPECT_EQ(*waited, asio::error::operation_aborted);
}

TEST_F(TlsStreamTest, WritingToAPeerThatHasGoneIsAnErrorNotASignal) {
  // The client resets its end (SO_LINGER 0); the server keeps writing until
  // the kernel says so. Without MSG_NOSIGNAL this test dies of SIGPIPE.
  client_->lowest_layer().set_option(asio::socket_base::linger(true, 0));
  client_->lowest_layer().close();
  const std::string block(std::size_t{64} * 1024, 'x');
  std::optional<error_code> failed;
  std::function<void()> write_more = [&] {
    asio::async_write(*server_, asio::buffer(block), [&](const error_code& ec, std::size_t) {
      if (ec) {
        failed = ec;
        return;
      }
      write_more();
    });
  };
  write_more();
  run_until([&] { return failed.has_value(); });
  ASSERT_TRUE(failed.has_value());
  EXPECT_NE(*failed, error_code());
}

TEST(TlsStreamHandshake, AClientThatSendsNoTlsFailsTheHandshakeCleanly) {
  const Pki pki;
  const auto server_ctx = pki.server();
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket client(io);
  client.connect(acceptor.local_endpoint());
  TlsStream server(acceptor.accept(), *server_ctx);
  asio::write(client, asio::buffer(std::string("GET / HTTP/1.1\r\n\r\n")));
  std::optional<error_code> done;
  server.async_handshake([&](const error_code& ec) { done = ec; });
  io.run_for(std::chrono::seconds(20));
  ASSERT_TRUE(done.has_value());
  EXPECT_TRUE(*done);
  EXPECT_EQ(done->category(), asio::error::get_ssl_category()) << done->message();
}

}  // namespace
}  // namespace hubtable::net
