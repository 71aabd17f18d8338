#pragma once
// A server-side TLS stream in which OpenSSL reads and writes the socket
// itself, through a small BIO of ours, rather than through buffers of the
// stream's own. Asio's ssl::stream keeps four 17 KB buffers for each
// connection for as long as it lives (two in its core, two in its BIO pair),
// which made an idle connection cost about 94 KB. Here, with the context's
// SSL_MODE_RELEASE_BUFFERS, OpenSSL's record buffers exist only while a
// record is being read or written, and async_wait_readable lets the owner
// wait for the next request with no buffer at all.
//
// The stream is an AsyncReadStream and AsyncWriteStream (Beast's HTTP reads
// and writes, asio::async_write); every operation must be started on the
// socket's executor, one read and one write at a time, as with ssl::stream.

#include <openssl/ssl.h>

#include <cstddef>
#include <type_traits>
#include <utility>

#include "wire/asio.h"

namespace hubtable::net {

class TlsStream {
 public:
  using executor_type = tcp::socket::executor_type;
  using lowest_layer_type = tcp::socket;

  /// A server's end of a TLS connection on `socket`, configured by `tls`.
  TlsStream(tcp::socket socket, ssl::context& tls);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return socket_.get_executor(); }
  tcp::socket& lowest_layer() { return socket_; }
  SSL* native_handle() const { return ssl_; }

  /// The server's handshake: void(error_code).
  template <typename Handler>
  auto async_handshake(Handler&& handler) {
    return start<void(error_code)>(std::forward<Handler>(handler),
                                   [this] { return handshake_step(); });
  }

  /// Reads some decrypted bytes: void(error_code, std::size_t). The end of
  /// the stream is asio::error::eof after the peer's close_notify and
  /// ssl::error::stream_truncated without it.
  template <typename MutableBuffers, typename Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler) {
    const asio::mutable_buffer first = first_buffer<asio::mutable_buffer>(buffers);
    return start<void(error_code, std::size_t)>(std::forward<Handler>(handler),
                                                [this, first] { return read_step(first); });
  }

  /// Writes some bytes (at most one record's worth): void(error_code, std::size_t).
  template <typename ConstBuffers, typename Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler) {
    const asio::const_buffer first = first_buffer<asio::const_buffer>(buffers);
    return start<void(error_code, std::size_t)>(std::forward<Handler>(handler),
                                                [this, first] { return write_step(first); });
  }

  /// Sends close_notify: void(error_code). It does not wait for the peer's;
  /// the owner closes the socket next.
  template <typename Handler>
  auto async_shutdown(Handler&& handler) {
    return start<void(error_code)>(std::forward<Handler>(handler),
                                   [this] { return shutdown_step(); });
  }

  /// Completes, void(error_code), once read_some would find something:
  /// decrypted bytes already held, or the socket readable. Nothing is
  /// allocated while it waits.
  template <typename Handler>
  auto async_wait_readable(Handler&& handler) {
    return start<void(error_code)>(std::forward<Handler>(handler), [this, woken = false]() mutable {
      if (woken || SSL_has_pending(ssl_) == 1) return Step{};
      woken = true;
      return Step{read_wants_write_ ? Want::kWrite : Want::kRead};
    });
  }

  /// Reads what is ready without waiting: asio::error::would_block when
  /// nothing is (wait with async_wait_readable), other errors as
  /// async_read_some's.
  std::size_t read_some(asio::mutable_buffer buffer, error_code& ec);

 private:
  enum class Want { kNothing, kRead, kWrite };
  /// One call into OpenSSL: done (with an error or a byte count), or what the
  /// socket must become before the call is made again.
  struct Step {
    Want want = Want::kNothing;
    error_code ec{};
    std::size_t bytes = 0;
  };

  /// The asynchronous operation: runs `step` until it wants nothing, waiting
  /// on the socket in between. A step that finishes at once completes through
  /// a post, never inside the initiating call.
  template <typename StepFn, bool kCountsBytes>
  struct Op {
    TlsStream* stream;
    StepFn step;
    bool waited = false;
    bool posted = false;
    Step result{};

    template <typename Self>
    void operator()(Self& self, error_code ec = {}) {
      if (posted) return deliver(self);
      if (ec) {
        result = Step{Want::kNothing, ec, 0};
        return deliver(self);
      }
      result = step();
      switch (result.want) {
        case Want::kRead:
          waited = true;
          stream->socket_.async_wait(tcp::socket::wait_read, std::move(self));
          return;
        case Want::kWrite:
          waited = true;
          stream->socket_.async_wait(tcp::socket::wait_write, std::move(self));
          return;
        case Want::kNothing:
          break;
      }
      if (!waited) {
        posted = true;
        asio::post(stream->get_executor(), std::move(self));
        return;
      }
      deliver(self);
    }

    template <typename Self>
    void deliver(Self& self) {
      if constexpr (kCountsBytes) {
        self.complete(result.ec, result.bytes);
      } else {
        self.complete(result.ec);
      }
    }
  };

  template <typename Signature, typename Handler, typename StepFn>
  auto start(Handler&& handler, StepFn step) {
    constexpr bool kCountsBytes = std::is_same_v<Signature, void(error_code, std::size_t)>;
    return asio::async_compose<Handler, Signature>(Op<StepFn, kCountsBytes>{this, std::move(step)},
                                                   handler, socket_);
  }

  template <typename Buffer, typename Buffers>
  static Buffer first_buffer(const Buffers& buffers) {
    for (auto it = asio::buffer_sequence_begin(buffers); it != asio::buffer_sequence_end(buffers);
         ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }

  Step handshake_step();
  Step read_step(asio::mutable_buffer buffer);
  Step write_step(asio::const_buffer buffer);
  Step shutdown_step();
  /// What an OpenSSL call's return value `ok` (1 on success) means.
  Step outcome(int ok, std::size_t bytes);

  friend struct SocketBio;
  tcp::socket socket_;
  SSL* ssl_ = nullptr;
  int last_errno_ = 0;             // the socket call's, for SSL_ERROR_SYSCALL
  bool eof_ = false;               // the peer closed its end
  bool read_wants_write_ = false;  // the last read stopped on a write
};

}  // namespace hubtable::net
