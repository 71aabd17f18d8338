// Fuzz target: a narrative, note or update as a rep types it, through the
// de-identification scanner (domain/deid_scanner.h). Its findings must be
// in order, within the text, non-empty and not overlapping, whatever the
// bytes (invalid UTF-8 included).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "domain/deid_scanner.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const hubtable::domain::DeidAllowList allow({"Prince Albert Hub"});
  const auto findings = hubtable::domain::scan_for_identifiers(text, allow);
  std::size_t previous_end = 0;
  for (const auto& f : findings) {
    if (f.begin >= f.end || f.end > size || f.begin < previous_end) __builtin_trap();
    previous_end = f.end;
  }
  return 0;
}
