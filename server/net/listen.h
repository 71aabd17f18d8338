#pragma once
// Opening a listening socket, the one way both listeners do it.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "wire/asio.h"

namespace hubtable::net {

/// Opens `acceptor` on `address` (reusing the address) and listens; returns
/// the bound port (useful with port 0). UNAVAILABLE naming `what` and the
/// address when it cannot.
absl::StatusOr<std::uint16_t> open_listener(tcp::acceptor& acceptor,
                                            const asio::ip::address& address, std::uint16_t port,
                                            const std::string& what);

}  // namespace hubtable::net
