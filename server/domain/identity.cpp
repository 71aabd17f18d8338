#include "domain/identity.h"

#include <algorithm>
#include <cctype>

#include "absl/time/civil_time.h"
#include "domain/free_text.h"

namespace hubtable::domain {

namespace {

std::string where(std::size_t index, std::string_view field) {
  return "people[" + std::to_string(index) + "]." + std::string(field);
}

Decision check_text(std::size_t index, std::string_view field, std::string_view value,
                    std::size_t max_chars, bool required) {
  if (value.empty()) {
    if (required) return invalid("identify.missing_field", where(index, field) + " is required");
    return Decision::allow("identify.valid");
  }
  if (utf8_length(value) > max_chars) {
    return invalid("identify.too_long", where(index, field) + " is longer than " +
                                            std::to_string(max_chars) + " characters");
  }
  if (auto bad = check_free_text(where(index, field), value, Lines::kSingleLine)) return *bad;
  return Decision::allow("identify.valid");
}

Decision check_date_of_birth(std::size_t index, std::string_view dob, std::string_view today) {
  absl::CivilDay day;
  if (dob.size() != 10 || !absl::ParseCivilTime(absl::string_view(dob.data(), dob.size()), &day) ||
      absl::FormatCivilTime(day) != dob) {
    return invalid("identify.bad_date",
                   where(index, "date_of_birth") + " must be a date written YYYY-MM-DD");
  }
  absl::CivilDay now;
  if (absl::ParseCivilTime(absl::string_view(today.data(), today.size()), &now) &&
      (day > now || day.year() < now.year() - 120)) {
    return invalid("identify.bad_date",
                   where(index, "date_of_birth") + " is in the future or over 120 years ago");
  }
  return Decision::allow("identify.valid");
}

// Latin-1 supplement letters (U+00C0..U+00FF) without their accents.
constexpr std::string_view kLatin1Base =
    "aaaaaaaceeeeiiiidnooooo ouuuuyts"   // U+00C0..U+00DF (x: U+00D7)
    "aaaaaaaceeeeiiiidnooooo ouuuuyty";  // U+00E0..U+00FF (x: U+00F7)

}  // namespace

std::size_t utf8_length(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char ch) {
    return (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  }));
}

Decision validate_people(const std::vector<Person>& people, std::string_view today) {
  if (people.empty()) return invalid("identify.no_people", "at least one person is required");
  if (people.size() > kMaxPeople) {
    return invalid("identify.too_many_people",
                   "at most " + std::to_string(kMaxPeople) + " people per situation");
  }
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    for (const auto& d : {check_text(i, "name", p.name, kMaxNameChars, true),
                          check_date_of_birth(i, p.date_of_birth, today),
                          check_text(i, "address", p.address, kMaxAddressChars, true),
                          check_text(i, "phone", p.phone, kMaxPhoneChars, false)}) {
      if (!d.allowed()) return d;
    }
    if (p.aliases.size() > kMaxAliases) {
      return invalid("identify.too_many_aliases",
                     where(i, "aliases") + ": at most " + std::to_string(kMaxAliases));
    }
    for (const auto& alias : p.aliases) {
      auto d = check_text(i, "aliases", alias, kMaxNameChars, true);
      if (!d.allowed()) return d;
    }
    if (normalise_name(p.name).empty()) {
      return invalid("identify.missing_field", where(i, "name") + " has no letters");
    }
  }
  return Decision::allow("identify.valid");
}

Decision validate_lookup(const std::vector<Person>& people, std::string_view today) {
  if (people.empty()) {
    return invalid("access_statement.no_person", "give the person's name and date of birth");
  }
  if (people.size() > kMaxPeople) {
    return invalid("access_statement.too_many_names",
                   "at most " + std::to_string(kMaxPeople) + " names per request");
  }
  for (std::size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    for (const auto& d : {check_text(i, "name", p.name, kMaxNameChars, true),
                          check_date_of_birth(i, p.date_of_birth, today)}) {
      if (!d.allowed()) return d;
    }
    if (normalise_name(p.name).empty()) {
      return invalid("identify.missing_field", where(i, "name") + " has no letters");
    }
  }
  return Decision::allow("access_statement.valid");
}

std::string normalise_name(std::string_view name) {
  std::vector<std::string> tokens(1);
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto u = static_cast<unsigned char>(name[i]);
    char out = 0;
    if (u < 0x80) {
      if (std::isalnum(u) != 0)
        out = static_cast<char>(std::tolower(u));
      else if (u == '\'' || u == '.')
        continue;  // O'Brien = OBrien, St. = St
    } else if ((u == 0xC3) && i + 1 < name.size()) {
      const auto next = static_cast<unsigned char>(name[i + 1]);
      ++i;
      if (next >= 0x80 && next <= 0xBF) out = kLatin1Base[next - 0x80];
      if (out == ' ') out = 0;
    } else {
      // Other scripts: kept byte for byte (continuation bytes included).
      tokens.back().push_back(static_cast<char>(u));
      continue;
    }
    if (out != 0) {
      tokens.back().push_back(out);
    } else if (!tokens.back().empty()) {
      tokens.emplace_back();
    }
  }
  if (tokens.back().empty()) tokens.pop_back();
  std::sort(tokens.begin(), tokens.end());
  std::string joined;
  for (const auto& t : tokens) {
    if (!joined.empty()) joined.push_back(' ');
    joined += t;
  }
  return joined;
}

std::string identity_key(const Person& p) { return normalise_name(p.name) + "|" + p.date_of_birth; }

}  // namespace hubtable::domain
