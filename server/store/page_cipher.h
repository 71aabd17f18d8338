#pragma once
// The page cipher SQLCipher uses for every database this process opens.
//
// SQLCipher 3.4's own OpenSSL provider makes a cipher context and an HMAC
// context for every page it encrypts or decrypts, looks the algorithms up
// again each time, and takes a process-wide mutex around RAND_bytes for every
// page's IV. With OpenSSL 3 that costs more than the AES and SHA-1 themselves.
// This provider does the same work with the same algorithms (AES-256-CBC, an
// HMAC-SHA1 over each page, PBKDF2-HMAC-SHA1), byte for byte the same file
// format, but keeps one cipher context per direction and one HMAC context per
// SQLCipher cipher context, keyed once and reset per page.
//
// Thread-safety: install_page_cipher() may be called from any thread, at any
// time; a SQLCipher cipher context (hence this provider's state) is used by
// one connection, and a connection by one thread at a time.

#include <string_view>

namespace hubtable::store {

/// Makes this provider SQLCipher's default for connections opened after the
/// call. Idempotent and cheap; open_connection calls it before every key,
/// because SQLCipher forgets a registered provider when its last connection
/// closes.
void install_page_cipher();

/// The name SQLCipher reports for this provider (`PRAGMA cipher_provider`).
inline constexpr std::string_view kPageCipherProviderName = "hubtable-openssl";

}  // namespace hubtable::store
