#pragma once
// For fuzz targets whose surface is a file the product reads by path
// (hubtabled.toml, profile.toml): one private scratch directory per process,
// under /dev/shm when there is one, and the input written where the reader
// looks.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace hubtable::fuzz {

inline const std::filesystem::path& scratch_dir() {
  static const std::filesystem::path dir = [] {
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm")
                                           ? "/dev/shm"
                                           : std::filesystem::temp_directory_path();
    std::string pattern = (base / "hubtable-fuzz-XXXXXX").string();
    return std::filesystem::path(::mkdtemp(pattern.data()));
  }();
  return dir;
}

inline void write_input(const std::filesystem::path& file, const std::uint8_t* data,
                        std::size_t size) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));  // NOLINT
}

}  // namespace hubtable::fuzz
