#include "domain/deid_scanner.h"

#include <algorithm>
#include <cctype>
#include <regex>
#include <set>

namespace hubtable::domain {

namespace {

struct Pattern {
  IdentifierCategory category;
  std::regex regex;
};

const std::vector<Pattern>& patterns() {
  using C = IdentifierCategory;
  const auto icase = std::regex::ECMAScript | std::regex::icase;
  const auto exact = std::regex::ECMAScript;
  static const std::string kMonth =
      "(Jan(uary)?|Feb(ruary)?|Mar(ch)?|Apr(il)?|May|June?|July?|Aug(ust)?|Sep(t(ember)?)?|"
      "Oct(ober)?|Nov(ember)?|Dec(ember)?)";
  static const std::string kStreet =
      "(Street|St|Avenue|Ave|Road|Rd|Drive|Dr|Boulevard|Blvd|Crescent|Cres|Court|Ct|Lane|Ln|"
      "Way|Place|Pl|Terrace|Trail|Parkway|Pkwy|Circle|Highway|Hwy|Square|Sq|Gate|Grove)";
  static const std::vector<Pattern> kPatterns = {
      {C::kEmail,
       std::regex(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})", exact)},
      {C::kFullDate, std::regex(R"(\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b)", exact)},
      {C::kFullDate, std::regex(R"(\b\d{1,2}[-/.]\d{1,2}[-/.](\d{4}|\d{2})\b)", exact)},
      {C::kFullDate, std::regex("\\b" + kMonth + "\\.? \\d{1,2}(st|nd|rd|th)?,? \\d{4}\\b", icase)},
      {C::kFullDate,
       std::regex("\\b\\d{1,2}(st|nd|rd|th)? (of )?" + kMonth + ",? \\d{4}\\b", icase)},
      {C::kPhoneNumber,
       std::regex(R"((\+?1[\s.-]?)?(\(\d{3}\)|\b\d{3})[\s.-]?\d{3}[\s.-]\d{4}\b)", exact)},
      {C::kPhoneNumber, std::regex(R"(\b\d{3}-\d{4}\b)", exact)},
      {C::kPostalCode,
       std::regex(R"(\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d\b)",
                  icase)},
      {C::kStreetAddress,
       std::regex(
           "\\b\\d{1,5}[A-Za-z]?(-\\d{1,5})?\\s+([A-Z][A-Za-z'-]+\\s+){1,3}" + kStreet + "\\b",
           exact)},
      {C::kStreetAddress,
       std::regex(R"(\b(Apt|Apartment|Unit|Suite|Ste)\.?\s*#?\s*\d+[A-Za-z]?\b)", icase)},
      {C::kStreetAddress, std::regex(R"(\bP\.?\s?O\.?\s+Box\s+\d+)", icase)},
      {C::kIdNumber, std::regex(R"(\b\d{3}[ -]\d{3}[ -]\d{3}\b)", exact)},  // SIN
      {C::kIdNumber, std::regex(R"(\b\d{4}[ -]\d{3}[ -]\d{3}([ -]?[A-Z]{2})?\b)", exact)},
      {C::kIdNumber, std::regex(R"(\b[A-Z]{0,2}\d{7,}[A-Z]{0,2}\b)", exact)},
      {C::kLicencePlate, std::regex(R"(\b[A-Z]{4}[ -]?\d{3}\b)", exact)},
      {C::kLicencePlate, std::regex(R"(\b[A-Z]{3}[ -]\d{3}\b)", exact)},
      {C::kLicencePlate, std::regex(R"(\b\d{3}[ -][A-Z]{3}\b)", exact)},
      {C::kPersonName,
       std::regex(R"(\b(Mr|Mrs|Ms|Miss|Mx|Dr)\.?\s+[A-Z][A-Za-z'-]+(\s+[A-Z][A-Za-z'-]+)?)",
                  exact)},
      {C::kPersonName,
       std::regex(
           R"(\b(named|called|name is|known as|goes by|aka|a\.k\.a\.)\s+[A-Z][a-z'-]+(\s+[A-Z][a-z'-]+)?)",
           exact)},
  };
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

std::vector<Word> words(std::string_view text) {
  std::vector<Word> out;
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
      out.push_back({i, j, at_start});
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
  return out;
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

void add_allowed_spans(std::string_view text, const DeidAllowList& allow,
                       std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  for (const auto& phrase : allow.phrases) {
    if (phrase.empty()) continue;
    for (std::size_t at = text.find(phrase); at != std::string_view::npos;
         at = text.find(phrase, at + 1)) {
      spans.emplace_back(at, at + phrase.size());
    }
  }
}

bool inside(const std::vector<std::pair<std::size_t, std::size_t>>& spans, std::size_t b,
            std::size_t e) {
  return std::any_of(spans.begin(), spans.end(),
                     [&](const auto& s) { return b >= s.first && e <= s.second; });
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

std::vector<Finding> scan_for_identifiers(std::string_view text, const DeidAllowList& allow) {
  std::vector<Finding> found;
  const std::string subject(text);
  for (const auto& p : patterns()) {
    for (auto it = std::sregex_iterator(subject.begin(), subject.end(), p.regex);
         it != std::sregex_iterator(); ++it) {
      const auto b = static_cast<std::size_t>(it->position(0));
      found.push_back({p.category, b, b + static_cast<std::size_t>(it->length(0))});
    }
  }

  // Names by shape: capitalised words that are neither ordinary words nor
  // allowed phrases. Two or more in a row are a name anywhere; a single one
  // is a name unless it starts a sentence.
  std::vector<std::pair<std::size_t, std::size_t>> allowed;
  add_allowed_spans(text, allow, allowed);
  const auto ws = words(text);
  for (std::size_t i = 0; i < ws.size();) {
    auto candidate = [&](std::size_t k) {
      return name_like(text.substr(ws[k].begin, ws[k].end - ws[k].begin)) &&
             !inside(allowed, ws[k].begin, ws[k].end);
    };
    if (!candidate(i)) {
      ++i;
      continue;
    }
    std::size_t j = i + 1;
    while (j < ws.size() && candidate(j) && !ws[j].sentence_start &&
           text.substr(ws[j - 1].end, ws[j].begin - ws[j - 1].end).find_first_not_of(' ') ==
               std::string_view::npos) {
      ++j;
    }
    if (j - i >= 2 || !ws[i].sentence_start) {
      found.push_back({IdentifierCategory::kPersonName, ws[i].begin, ws[j - 1].end});
    }
    i = j;
  }

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
  return out;
}

}  // namespace hubtable::domain
