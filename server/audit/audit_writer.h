#pragma once
// The one audit writer. Every handler, `init` and `apply` append events here,
// inside the same transaction as the change they record, so an event exists
// if and only if its change does.

#include <cstdint>

#include "absl/status/statusor.h"
#include "hubtable/v1/audit.pb.h"
#include "store/connection.h"

namespace hubtable::audit {

/// Appends `event` on `conn`, which must be inside a write transaction.
/// Assigns the next gapless sequence number (1-based); `event.time_us` must be
/// set by the caller from the injected clock. Returns the sequence number.
/// The stored bytes are the deterministic serialization of the event; its
/// leaf, and the Merkle nodes it completes, are added in the same transaction.
absl::StatusOr<std::uint64_t> append(store::Connection& conn, hubtable::v1::AuditEvent event);

/// Deterministic serialization of an event (the Merkle leaf's input).
std::string serialize_event(const hubtable::v1::AuditEvent& event);

}  // namespace hubtable::audit
