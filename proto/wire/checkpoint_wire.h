#pragma once
// Signed checkpoints between crypto::SignedCheckpoint and the wire message,
// the same for the server that sends them and the client that checks them.

#include "absl/status/statusor.h"
#include "crypto/checkpoint.h"
#include "hubtable/v1/audit.pb.h"

namespace hubtable::wire {

void to_wire(const crypto::SignedCheckpoint& c, hubtable::v1::SignedCheckpoint& out);
/// DATA_LOSS when a field has the wrong size (the signatures are not checked).
absl::StatusOr<crypto::SignedCheckpoint> from_wire(const hubtable::v1::SignedCheckpoint& c);

}  // namespace hubtable::wire
