#pragma once
// Repository for vocabularies: the embedded defaults and tables' own entries.
// Runs inside the caller's transaction.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "domain/deid_scanner.h"
#include "store/connection.h"
#include "store/directory.h"

namespace hubtable::store {

struct VocabularyRow {
  std::string kind;
  std::string code;
  std::string label;
  std::string parent;
  std::string details;     // "key=value" lines
  std::string table_code;  // empty for a default entry
  bool retired = false;
};

/// The kinds of vocabulary, in display order.
const std::vector<std::string>& vocabulary_kinds();
bool is_vocabulary_kind(const std::string& kind);
/// "situation_type, age_band, ..." for error messages.
std::string vocabulary_kinds_text();

/// Brings the default entries in line with the embedded CSVs: inserts new
/// codes, updates changed labels, retires codes no longer shipped. Returns
/// how many entries changed (0 when already in line).
absl::StatusOr<int> sync_default_vocabularies(Connection& c);

struct VocabularyQuery {
  std::string kind;                      // empty: every kind
  std::vector<std::string> table_codes;  // tables whose own entries to include
  bool all_tables = false;               // include every table's entries
  bool include_retired = false;
};
absl::StatusOr<std::vector<VocabularyRow>> list_vocabulary(Connection& c, const VocabularyQuery& q);

/// Phrases that are not personal names at these tables: agency and table
/// names and vocabulary labels, as the de-identification scanner's allow
/// list. Read and normalised once per connection while the reference data
/// stay unchanged (schema 0012's token), for up to kPhraseMemoEntries sets
/// of tables; each call after the first shares the list made then.
inline constexpr std::size_t kPhraseMemoEntries = 64;
absl::StatusOr<std::shared_ptr<const domain::DeidAllowList>> deid_allow_list(
    Connection& c, const std::vector<std::string>& table_codes);

/// True when `code` is a live entry of `kind`, as a default or of `table_code`.
/// The live entries are read once per connection while the reference data
/// stay unchanged (schema 0012's token): a submission's codes are each
/// checked twice (spelling, then validity), and none of them costs a query.
absl::StatusOr<bool> vocabulary_has(Connection& c, const std::string& kind, const std::string& code,
                                    const std::string& table_code = "");

/// Adds or relabels a table's own entry. Refuses a code that is a default.
absl::StatusOr<Upsert> upsert_table_vocabulary(Connection& c, const std::string& table_code,
                                               const VocabularyRow& row);

}  // namespace hubtable::store
