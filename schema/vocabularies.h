#pragma once
// The default vocabularies (schema/vocab/*.csv, modelled on Ontario's RTD and
// the Saskatchewan Hub database), embedded into the binaries.

#include <span>
#include <string_view>

namespace hubtable::schema {

/// One default entry. Codes are stable identifiers; labels may change.
struct DefaultVocabularyEntry {
  std::string_view kind;  // e.g. "risk_factor", "sector", "closure_reason"
  std::string_view code;
  std::string_view label;
  std::string_view parent;   // risk_factor: its risk_category code; else empty
  std::string_view details;  // "key=value" lines (e.g. min_age=12), possibly empty
};

/// Every default entry, grouped by kind in a stable order.
std::span<const DefaultVocabularyEntry> default_vocabularies();

}  // namespace hubtable::schema
