#include "net/listen.h"

namespace hubtable::net {

absl::StatusOr<std::uint16_t> open_listener(tcp::acceptor& acceptor,
                                            const asio::ip::address& address, std::uint16_t port,
                                            const std::string& what) {
  error_code ec;
  tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError("cannot " + what + " on " + address.to_string() + ":" +
                                  std::to_string(port) + ": " + ec.message());
  }
  return acceptor.local_endpoint().port();
}

}  // namespace hubtable::net
