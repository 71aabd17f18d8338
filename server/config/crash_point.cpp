#include "config/crash_point.h"

#include <csignal>
#include <cstdlib>
#include <cstring>

namespace hubtable::config {

void crash_point(const char* point) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before it can change.
  static const char* const at = std::getenv("HUBTABLE_CRASH_AT");
  if (at != nullptr && std::strcmp(at, point) == 0) std::raise(SIGKILL);
}

}  // namespace hubtable::config
