#pragma once
// What the network layer knows about the connection a request came on.

#include <cstdint>
#include <memory>
#include <string>

namespace hubtable::api {

class EventSink;

struct RequestContext {
  std::string remote_address;  // IP address only, no port
  std::string thumbprint;      // hex SHA-256 of the client certificate (DER)
  std::uint64_t request_id = 0;
  /// Where live events for this connection go (WatchRequest); may be empty.
  std::weak_ptr<EventSink> events;
};

}  // namespace hubtable::api
