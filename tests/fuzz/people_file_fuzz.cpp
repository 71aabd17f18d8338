// Fuzz target: any text as a people file (`situation identify --people-file`,
// `audit access-request --person-file`), through the parser the command line
// uses. What it accepts must go on the wire: every field a protobuf string
// (valid UTF-8) that survives a round trip.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/people_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);  // NOLINT
  auto people = hubtable::client::parse_people(text);
  if (!people.ok()) return 0;
  for (const auto& p : *people) {
    std::string bytes;
    if (!p.SerializeToString(&bytes)) __builtin_trap();
    hubtable::v1::Person back;
    if (!back.ParseFromString(bytes) || back.name() != p.name() ||
        back.aliases_size() != p.aliases_size()) {
      __builtin_trap();
    }
  }
  return 0;
}
