#pragma once
// Reading secrets: from a file (scripts) or a no-echo terminal prompt.

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "crypto/bytes.h"

namespace hubtable::cli {

/// The first line of `file` (trailing newline removed).
absl::StatusOr<crypto::SecretString> read_secret_file(const std::string& file);

/// Prompts on the terminal without echo; reads a line from stdin when stdin
/// is not a terminal. Fails when stdin is closed.
absl::StatusOr<crypto::SecretString> prompt_secret(const std::string& prompt);

/// From `file` when given, else from a prompt.
absl::StatusOr<crypto::SecretString> obtain_secret(const std::string& file,
                                                   const std::string& prompt);

}  // namespace hubtable::cli
