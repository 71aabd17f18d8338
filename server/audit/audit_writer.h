#pragma once
// The one audit writer. Every handler, `init` and `apply` append events here,
// inside the same transaction as the change they record, so an event exists
// if and only if its change does.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "hubtable/v1/audit.pb.h"
#include "store/connection.h"

namespace hubtable::audit {

/// Appends `event` on `conn`, which must be inside a write transaction.
/// Assigns the next gapless sequence number (1-based); `event.time_us` must be
/// set by the caller from the injected clock. Returns the sequence number.
/// The stored bytes are the deterministic serialization of the event; its
/// leaf, and the Merkle nodes it completes, are added in the same transaction.
///
/// Refuses (DATA_LOSS, naming the positions) when the tree holds events the
/// log no longer has: its tail was removed, and the next event's place in
/// the tree is taken. Nothing can be appended consistently then; see
/// append_after_damage.
absl::StatusOr<std::uint64_t> append(store::Connection& conn, hubtable::v1::AuditEvent event);

/// Whether `event` refused permission or authentication
/// (domain::is_access_refusal): what the repeated-denials alert counts, and
/// what the log's `access_refusal` column (schema 0015) marks for it.
bool refuses_access(const hubtable::v1::AuditEvent& event);

/// When the log's tail was removed but its tree remains: "events M+1..N are
/// missing from the log's end (its tree still holds them)", else nothing.
absl::StatusOr<std::optional<std::string>> removed_tail(store::Connection& conn);

/// Appends `event` after the end of the tree, leaving the removed events'
/// places empty, so the alert about the damage is itself in the
/// tamper-evident log. For that alert only.
absl::StatusOr<std::uint64_t> append_after_damage(store::Connection& conn,
                                                  hubtable::v1::AuditEvent event);

/// An event of hubtabled itself (actor "(hubtabled)", address "local"),
/// outcome OK: what the server's upkeep and the commands on its host record.
hubtable::v1::AuditEvent server_event(std::int64_t time_us, const std::string& action,
                                      const std::string& rule);

/// Deterministic serialization of an event (the Merkle leaf's input).
std::string serialize_event(const hubtable::v1::AuditEvent& event);

}  // namespace hubtable::audit
