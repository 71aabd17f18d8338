#pragma once
// The de-identification scanner: finds likely direct identifiers in free text
// that must stay de-identified (Filter 2 narratives, status updates, decision
// notes). Pure: text in, findings out. Findings carry a category and byte
// offsets, never the matched text, so callers can report them without
// echoing an identifier. The text is read normalised (domain/scan_text.h:
// look-alike digits, dashes, spaces and symbols as their ASCII forms) and
// scanned in time linear in its length.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace hubtable::domain {

enum class IdentifierCategory {
  kPersonName,
  kPhoneNumber,
  kEmail,
  kStreetAddress,
  kPostalCode,
  kFullDate,
  kIdNumber,
  kLicencePlate,
};

/// Stable name used in messages and the wire protocol, e.g. "PHONE_NUMBER".
std::string_view category_name(IdentifierCategory c);

struct Finding {
  IdentifierCategory category;
  std::size_t begin;  // byte offset in the text as given, inclusive
  std::size_t end;    // byte offset in the text as given, exclusive
};

/// Capitalised words and phrases that are not names here: agency and table
/// names, vocabulary labels. Matching is case-sensitive on whole words.
/// The phrases are normalised as the scanner reads text (domain/scan_text.h)
/// once, when the list is made: a table's hundreds of labels are not
/// normalised again for every text scanned against them.
class DeidAllowList {
 public:
  DeidAllowList() = default;
  explicit DeidAllowList(const std::vector<std::string>& phrases);
  /// The phrases normalised, empty ones and repeats left out, in order.
  const std::vector<std::string>& phrases() const { return phrases_; }

 private:
  std::vector<std::string> phrases_;
};

/// Scans `text`; findings are sorted by offset and do not overlap.
std::vector<Finding> scan_for_identifiers(std::string_view text, const DeidAllowList& allow = {});

}  // namespace hubtable::domain
