#include "net/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>
#include <stdexcept>

namespace hubtable::net {

namespace {
bool transient(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }
}  // namespace

/// The BIO through which OpenSSL reads and writes the socket: recv and send
/// on the non-blocking descriptor (MSG_NOSIGNAL: a peer gone away is an
/// error, not a SIGPIPE), with no buffer of its own.
struct SocketBio {
  static TlsStream& stream(BIO* bio) { return *static_cast<TlsStream*>(BIO_get_data(bio)); }

  static int read(BIO* bio, char* data, std::size_t size, std::size_t* done) {
    BIO_clear_retry_flags(bio);
    TlsStream& s = stream(bio);
    const ssize_t n = ::recv(s.socket_.native_handle(), data, size, 0);
    if (n > 0) {
      *done = static_cast<std::size_t>(n);
      return 1;
    }
    if (n == 0) {
      s.eof_ = true;
    } else {
      s.last_errno_ = errno;
      if (transient(errno)) BIO_set_retry_read(bio);
    }
    return 0;
  }

  static int write(BIO* bio, const char* data, std::size_t size, std::size_t* done) {
    BIO_clear_retry_flags(bio);
    TlsStream& s = stream(bio);
    const ssize_t n = ::send(s.socket_.native_handle(), data, size, MSG_NOSIGNAL);
    if (n >= 0) {
      *done = static_cast<std::size_t>(n);
      return 1;
    }
    s.last_errno_ = errno;
    if (transient(errno)) BIO_set_retry_write(bio);
    return 0;
  }

  static long control(BIO* bio, int command, long, void*) {
    switch (command) {
      case BIO_CTRL_FLUSH:
        return 1;  // nothing is held back
      case BIO_CTRL_EOF:
        return stream(bio).eof_ ? 1 : 0;
      default:
        return 0;
    }
  }

  static int create(BIO* bio) {
    BIO_set_init(bio, 1);
    return 1;
  }

  static const BIO_METHOD* method() {
    static BIO_METHOD* const kMethod = [] {
      BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "hubtable socket");
      if (m == nullptr || BIO_meth_set_read_ex(m, read) != 1 ||
          BIO_meth_set_write_ex(m, write) != 1 || BIO_meth_set_ctrl(m, control) != 1 ||
          BIO_meth_set_create(m, create) != 1) {
        throw std::runtime_error("TLS: cannot create the socket BIO method");
      }
      return m;
    }();
    return kMethod;
  }
};

TlsStream::TlsStream(tcp::socket socket, ssl::context& tls)
    : socket_(std::move(socket)), ssl_(SSL_new(tls.native_handle())) {
  BIO* bio = BIO_new(SocketBio::method());
  if (ssl_ == nullptr || bio == nullptr) {
    BIO_free(bio);
    SSL_free(ssl_);
    throw std::runtime_error("TLS: cannot create a connection's state");
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // the SSL owns the BIO
  SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_set_accept_state(ssl_);
  error_code ignored;
  socket_.non_blocking(true, ignored);  // a failure shows as a blocked call: not one here
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

TlsStream::Step TlsStream::outcome(int ok, std::size_t bytes) {
  if (ok == 1) return Step{Want::kNothing, {}, bytes};
  switch (SSL_get_error(ssl_, ok)) {
    case SSL_ERROR_WANT_READ:
      return Step{Want::kRead};
    case SSL_ERROR_WANT_WRITE:
      return Step{Want::kWrite};
    case SSL_ERROR_ZERO_RETURN:
      return Step{Want::kNothing, asio::error::eof};
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() == 0) {
        // The socket failed, or ended without close_notify.
        if (eof_ || last_errno_ == 0) return Step{Want::kNothing, ssl::error::stream_truncated};
        return Step{Want::kNothing, error_code(last_errno_, asio::error::get_system_category())};
      }
      break;
    default:
      break;
  }
  const unsigned long error = ERR_get_error();
  if (ERR_GET_REASON(error) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    return Step{Want::kNothing, ssl::error::stream_truncated};
  }
  return Step{Want::kNothing, error_code(static_cast<int>(error), asio::error::get_ssl_category())};
}

TlsStream::Step TlsStream::handshake_step() {
  ERR_clear_error();
  last_errno_ = 0;
  return outcome(SSL_do_handshake(ssl_), 0);
}

TlsStream::Step TlsStream::read_step(asio::mutable_buffer buffer) {
  read_wants_write_ = false;
  if (buffer.size() == 0) return Step{};
  ERR_clear_error();
  last_errno_ = 0;
  std::size_t n = 0;
  const int ok = SSL_read_ex(ssl_, buffer.data(), buffer.size(), &n);
  Step step = outcome(ok, n);
  read_wants_write_ = step.want == Want::kWrite;
  return step;
}

TlsStream::Step TlsStream::write_step(asio::const_buffer buffer) {
  if (buffer.size() == 0) return Step{};
  ERR_clear_error();
  last_errno_ = 0;
  std::size_t n = 0;
  const int ok = SSL_write_ex(ssl_, buffer.data(), buffer.size(), &n);
  return outcome(ok, n);
}

TlsStream::Step TlsStream::shutdown_step() {
  ERR_clear_error();
  last_errno_ = 0;
  const int r = SSL_shutdown(ssl_);
  if (r >= 0) return Step{};  // close_notify sent; the peer's is not awaited
  return outcome(r, 0);
}

std::size_t TlsStream::read_some(asio::mutable_buffer buffer, error_code& ec) {
  const Step step = read_step(buffer);
  if (step.want != Want::kNothing) {
    ec = asio::error::would_block;
    return 0;
  }
  ec = step.ec;
  return step.bytes;
}

}  // namespace hubtable::net
