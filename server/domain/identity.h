#pragma once
// Filter 3 identifiers as the originating agency enters them: validation
// (messages name the person and the field, never the value) and the
// normalisation behind the repeat-detection blind index.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "domain/decision.h"
#include "domain/limits.h"

namespace hubtable::domain {

struct Person {
  std::string name;
  std::string date_of_birth;  // YYYY-MM-DD
  std::string address;
  std::string phone;  // optional
  std::vector<std::string> aliases;
};

/// The sealed field names of one person, in storage order.
inline constexpr const char* kPersonFields[] = {"name", "date_of_birth", "address", "phone",
                                                "aliases"};

/// Checks the people of one identification: 1 to 10 people, each with a
/// name, a real past date of birth, an address, and optional phone and
/// aliases within their limits. `today` is YYYY-MM-DD.
Decision validate_people(const std::vector<Person>& people, std::string_view today);

/// Checks the names and date of birth of an access request: 1 to 10 names
/// (the person's, as they have used them) and one real past date of birth.
/// Messages name the field, never the value.
Decision validate_lookup(const std::vector<Person>& people, std::string_view today);

/// Case-folded, accent-stripped, punctuation-free name tokens in sorted
/// order, so "O'Brien, Marie-Ève" and "marie eve obrien" agree.
std::string normalise_name(std::string_view name);

/// The blind index input of one person: normalised name and date of birth.
std::string identity_key(const Person& p);

/// Code points in `text` (invalid UTF-8 counts byte by byte).
std::size_t utf8_length(std::string_view text);

}  // namespace hubtable::domain
