#pragma once
// The metrics endpoint: plain HTTP for a Prometheus scraper on the same host,
// on a loopback address only ([metrics] listen). GET /metrics answers the
// Prometheus text the server renders; anything else 404. One request per
// connection, a few seconds to send it, a few connections at a time: it
// carries no case data and no user names, and is not for the network.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "wire/asio.h"

namespace hubtable::net {

class MetricsListener {
 public:
  /// `render` is called on an I/O thread for each scrape.
  MetricsListener(asio::io_context& io, std::function<std::string()> render);
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  /// Binds `host`, which must be a loopback address; returns the bound port.
  absl::StatusOr<std::uint16_t> listen(const std::string& host, std::uint16_t port);
  void start();
  void stop();

 private:
  void do_accept();

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::function<std::string()> render_;
  std::atomic<int> open_{0};
  std::atomic<bool> stopped_{false};
};

}  // namespace hubtable::net
