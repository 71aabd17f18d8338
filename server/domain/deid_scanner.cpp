#include "domain/deid_scanner.h"

#include <re2/re2.h>
#include <utf8proc.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>
#include <tuple>

#include "domain/first_names.h"
#include "domain/name_rules.h"
#include "domain/scan_text.h"

namespace hubtable::domain {

namespace {

// RE2 runs in time linear in the text, whatever the pattern: a draft of
// "a.a.a.a..." costs what prose of the same length costs (std::regex
// backtracked for seconds on it).
struct Pattern {
  IdentifierCategory category;
  std::unique_ptr<RE2> regex;
};

Pattern compile(IdentifierCategory category, const std::string& pattern, bool ignore_case) {
  RE2::Options options;
  options.set_case_sensitive(!ignore_case);
  options.set_log_errors(false);
  auto re = std::make_unique<RE2>(pattern, options);
  // The patterns are constants: one that does not compile is a defect the
  // scanner's tests catch, never something a client can cause.
  if (!re->ok()) std::abort();
  return {category, std::move(re)};
}

const std::vector<Pattern>& patterns() {
  using C = IdentifierCategory;
  constexpr bool icase = true;
  constexpr bool exact = false;
  static const std::string kMonth =
      "(Jan(uary)?|Feb(ruary)?|Mar(ch)?|Apr(il)?|May|June?|July?|Aug(ust)?|Sep(t(ember)?)?|"
      "Oct(ober)?|Nov(ember)?|Dec(ember)?|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|"
      "septembre|octobre|novembre|d[ée]cembre)";
  static const std::string kStreet =
      "(Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Boulevard|Blvd|Crescent|Cres|Court|Ct|Lane|Ln|"
      "Way|Place|Pl|Terrace|Trail|Parkway|Pkwy|Circle|Highway|Hwy|Square|Sq|Gate|Grove)";
  static const std::vector<Pattern> kPatterns = [] {
    std::vector<Pattern> p;
    p.push_back(compile(
        C::kEmail, R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})", exact));
    p.push_back(compile(C::kFullDate, R"(\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b)", exact));
    p.push_back(compile(C::kFullDate, R"(\b\d{1,2}[-/.]\d{1,2}[-/.](\d{4}|\d{2})\b)", exact));
    p.push_back(
        compile(C::kFullDate, "\\b" + kMonth + "\\.? \\d{1,2}(st|nd|rd|th)?,? \\d{4}\\b", icase));
    p.push_back(
        compile(C::kFullDate, "\\b\\d{1,2}(st|nd|rd|th)? (of )?" + kMonth + ",? \\d{4}\\b", icase));
    p.push_back(compile(C::kPhoneNumber,
                        R"((\+?1[\s.-]?)?(\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]\d{4}\b)", exact));
    p.push_back(compile(C::kPhoneNumber, R"(\b\d{3}-\d{4}\b)", exact));
    p.push_back(compile(C::kPostalCode,
                        R"(\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d\b)",
                        icase));
    p.push_back(
        compile(C::kStreetAddress,
                "\\b\\d{1,5}[A-Za-z]?(-\\d{1,5})?\\s+([A-Z][A-Za-z'-]+\\s+){1,3}" + kStreet + "\\b",
                exact));
    p.push_back(
        compile(C::kStreetAddress, "\\b\\d{1,3}(st|nd|rd|th)\\s+" + kStreet + "\\b", exact));
    p.push_back(compile(C::kStreetAddress,
                        R"(\b\d{1,5},?\s+(rue|avenue|boulevard|boul\.?|chemin|rang)\s+\S+)",
                        icase));
    p.push_back(compile(C::kStreetAddress,
                        R"(\b(Range|Township|Grid|Concession|Rural)\s+(Road|Rd)\s+\d+)", exact));
    p.push_back(compile(C::kStreetAddress,
                        R"(\b(Apt|Apartment|Unit|Suite|Ste)\.?\s*#?\s*\d+[A-Za-z]?\b)", icase));
    p.push_back(compile(C::kStreetAddress, R"(\bP\.?\s?O\.?\s+Box\s+\d+)", icase));
    p.push_back(compile(C::kIdNumber, R"(\b\d{3}[ -]\d{3}[ -]\d{3}\b)", exact));  // SIN
    p.push_back(compile(C::kIdNumber, R"(\b\d{4}[ -]\d{3}[ -]\d{3}([ -]?[A-Z]{2})?\b)", exact));
    p.push_back(compile(C::kIdNumber, R"(\b[A-Z]{0,2}\d{7,}[A-Z]{0,2}\b)", exact));
    // An agency's own file, case, incident or occurrence number, whatever its shape.
    p.push_back(compile(
        C::kIdNumber,
        R"(\b(file|case|incident|occurrence|dossier|chart|report|record)(\s+(no\.?|number|num[ée]ro|#))?)"
        R"((\s+(is|was))?\s*[:#]?\s*[A-Z]{0,3}-?\d[A-Z0-9]*(-[A-Z0-9]+)*)",
        icase));
    p.push_back(compile(
        C::kIdNumber, R"(\b(number|no\.|num[ée]ro)\s+(is\s+)?[A-Z]{1,3}\d{5,}[A-Z0-9-]*)", icase));
    p.push_back(compile(C::kIdNumber, R"(\b[A-Z]\d{4}-\d{5}-\d{5}\b)", exact));  // ON licence
    p.push_back(compile(C::kIdNumber, R"(\b[A-Z]{4} ?\d{4} ?\d{4}\b)", exact));  // RAMQ
    p.push_back(compile(C::kLicencePlate, R"(\b[A-Z]{4}[ -]?\d{3}\b)", exact));
    p.push_back(compile(C::kLicencePlate, R"(\b[A-Z]{3}[ -]\d{4}\b)", exact));
    p.push_back(compile(C::kLicencePlate, R"(\b\d[A-Z]{3}[ -]\d{3}\b)", exact));
    p.push_back(compile(C::kLicencePlate, R"(\b[A-Z]{3}[ -]\d{3}\b)", exact));
    p.push_back(compile(C::kLicencePlate, R"(\b\d{3}[ -][A-Z]{3}\b)", exact));
    p.push_back(compile(
        C::kPersonName,
        R"(\b(Mr|Mrs|Ms|Miss|Mx|Dr|Mme|Mlle|M|Cst|Constable|Sgt|Sergeant|Principal)\.?\s+[A-Z][A-Za-z'-]+(\s+[A-Z][A-Za-z'-]+)?)",
        exact));
    p.push_back(compile(
        C::kPersonName,
        R"(\b(named|called|name is|known as|goes by|aka|a\.k\.a\.)\s+[A-Z][a-z'-]+(\s+[A-Z][a-z'-]+)?)",
        exact));
    return p;
  }();
  return kPatterns;
}

// Starts with a capital letter, accented ones too ("Émilie", "Élodie").
bool is_upper_word(std::string_view w) {
  if (w.empty()) return false;
  utf8proc_int32_t first = -1;
  const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(w.data()),
                                  static_cast<utf8proc_ssize_t>(w.size()), &first);
  return n > 0 && utf8proc_category(first) == UTF8PROC_CATEGORY_LU;
}

struct Word {
  std::size_t begin;
  std::size_t end;
  bool sentence_start;
};

/// Calls `fn(word)` for each word of `text`, in order.
template <class F>
void for_each_word(std::string_view text, F&& fn) {
  bool at_start = true;
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isalpha(c) != 0 || c >= 0x80) {
      std::size_t j = i;
      while (j < text.size()) {
        const unsigned char d = static_cast<unsigned char>(text[j]);
        if (std::isalnum(d) != 0 || d >= 0x80 || d == '\'' || d == '-') {
          ++j;
        } else {
          break;
        }
      }
      fn(Word{i, j, at_start});
      at_start = false;
      i = j;
      continue;
    }
    if (c == '.' || c == '!' || c == '?' || c == '\n' || c == ':' || c == ';' || c == '(' ||
        c == '"') {
      at_start = true;
    } else if (std::isdigit(c) != 0) {
      at_start = false;
    }
    ++i;
  }
}

// A capitalised word that could be part of a name.
bool name_like(std::string_view w) {
  if (!is_upper_word(w) || w.size() < 2) return false;
  bool all_upper = true;
  for (char c : w) {
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) return false;
    if (std::islower(static_cast<unsigned char>(c)) != 0) all_upper = false;
  }
  if (all_upper) return false;  // acronyms: CAS, ER, RCMP
  return !is_common_word(ascii_lower(w));
}

// Where the allowed phrases occur, by start. Words come in order, so one
// pass over these, keeping the furthest end seen, tells whether a word lies
// inside one: no per-byte table, no pairwise checks.
class AllowedSpans {
 public:
  AllowedSpans(std::string_view text, const DeidAllowList& allow) {
    for (const std::string& phrase : allow.phrases()) {
      for (std::size_t at = text.find(phrase); at != std::string_view::npos;
           at = text.find(phrase, at + 1)) {
        spans_.emplace_back(at, at + phrase.size());
      }
    }
    std::sort(spans_.begin(), spans_.end());
  }
  /// Whether [begin, end) lies inside an allowed phrase. Calls must come in
  /// increasing `begin`.
  bool covers(std::size_t begin, std::size_t end) {
    while (next_ < spans_.size() && spans_[next_].first <= begin) {
      furthest_ = std::max(furthest_, spans_[next_++].second);
    }
    return furthest_ >= end;
  }

 private:
  std::vector<std::pair<std::size_t, std::size_t>> spans_;
  std::size_t next_ = 0;
  std::size_t furthest_ = 0;
};

/// Names, streets and organisations by shape and context (domain/name_rules.h):
/// runs of capitalised words that are neither ordinary words nor allowed
/// phrases, each classified with the words around it.
void add_name_runs(std::string_view text, const DeidAllowList& allow, std::vector<Finding>& found) {
  std::vector<Word> words;
  for_each_word(text, [&](const Word& w) { words.push_back(w); });
  AllowedSpans allowed(text, allow);
  const auto word_at = [&](std::size_t i) {
    return text.substr(words[i].begin, words[i].end - words[i].begin);
  };
  const auto spaces_only = [&](std::size_t from, std::size_t to) {
    return text.substr(from, to - from).find_first_not_of(' ') == std::string_view::npos;
  };
  std::vector<bool> candidate(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::string_view w = word_at(i);
    const bool shaped =
        name_like(w) ||
        // The name of a street, whatever the word: "rue Ontario", "Portage Avenue".
        (is_upper_word(w) && i > 0 && is_french_street_word(word_at(i - 1))) ||
        (is_upper_word(w) && i + 1 < words.size() && is_upper_word(word_at(i + 1)) &&
         is_street_word(word_at(i + 1)) && spaces_only(words[i].end, words[i + 1].begin)) ||
        // A given name that is also an ordinary word, in the possessive: "Will's mother".
        (is_upper_word(w) && w.size() > 2 && w.substr(w.size() - 2) == "'s" && is_first_name(w));
    candidate[i] = shaped && !allowed.covers(words[i].begin, words[i].end);
  }
  for (std::size_t i = 0; i < words.size();) {
    if (!candidate[i]) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < words.size() && candidate[j] && !words[j].sentence_start &&
           spaces_only(words[j - 1].end, words[j].begin)) {
      ++j;
    }
    NameRun run;
    for (std::size_t k = i; k < j; ++k) run.words.push_back(word_at(k));
    run.sentence_start = words[i].sentence_start;
    if (i > 0) {
      run.before = word_at(i - 1);
      const std::string_view gap = text.substr(words[i - 1].end, words[i].begin - words[i - 1].end);
      run.comma_before = gap.find(',') != std::string_view::npos;
      // "20th Street": the word before is an ordinal's suffix right after its digits.
      const std::size_t prev = words[i - 1].begin;
      run.number_before = prev > 0 && std::isdigit(static_cast<unsigned char>(text[prev - 1])) != 0;
    }
    if (i > 1) run.before2 = word_at(i - 2);
    if (j < words.size() && !words[j].sentence_start) run.after = word_at(j);
    switch (classify_run(run)) {
      case RunKind::kPersonName:
        found.push_back({IdentifierCategory::kPersonName, words[i].begin, words[j - 1].end});
        break;
      case RunKind::kStreet:
        found.push_back({IdentifierCategory::kStreetAddress, words[i].begin, words[j - 1].end});
        break;
      case RunKind::kNone:
        break;
    }
    i = j;
  }
}

// Overlapping findings become one span; the longest match in the group
// names its category ("SIN 046 454 286" is an ID number, not a plate).
std::vector<Finding> merge_overlapping(std::vector<Finding> found) {
  std::sort(found.begin(), found.end(), [](const Finding& a, const Finding& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Finding> out;
  std::size_t longest = 0;
  for (const auto& f : found) {
    if (!out.empty() && f.begin < out.back().end) {
      if (f.end - f.begin > longest) {
        longest = f.end - f.begin;
        out.back().category = f.category;
      }
      out.back().end = std::max(out.back().end, f.end);
      continue;
    }
    out.push_back(f);
    longest = f.end - f.begin;
  }
  return out;
}

}  // namespace

std::string_view category_name(IdentifierCategory c) {
  switch (c) {
    case IdentifierCategory::kPersonName:
      return "PERSON_NAME";
    case IdentifierCategory::kPhoneNumber:
      return "PHONE_NUMBER";
    case IdentifierCategory::kEmail:
      return "EMAIL";
    case IdentifierCategory::kStreetAddress:
      return "STREET_ADDRESS";
    case IdentifierCategory::kPostalCode:
      return "POSTAL_CODE";
    case IdentifierCategory::kFullDate:
      return "FULL_DATE";
    case IdentifierCategory::kIdNumber:
      return "ID_NUMBER";
    case IdentifierCategory::kLicencePlate:
      return "LICENCE_PLATE";
  }
  return "UNKNOWN";
}

DeidAllowList::DeidAllowList(const std::vector<std::string>& phrases) {
  for (const auto& raw : phrases) {
    if (raw.empty()) continue;
    std::string phrase = ScanText(raw).text();
    if (!phrase.empty()) phrases_.push_back(std::move(phrase));
  }
  std::sort(phrases_.begin(), phrases_.end());
  phrases_.erase(std::unique(phrases_.begin(), phrases_.end()), phrases_.end());
}

std::vector<Finding> scan_for_identifiers(std::string_view original, const DeidAllowList& allow) {
  // Scanned as normalised (look-alike digits, dashes, spaces and '@' read
  // as their ASCII forms); found at the writer's own offsets.
  const ScanText normalised(original);
  const std::string& subject = normalised.text();
  const std::string_view text = subject;
  std::vector<Finding> found;
  for (const auto& p : patterns()) {
    const re2::StringPiece input(subject);
    re2::StringPiece match;
    std::size_t pos = 0;
    while (pos < subject.size() &&
           p.regex->Match(input, pos, subject.size(), RE2::UNANCHORED, &match, 1)) {
      const auto b = static_cast<std::size_t>(match.data() - subject.data());
      const std::size_t e = b + match.size();
      if (e > b) found.push_back({p.category, b, e});
      pos = std::max(e, b + 1);
    }
  }

  add_name_runs(text, allow, found);

  // Merged in the normalised text, then again at the writer's offsets: two
  // findings apart there may share a character whose normal form holds
  // both ("¾" reads as "3⁄4").
  auto merged = merge_overlapping(std::move(found));
  for (auto& f : merged) std::tie(f.begin, f.end) = normalised.original_span(f.begin, f.end);
  return merge_overlapping(std::move(merged));
}

}  // namespace hubtable::domain
