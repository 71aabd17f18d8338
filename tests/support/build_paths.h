#pragma once
// Files of the build tree and the checkout, found from the running test
// executable instead of absolute paths compiled in: a clone in another
// directory then compiles to the same objects, which ccache reuses. CMake
// passes each path relative to the build tree's root (the nearest directory
// above the executable that holds CMakeCache.txt).

#include <filesystem>
#include <stdexcept>
#include <string>

namespace hubtable::testing {

inline const std::filesystem::path& build_root() {
  static const std::filesystem::path root = [] {
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe");
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path();
         dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "CMakeCache.txt")) return dir;
    }
    throw std::runtime_error("no CMakeCache.txt above " + exe.string());
  }();
  return root;
}

/// `relative` (to the build tree's root) as a full path.
inline std::string in_build(const char* relative) {
  return (build_root() / relative).lexically_normal().string();
}

#ifdef HUBTABLED_IN_BUILD
/// hubtabled and hubtable as this build made them (tests on the harness).
inline std::string hubtabled_path() { return in_build(HUBTABLED_IN_BUILD); }
inline std::string hubtable_path() { return in_build(HUBTABLE_IN_BUILD); }
#endif

}  // namespace hubtable::testing
