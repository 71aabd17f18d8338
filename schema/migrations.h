#pragma once
// The numbered SQL migrations in schema/, embedded into the binaries.

#include <span>
#include <string_view>

namespace hubtable::schema {

struct Migration {
  int version;            // the NNNN prefix; applied in increasing order
  std::string_view name;  // file name without extension
  std::string_view sql;
};

/// Every migration, sorted by version, versions contiguous from 1.
std::span<const Migration> migrations();

}  // namespace hubtable::schema
