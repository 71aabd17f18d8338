#pragma once
// A province's worth of situations for the report benchmarks: a real
// deployment (hubtabled init + apply) whose tables each hold years of
// situations at every stage, written straight into the encrypted database.

#include <cstdint>
#include <filesystem>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace hubtable::bench {

struct ProvinceShape {
  int tables = 100;
  int years = 10;
  int per_table_per_year = 1000;   // a busy table: about 20 a week
  std::int64_t first_year = 2017;  // situations run from 1 January of this year
};

/// Creates the deployment in `dir` (which must not exist) and seeds it.
/// Deterministic: the same shape gives the same figures.
absl::Status seed_province(const std::filesystem::path& dir, const ProvinceShape& shape);

/// The shape a seeded deployment was made with (NOT_FOUND: none seeded).
absl::StatusOr<ProvinceShape> province_shape(const std::filesystem::path& dir);

/// The deployment's config file.
inline std::filesystem::path province_config(const std::filesystem::path& dir) {
  return dir / "hubtabled.toml";
}

}  // namespace hubtable::bench
