#pragma once
// "HOST:PORT" and "[IPv6]:PORT" addresses, as written in configs and profiles.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hubtable::wire {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
};

/// Parses HOST:PORT; nullopt when the host is empty or the port is not 0..65535.
std::optional<HostPort> parse_host_port(std::string_view text);

}  // namespace hubtable::wire
