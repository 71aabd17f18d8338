#include "net/server.h"

#include <malloc.h>

#include <spdlog/spdlog.h>

#include <vector>

#include "net/connection.h"
#include "net/listen.h"

namespace hubtable::net {

Server::Server(asio::io_context& io, ssl::context& tls, api::RequestSink& service,
               const config::Limits& limits)
    : io_(io),
      tls_(tls),
      service_(service),
      limits_(limits),
      manager_(limits.max_connections, limits.max_connections_per_address),
      acceptor_(asio::make_strand(io)),
      retry_timer_(acceptor_.get_executor()) {}

absl::StatusOr<std::uint16_t> Server::listen(const std::string& host, std::uint16_t port) {
  error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) return absl::InvalidArgumentError("listen address '" + host + "' is not an IP address");
  return open_listener(acceptor_, address, port, "listen");
}

// Asio keeps the state of every socket it ever registered (168 bytes each,
// in a pool it never frees) and allocates it when a connection arrives, in
// among that connection's buffers. Once those are freed, each such state
// pins a page of its own: 2,000 connections that had come and gone kept
// 8 MB resident. Registering max_connections sockets first puts the states
// side by side, and later connections reuse them.
void Server::reserve_socket_states() {
  std::vector<tcp::socket> sockets;
  sockets.reserve(static_cast<std::size_t>(limits_.max_connections) + kReservedExtraSockets);
  for (std::size_t i = 0; i < sockets.capacity(); ++i) {
    error_code ec;
    tcp::socket s(io_);
    s.open(tcp::v4(), ec);
    if (ec) break;  // a low descriptor limit: as many as it allows
    sockets.push_back(std::move(s));
  }
}

void Server::start() {
  reserve_socket_states();
  do_accept();
}

void Server::do_accept() {
  if (stopped_) return;
  acceptor_.async_accept(asio::make_strand(io_), [this](const error_code& ec, tcp::socket socket) {
    on_accept(ec, std::move(socket));
  });
}

void Server::on_accept(const error_code& ec, tcp::socket socket) {
  if (stopped_) return;
  if (ec) {
    // Out of descriptors or similar: back off briefly instead of spinning.
    spdlog::warn("accept failed: {}", ec.message());
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([this](const error_code& wait_ec) {
      if (!wait_ec) do_accept();
    });
    return;
  }
  error_code peer_ec;
  auto peer = socket.remote_endpoint(peer_ec);
  if (peer_ec) {
    do_accept();
    return;
  }
  const std::string address = peer.address().to_string();
  if (!manager_.try_admit(address)) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_cap_warning_ > std::chrono::seconds(1)) {
      last_cap_warning_ = now;
      spdlog::warn("connection from {} refused: connection limit reached", address);
    }
    error_code ignored;
    socket.close(ignored);
    do_accept();
    return;
  }
  socket.set_option(tcp::no_delay(true), peer_ec);
  auto connection =
      std::make_shared<Connection>(std::move(socket), tls_, manager_, service_, limits_, address);
  manager_.attach(connection);
  connection->start();
  do_accept();
}

bool Server::release_closed_memory(const std::function<void()>& release_caches) {
  const std::size_t open = manager_.size();
  const std::size_t peak = manager_.take_peak();
  if (peak < open + kTrimAfterClosed) return false;
  if (release_caches) release_caches();
  ::malloc_trim(0);
  spdlog::debug("{} connections closed: freed memory returned to the system", peak - open);
  return true;
}

void Server::stop() {
  asio::post(acceptor_.get_executor(), [this] { do_stop(); });
}

void Server::do_stop() {
  if (stopped_) return;
  stopped_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
  manager_.drain_all();
}

}  // namespace hubtable::net
