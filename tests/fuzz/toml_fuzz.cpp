// Fuzz target: text given to hubtable as TOML (hubtabled.toml, apply files,
// profile.toml, people files) through the one TOML reader, then through the
// apply file's validation, as `hubtabled apply` reads it.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "provision/apply_file.h"
#include "wire/toml_document.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = hubtable::wire::parse_toml(text, "fuzz");
  auto applied = hubtable::provision::parse_apply_text(text);
  // The apply file reads through the same reader: it cannot accept what the
  // reader refused.
  if (!parsed.ok() && applied.ok()) __builtin_trap();
  return 0;
}
