#include "config/allocator.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace hubtable::config {

std::string tunables_with_allocator(const char* current) {
  const std::string_view now = current == nullptr ? std::string_view{} : current;
  if (now.find("glibc.malloc.tcache_count=") != std::string_view::npos) return std::string(now);
  if (now.empty()) return kAllocatorTunable;
  return std::string(now) + ":" + kAllocatorTunable;
}

void run_with_allocator_tunables(char** argv) {
  // NOLINTBEGIN(concurrency-mt-unsafe): at start, before any thread.
  const char* current = std::getenv("GLIBC_TUNABLES");
  const std::string wanted = tunables_with_allocator(current);
  if (current != nullptr && wanted == current) return;
  if (::setenv("GLIBC_TUNABLES", wanted.c_str(), 1) != 0) return;
  ::execv("/proc/self/exe", argv);
  // Still here: exec failed (no /proc, say). Run as we are; the variable
  // stays set, so a program this one starts does not try again.
  std::fprintf(stderr,
               "hubtabled: could not restart with %s (%s); memory freed by closed "
               "connections may stay with the process\n",
               kAllocatorTunable, std::strerror(errno));
  // NOLINTEND(concurrency-mt-unsafe)
}

}  // namespace hubtable::config
