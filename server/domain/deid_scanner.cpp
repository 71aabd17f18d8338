#include "domain/deid_scanner.h"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <set>
#include <tuple>

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
      "Oct(ober)?|Nov(ember)?|Dec(ember)?)";
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
    p.push_back(compile(C::kStreetAddress,
                        R"(\b(Apt|Apartment|Unit|Suite|Ste)\.?\s*#?\s*\d+[A-Za-z]?\b)", icase));
    p.push_back(compile(C::kStreetAddress, R"(\bP\.?\s?O\.?\s+Box\s+\d+)", icase));
    p.push_back(compile(C::kIdNumber, R"(\b\d{3}[ -]\d{3}[ -]\d{3}\b)", exact));  // SIN
    p.push_back(compile(C::kIdNumber, R"(\b\d{4}[ -]\d{3}[ -]\d{3}([ -]?[A-Z]{2})?\b)", exact));
    p.push_back(compile(C::kIdNumber, R"(\b[A-Z]{0,2}\d{7,}[A-Z]{0,2}\b)", exact));
    p.push_back(compile(C::kLicencePlate, R"(\b[A-Z]{4}[ -]?\d{3}\b)", exact));
    p.push_back(compile(C::kLicencePlate, R"(\b[A-Z]{3}[ -]\d{3}\b)", exact));
    p.push_back(compile(C::kLicencePlate, R"(\b\d{3}[ -][A-Z]{3}\b)", exact));
    p.push_back(compile(C::kPersonName,
                        R"(\b(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][A-Za-z'-]+(\s+[A-Z][A-Za-z'-]+)?)",
                        exact));
    p.push_back(compile(
        C::kPersonName,
        R"(\b(named|called|name is|known as|goes by|aka|a\.k\.a\.)\s+[A-Z][a-z'-]+(\s+[A-Z][a-z'-]+)?)",
        exact));
    return p;
  }();
  return kPatterns;
}

// Capitalised words that are ordinary English or domain vocabulary, not names:
// sentence-starting function words, family and service roles, calendar words,
// and domain terms that are often capitalised. Lower case, space-separated.
const std::set<std::string>& common_words() {
  static const std::set<std::string> kWords = [] {
    constexpr std::string_view kList =
        "a an the he she they we i it his her their our this that these those there here after "
        "before on in at when while since both no not yes if as by for from with without during "
        "over under about per all each every some many most one two three four five six seven "
        "eight nine ten first second third last next previous other another also and or but so "
        "then now today yesterday tomorrow tonight still recently currently reportedly overall "
        "however although because due following update status note notes concerns concern risk "
        "plan agencies agency police family mother father mom dad parent parents grandmother "
        "grandfather sibling siblings brother sister son daughter child children youth adult "
        "senior person individual client neighbour neighbours landlord partner caregiver teacher "
        "principal worker officer officers staff team school hospital shelter housing court "
        "probation lead assisting table situation consent referral intervention door knock "
        "meeting follow-up unknown none male female young older elderly will was is has had did "
        "does may might can could should would must attends lives living presented referred "
        "reported discussed agreed accepted rejected closed connected informed refused unable "
        "moved hub cor aer monday tuesday wednesday thursday friday saturday sunday january "
        "february march april may june july august september october november december spring "
        "summer fall autumn winter christmas easter thanksgiving ramadan diwali grade "
        "kindergarten jk sk english french indigenous first nations nation métis metis inuit "
        "canadian newcomer ontario saskatchewan manitoba alberta quebec canada works disability "
        "support program children's aid society mental health community addictions addiction "
        "emergency department services service victim crisis board district public catholic "
        "secondary elementary high middle college university filter filters covid covid-19 "
        "naloxone narcan fentanyl opioid opioids cas er ed ems rcmp opp ptsd adhd fasd odsp ow "
        "ncr cto mha cmha icu er's ";
    std::set<std::string> out;
    std::size_t start = 0;
    while (start < kList.size()) {
      const std::size_t end = std::min(kList.find(' ', start), kList.size());
      if (end > start) out.emplace(kList.substr(start, end - start));
      start = end + 1;
    }
    return out;
  }();
  return kWords;
}

bool is_upper_word(std::string_view w) {
  return !w.empty() && std::isupper(static_cast<unsigned char>(w[0])) != 0;
}

std::string lower(std::string_view w) {
  std::string out(w);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
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
  std::string l = lower(w);
  if (l.size() > 2 && l.substr(l.size() - 2) == "'s") l = l.substr(0, l.size() - 2);
  return common_words().count(l) == 0;
}

// Where the allowed phrases occur, by start. Words come in order, so one
// pass over these, keeping the furthest end seen, tells whether a word lies
// inside one: no per-byte table, no pairwise checks.
class AllowedSpans {
 public:
  AllowedSpans(std::string_view text, const DeidAllowList& allow) {
    for (const auto& raw : allow.phrases) {
      if (raw.empty()) continue;
      const std::string phrase = ScanText(raw).text();
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

  // Names by shape: capitalised words that are neither ordinary words nor
  // allowed phrases. Two or more in a row (separated by spaces only, none
  // starting a sentence) are a name anywhere; a single one is a name unless
  // it starts a sentence. One pass, word by word.
  AllowedSpans allowed(text, allow);
  struct Run {
    std::size_t begin = 0, end = 0, words = 0;
    bool sentence_start = false;
  } run;
  const auto flush = [&] {
    if (run.words >= 2 || (run.words == 1 && !run.sentence_start)) {
      found.push_back({IdentifierCategory::kPersonName, run.begin, run.end});
    }
    run.words = 0;
  };
  for_each_word(text, [&](const Word& w) {
    const bool candidate =
        name_like(text.substr(w.begin, w.end - w.begin)) && !allowed.covers(w.begin, w.end);
    if (run.words > 0) {
      const bool continues =
          candidate && !w.sentence_start &&
          text.substr(run.end, w.begin - run.end).find_first_not_of(' ') == std::string_view::npos;
      if (continues) {
        run.end = w.end;
        ++run.words;
        return;
      }
      flush();
    }
    if (candidate) run = {w.begin, w.end, 1, w.sentence_start};
  });
  flush();

  // Merge overlapping findings into one span; the longest match in the group
  // names its category ("SIN 046 454 286" is an ID number, not a plate).
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
  for (auto& f : out) std::tie(f.begin, f.end) = normalised.original_span(f.begin, f.end);
  return out;
}

}  // namespace hubtable::domain
