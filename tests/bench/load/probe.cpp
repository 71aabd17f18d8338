#include "tests/bench/load/probe.h"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace hubtable::bench {

namespace {

// A "Name:   123 kB" line of /proc/<pid>/status.
std::uint64_t status_kib(const std::filesystem::path& proc, std::string_view name) {
  std::ifstream status(proc / "status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.size() > name.size() && line.compare(0, name.size(), name) == 0 &&
        line[name.size()] == ':') {
      return std::stoull(line.substr(name.size() + 1));
    }
  }
  return 0;
}

std::uint64_t descriptors(const std::filesystem::path& proc) {
  std::error_code ec;
  std::uint64_t n = 0;
  for (std::filesystem::directory_iterator it(proc / "fd", ec), end; !ec && it != end;
       it.increment(ec)) {
    ++n;
  }
  return n;
}

// Fields 14 and 15 of /proc/<pid>/stat, after the command name's ")".
double cpu_seconds(const std::filesystem::path& proc) {
  std::ifstream stat(proc / "stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string skip;
  for (int i = 3; i <= 13; ++i) fields >> skip;
  unsigned long long user = 0;
  unsigned long long system = 0;
  fields >> user >> system;
  return static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace

ProcessSample probe(pid_t pid) {
  const std::filesystem::path proc = "/proc/" + std::to_string(pid);
  ProcessSample s;
  s.rss_kib = status_kib(proc, "VmRSS");
  s.anon_kib = status_kib(proc, "RssAnon");
  s.fds = descriptors(proc);
  s.cpu_seconds = cpu_seconds(proc);
  return s;
}

std::uint64_t raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  limit.rlim_cur = limit.rlim_max;
  (void)::setrlimit(RLIMIT_NOFILE, &limit);
  ::getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace hubtable::bench
