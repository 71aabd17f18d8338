#pragma once
// The one function that builds the client's TLS context.

#include <memory>

#include "absl/status/statusor.h"
#include "lib/profile.h"
#include "wire/asio.h"

namespace hubtable::client {

/// Trusts only the profile's CA, presents the profile's certificate, checks
/// the server's name, offers ALPN hubtable/1; TLS 1.2 minimum (1.3 preferred).
absl::StatusOr<std::unique_ptr<ssl::context>> make_client_tls_context(const Profile& profile);

}  // namespace hubtable::client
