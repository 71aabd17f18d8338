#pragma once
// The server process as /proc shows it: resident memory, descriptors, CPU.

#include <sys/types.h>

#include <cstdint>

namespace hubtable::bench {

struct ProcessSample {
  std::uint64_t rss_kib = 0;
  std::uint64_t anon_kib = 0;  // RssAnon: resident memory not backed by a file
  std::uint64_t fds = 0;
  double cpu_seconds = 0;  // user + system
};

/// Zeros when the process is gone.
ProcessSample probe(pid_t pid);

/// Raises this process's descriptor limit to its hard limit (children
/// inherit it); returns the new soft limit.
std::uint64_t raise_descriptor_limit();

}  // namespace hubtable::bench
