#pragma once
// The declarative deployment file read by `hubtabled apply`: agencies, tables
// with schedules and member agencies, users with roles.

#include <filesystem>
#include <vector>

#include "absl/status/statusor.h"
#include "store/directory.h"
#include "store/vocabulary.h"

namespace hubtable::provision {

struct ApplyFile {
  std::vector<store::AgencyRow> agencies;
  std::vector<store::TableRow> tables;
  std::vector<store::UserRow> users;
  std::vector<store::VocabularyRow> vocabulary;  // tables' own entries (table_code set)
};

/// Parses and validates the whole file before anything is changed. Errors
/// name the entry and field, e.g. "users[3].roles[0].table: unknown table 'x'".
absl::StatusOr<ApplyFile> parse_apply_file(const std::filesystem::path& path);
absl::StatusOr<ApplyFile> parse_apply_text(std::string_view text);

}  // namespace hubtable::provision
