#include "lib/people_file.h"

#include <cstdio>

#include "wire/toml_document.h"

namespace hubtable::client {

absl::StatusOr<std::vector<hubtable::v1::Person>> parse_people(std::string_view text) {
  auto parsed = wire::parse_toml(text, "people file");
  if (!parsed.ok()) return parsed.status();
  toml::table& t = *parsed;
  std::vector<hubtable::v1::Person> out;
  auto* people = t["person"].as_array();
  if (people == nullptr) {
    return absl::InvalidArgumentError("people file: add one [[person]] table per person");
  }
  for (auto& node : *people) {
    auto* p = node.as_table();
    if (p == nullptr) return absl::InvalidArgumentError("people file: [[person]] must be a table");
    hubtable::v1::Person person;
    person.set_name((*p)["name"].value_or(std::string()));
    // A bare TOML date (1990-04-01) or a string.
    if (auto d = (*p)["date_of_birth"].value<toml::date>()) {
      char buf[16];
      std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", static_cast<int>(d->year),
                    static_cast<int>(d->month), static_cast<int>(d->day));
      person.set_date_of_birth(buf);
    } else {
      person.set_date_of_birth((*p)["date_of_birth"].value_or(std::string()));
    }
    person.set_address((*p)["address"].value_or(std::string()));
    person.set_phone((*p)["phone"].value_or(std::string()));
    if (auto* aliases = (*p)["aliases"].as_array()) {
      for (auto& a : *aliases) person.add_aliases(a.value_or(std::string()));
    }
    out.push_back(std::move(person));
  }
  return out;
}

}  // namespace hubtable::client
