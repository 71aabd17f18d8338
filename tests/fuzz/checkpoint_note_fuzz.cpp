// Fuzz target: a checkpoint note as a privacy officer's saved file or a
// backup's manifest holds it (crypto/checkpoint.h), through the parser, and
// a parsed one through the signature check and the key chain a rotation
// starts. A note the parser accepts writes back byte for byte: there is one
// spelling of each checkpoint.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crypto/checkpoint.h"
#include "crypto/key_chain.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace hubtable::crypto;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto note = parse_note(text);
  if (!note.ok()) return 0;
  if (to_note(*note) != text) __builtin_trap();
  static const auto key = CheckpointVerifier::from_raw(Bytes(32, 7));
  if (key->verify(*note)) __builtin_trap();  // nobody holds this key's private half
  if (note->checkpoint.rotation) {
    const auto chain = AuditKeyChain::follow(*key, {*note});
    if (!chain.problem() || chain.verify(*note)) __builtin_trap();
  }
  return 0;
}
