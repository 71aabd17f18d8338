// Hostile or broken clients: each gets a clear answer (or a closed
// connection), nothing changes, and the server keeps serving others.

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <functional>

#include "crypto/pki.h"
#include "tests/integration/harness.h"
#include "wire/asio.h"
#include "wire/frame.h"

namespace hubtable::testing {
namespace {

namespace v1 = hubtable::v1;

/// A TLS client with a caller-built context, every step under a deadline.
class RawTls {
 public:
  RawTls(std::uint16_t port, const std::function<void(ssl::context&)>& setup)
      : ctx_(ssl::context::tls_client), stream_(io_, (setup(ctx_), ctx_)) {
    error_code ec;
    stream_.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    connected_ = !ec;
  }

  /// Empty on success, else the error text.
  std::string handshake() {
    error_code ec = run([&](error_code& out) {
      stream_.async_handshake(ssl::stream_base::client, [&](const error_code& e) { out = e; });
    });
    return ec ? ec.message() : "";
  }

  /// Sends a whoami frame and reads a reply: empty error means a frame came back.
  std::string request_and_read() {
    v1::Envelope env;
    env.set_version(1);
    env.set_request_id(1);
    env.mutable_request()->mutable_whoami();
    const std::string frame = wire::encode_frame(env.SerializeAsString());
    error_code ec = run([&](error_code& out) {
      asio::async_write(stream_, asio::buffer(frame),
                        [&](const error_code& e, std::size_t) { out = e; });
    });
    if (ec) return ec.message();
    std::uint8_t header[4];
    ec = run([&](error_code& out) {
      asio::async_read(stream_, asio::buffer(header),
                       [&](const error_code& e, std::size_t) { out = e; });
    });
    return ec ? ec.message() : "";
  }

  bool connected() const { return connected_; }
  SSL* native() { return stream_.native_handle(); }

 private:
  template <class F>
  error_code run(F&& initiate) {
    error_code result = asio::error::would_block;
    initiate(result);
    io_.restart();
    io_.run_for(std::chrono::seconds(10));
    if (!io_.stopped()) {
      error_code ignored;
      stream_.lowest_layer().close(ignored);
      io_.run();
      return asio::error::timed_out;
    }
    return result;
  }

  asio::io_context io_;
  ssl::context ctx_;
  ssl::stream<tcp::socket> stream_;
  bool connected_ = false;
};

void offer_alpn(ssl::context& ctx) {
  static const unsigned char kAlpn[] = "\x0ahubtable/1";
  SSL_CTX_set_alpn_protos(ctx.native_handle(), kAlpn, sizeof(kAlpn) - 1);
}

class BadInput : public ::testing::Test {
 protected:
  void SetUp() override { server_.start(); }
  void TearDown() override {
    EXPECT_TRUE(server_.serves("rep.mh")) << "server stopped serving:\n" << server_.log();
  }
  RunningServer server_;
};

TEST_F(BadInput, NoClientCertificateIsRefused) {
  const auto ca = server_.deployment().profile("rep.mh") / "ca.crt";
  RawTls c(server_.port(), [&](ssl::context& ctx) {
    ctx.load_verify_file(ca.string());
    ctx.set_verify_mode(ssl::verify_peer);
    offer_alpn(ctx);
  });
  ASSERT_TRUE(c.connected());
  // TLS 1.3 checks the client certificate after the client's Finished, so the
  // refusal may surface on the first read rather than the handshake.
  const std::string handshake = c.handshake();
  const std::string read = handshake.empty() ? c.request_and_read() : handshake;
  EXPECT_FALSE(read.empty()) << "a request without a client certificate got an answer";
  EXPECT_TRUE(wait_until(
      [&] { return server_.log().find("handshake from 127.0.0.1 failed") != std::string::npos; },
      std::chrono::seconds(5)));
}

TEST_F(BadInput, CertificateFromAnotherCaIsRefused) {
  const std::string other_ca_key = *crypto::generate_p256_key_pem();
  crypto::CertificateSpec ca_spec;
  ca_spec.common_name = "intruder CA";
  const std::string other_ca = *crypto::create_ca_certificate(other_ca_key, ca_spec);
  const std::string key = *crypto::generate_p256_key_pem();
  crypto::CertificateSpec spec;
  spec.common_name = "rep.mh";  // same name, wrong issuer
  const std::string cert = *crypto::issue_certificate(other_ca, other_ca_key, key, spec);
  const auto ca = server_.deployment().profile("rep.mh") / "ca.crt";
  RawTls c(server_.port(), [&](ssl::context& ctx) {
    ctx.load_verify_file(ca.string());
    ctx.use_certificate(asio::buffer(cert), ssl::context::pem);
    ctx.use_private_key(asio::buffer(key), ssl::context::pem);
    offer_alpn(ctx);
  });
  const std::string handshake = c.handshake();
  const std::string read = handshake.empty() ? c.request_and_read() : handshake;
  EXPECT_FALSE(read.empty());
}

TEST_F(BadInput, PlaintextIsClosed) {
  asio::io_context io;
  tcp::socket s(io);
  s.connect({asio::ip::make_address("127.0.0.1"), server_.port()});
  asio::write(s, asio::buffer(std::string("GET / HTTP/1.1\r\nHost: x\r\n\r\n")));
  std::string received;
  error_code ec;
  char buf[512];
  for (;;) {  // the server answers with at most a TLS alert, then closes
    std::size_t n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    received.append(buf, n);
  }
  EXPECT_EQ(ec, asio::error::eof);
  EXPECT_EQ(received.find("HTTP"), std::string::npos);
}

TEST_F(BadInput, Tls11HelloIsRefused) {
  const auto ca = server_.deployment().profile("rep.mh") / "ca.crt";
  const auto dir = server_.deployment().profile("rep.mh");
  RawTls c(server_.port(), [&](ssl::context& ctx) {
    SSL_CTX_set_security_level(ctx.native_handle(), 0);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), "ALL:@SECLEVEL=0");
    ctx.use_certificate_file((dir / "client.crt").string(), ssl::context::pem);
    ctx.use_private_key_file((dir / "client.key").string(), ssl::context::pem);
    offer_alpn(ctx);
  });
  EXPECT_FALSE(c.handshake().empty());
}

// A resumed TLS session skips the certificate checks of the handshake (the
// revocation list among them), and the server would keep every closed
// connection's session, client certificate included: no tickets are issued
// and nothing is resumed.
TEST_F(BadInput, NoSessionIsResumed) {
  const auto dir = server_.deployment().profile("rep.mh");
  auto setup = [&](ssl::context& ctx) {
    ctx.load_verify_file((dir / "ca.crt").string());
    ctx.use_certificate_file((dir / "client.crt").string(), ssl::context::pem);
    ctx.use_private_key_file((dir / "client.key").string(), ssl::context::pem);
    SSL_CTX_set_session_cache_mode(ctx.native_handle(), SSL_SESS_CACHE_CLIENT);
    offer_alpn(ctx);
  };
  RawTls first(server_.port(), setup);
  ASSERT_EQ(first.handshake(), "");
  ASSERT_EQ(first.request_and_read(), "");  // TLS 1.3 tickets follow the handshake
  SSL_SESSION* session = SSL_get1_session(first.native());
  ASSERT_NE(session, nullptr);
  EXPECT_EQ(SSL_SESSION_is_resumable(session), 0) << "the server issued a session ticket";

  RawTls second(server_.port(), setup);
  ASSERT_EQ(SSL_set_session(second.native(), session), 1);
  SSL_SESSION_free(session);
  ASSERT_EQ(second.handshake(), "");
  EXPECT_EQ(SSL_session_reused(second.native()), 0);
  EXPECT_EQ(second.request_and_read(), "");
}

TEST_F(BadInput, ClientWithoutAlpnIsClosed) {
  const auto dir = server_.deployment().profile("rep.mh");
  RawTls c(server_.port(), [&](ssl::context& ctx) {
    ctx.load_verify_file((dir / "ca.crt").string());
    ctx.use_certificate_file((dir / "client.crt").string(), ssl::context::pem);
    ctx.use_private_key_file((dir / "client.key").string(), ssl::context::pem);
  });
  const std::string handshake = c.handshake();
  EXPECT_FALSE((handshake.empty() ? c.request_and_read() : handshake).empty());
}

TEST_F(BadInput, OversizeLengthPrefixIsRefusedBeforeAllocation) {
  auto conn = server_.connect("rep.mh");
  ASSERT_TRUE(conn->write_raw(std::string("\x7f\xff\xff\xff", 4)).ok());
  auto env = conn->read_envelope();
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_EQ(env->response().status().code(), v1::RESOURCE_EXHAUSTED);
  EXPECT_EQ(env->response().status().rule(), "protocol.frame_too_large");
  EXPECT_NE(env->response().status().message().find("exceeds the limit"), std::string::npos);
  EXPECT_FALSE(conn->read_envelope().ok());  // then the connection is closed
}

TEST_F(BadInput, FrameCutOffMidwayChangesNothing) {
  auto conn = server_.connect("rep.mh");
  ASSERT_TRUE(conn->write_raw(std::string("\x00\x00\x00\x64", 4) + "partial").ok());
  conn.reset();  // hang up mid-frame
}

TEST_F(BadInput, BytesThatAreNotAnEnvelopeGetOneAnswerAndTheConnectionEnds) {
  auto conn = server_.connect("rep.mh");
  ASSERT_TRUE(conn->write_raw(wire::encode_frame("\xff\xff\xff\xff garbage")).ok());
  auto env = conn->read_envelope();
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->response().status().code(), v1::INVALID_ARGUMENT);
  EXPECT_EQ(env->response().status().rule(), "protocol.malformed_envelope");
  // A client that sends something other than a request is broken or
  // hostile: the first protocol error ends the connection.
  EXPECT_FALSE(conn->read_envelope().ok());
}

TEST_F(BadInput, UnknownRequestKindAndWrongVersionAreRefusedByRequestId) {
  v1::Envelope env;
  env.set_version(1);
  env.set_request_id(5);
  env.mutable_request();  // no kind
  auto conn = server_.connect("rep.mh");
  ASSERT_TRUE(conn->write_raw(wire::encode_frame(env.SerializeAsString())).ok());
  auto r = conn->read_envelope();
  EXPECT_EQ(r->response().status().rule(), "protocol.unknown_request");
  EXPECT_EQ(r->request_id(), 5u);
  env.set_version(7);
  env.set_request_id(6);
  env.mutable_request()->mutable_whoami();
  conn = server_.connect("rep.mh");
  ASSERT_TRUE(conn->write_raw(wire::encode_frame(env.SerializeAsString())).ok());
  r = conn->read_envelope();
  EXPECT_EQ(r->response().status().rule(), "protocol.version");
  EXPECT_EQ(r->request_id(), 6u);
}

}  // namespace
}  // namespace hubtable::testing
