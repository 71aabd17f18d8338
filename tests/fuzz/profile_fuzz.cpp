// Fuzz target: any text as a client profile's profile.toml, beside the
// certificate files a profile holds, through the loader the command line
// uses; and any text as a server address override.

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/profile.h"
#include "tests/fuzz/fuzz_files.h"

namespace {

const std::filesystem::path& profile_dir() {
  static const std::filesystem::path dir = [] {
    auto d = hubtable::fuzz::scratch_dir() / "profile";
    std::filesystem::create_directories(d);
    for (const char* f : {"ca.crt", "client.crt", "client.key"}) std::ofstream(d / f) << "x\n";
    ::chmod((d / "client.key").c_str(), 0600);
    return d;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& dir = profile_dir();
  hubtable::fuzz::write_input(dir / "profile.toml", data, size);
  auto profile = hubtable::client::load_profile(dir);
  if (profile.ok() && (profile->server_host.empty() || profile->username.empty())) {
    __builtin_trap();  // a loaded profile names a server and a user
  }
  // The same bytes as `--server HOST:PORT` over a profile that loads.
  const std::string address(reinterpret_cast<const char*>(data), size);  // NOLINT
  (void)hubtable::client::load_profile(dir, address);
  return 0;
}
