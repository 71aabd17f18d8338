#pragma once
// libsodium, initialised once before its first use (password hashing,
// checkpoint verification). Thread-safe.

namespace hubtable::crypto {

/// Initialises libsodium on the first call; ends the process if it cannot
/// be (nothing that needs it could then be done safely).
void ensure_sodium();

}  // namespace hubtable::crypto
