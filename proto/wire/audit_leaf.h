#pragma once
// The check both verifiers (server and client) make on a stored event's bytes
// before hashing them into the tree: they must parse as an AuditEvent that
// names the position it is stored at. A moved, duplicated or inserted event
// is caught here, at its exact position.

#include <cstdint>
#include <optional>
#include <string>

#include "hubtable/v1/audit.pb.h"

namespace hubtable::wire {

/// nullopt when the bytes at `seq` are an event that says it is number `seq`.
inline std::optional<std::string> audit_event_problem(std::uint64_t seq, const void* data,
                                                      std::size_t size) {
  hubtable::v1::AuditEvent e;
  if (!e.ParseFromArray(data, static_cast<int>(size))) {
    return "event " + std::to_string(seq) + " is not a readable audit event";
  }
  if (e.sequence() != seq) {
    return "moved: the event stored at " + std::to_string(seq) + " says it is event " +
           std::to_string(e.sequence());
  }
  return std::nullopt;
}

}  // namespace hubtable::wire
