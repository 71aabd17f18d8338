#pragma once
// How the de-identification scanner tells a person's name from the other
// capitalised words of case notes. A run of capitalised words that are not
// ordinary words is classified by what it is made of and what surrounds it:
//
//   - a street ("Elm St", "Halifax Street", "Township Road 512", "rue
//     Saint-Denis"): a street name is a quasi-identifier, number or not;
//   - an organisation, programme or place ("John Howard Society", "Harmony
//     House", "Kinsmen Park", "Jordan's Principle"): not a person;
//   - two or more name-like words: a person's name;
//   - one word: a name when it is a listed given name (first_names.h) that
//     is not also an ordinary word, or when its context says so (a title or
//     a family role before it, a possessive, a verb of a person after it:
//     "Kwame says", "Yusuf was placed", "her brother Raymond").
// Pure functions over words; deid_scanner.cpp finds the runs.

#include <string>
#include <string_view>
#include <vector>

namespace hubtable::domain {

enum class RunKind { kNone, kPersonName, kStreet };

/// A run of capitalised candidate words and what surrounds it.
struct NameRun {
  std::vector<std::string_view> words;  // as written
  bool sentence_start = false;          // the first word starts a sentence
  std::string_view before;              // the word before the run ("" at the start)
  std::string_view before2;             // the word before that
  bool number_before = false;           // a number or ordinal right before ("20th Street")
  std::string_view after;               // the word after the run ("" at the end)
  bool comma_before = false;            // ", X" right after a role: "The mother, Nathalie"
};

RunKind classify_run(const NameRun& run);

/// `w` in lower case (ASCII letters; absl::AsciiStrToLower).
std::string ascii_lower(std::string_view w);

/// Capitalised words that are ordinary words or domain vocabulary, never a
/// name on their own (lower case; a trailing "'s" is ignored).
bool is_common_word(std::string_view lower_word);

/// "Street", "St", "Avenue", "Way"...: a street type.
bool is_street_word(std::string_view word);

/// "rue", "avenue", "boulevard", "chemin"...: the word after one is a street's name.
bool is_french_street_word(std::string_view word);

}  // namespace hubtable::domain
