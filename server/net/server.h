#pragma once
// The listener: accepts connections onto fresh strands, applies the
// connection caps, and drains everything on stop().

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "api/request_sink.h"
#include "config/limits.h"
#include "net/connection_manager.h"
#include "wire/asio.h"

namespace hubtable::net {

/// listen() and start() are called before io_context::run; stop() is
/// thread-safe. Accepting runs on the acceptor's own strand.
class Server {
 public:
  Server(asio::io_context& io, ssl::context& tls, api::RequestSink& service,
         const config::Limits& limits);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and listens; returns the bound port (useful with port 0).
  absl::StatusOr<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  /// Starts the accept loop.
  void start();
  /// Stops accepting and drains live connections. Idempotent.
  void stop();

  std::size_t connection_count() const { return manager_.size(); }
  /// Gives the memory of connections closed since the last call back to the
  /// system, when at least `kTrimAfterClosed` have closed: glibc keeps freed
  /// memory in each thread's arena, so without it a server's resident size
  /// stays at its busiest hour's (an outside run: 161 MB before four rounds
  /// of 1,500 connections, 200 MB after). `release_caches` runs first, to
  /// free what other parts keep while busy (the database's page caches).
  /// Returns whether it trimmed.
  bool release_closed_memory(const std::function<void()>& release_caches = {});
  static constexpr std::size_t kTrimAfterClosed = 16;
  // Sockets beyond max_connections: the metrics listener's, those refused
  // at the cap.
  static constexpr std::size_t kReservedExtraSockets = 16;

 private:
  void reserve_socket_states();
  void do_accept();
  void on_accept(const error_code& ec, tcp::socket socket);
  void do_stop();

  asio::io_context& io_;
  ssl::context& tls_;
  api::RequestSink& service_;
  const config::Limits& limits_;
  ConnectionManager manager_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point last_cap_warning_{};
};

}  // namespace hubtable::net
