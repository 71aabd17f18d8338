// Fuzz target: any text as hubtabled.toml, through the loader and its
// validation, as `hubtabled serve` and every other command read it.

#include <cstddef>
#include <cstdint>

#include "config/server_config.h"
#include "tests/fuzz/fuzz_files.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::filesystem::path file = hubtable::fuzz::scratch_dir() / "hubtabled.toml";
  hubtable::fuzz::write_input(file, data, size);
  auto config = hubtable::config::load_server_config(file);
  // A loaded config names its database and keys: what every command opens.
  if (config.ok() && (config->database.empty() || config->master_key.empty())) __builtin_trap();
  return 0;
}
