#pragma once
// The given names the de-identification scanner recognises on their own
// (data/first_names.txt, embedded at build time; its header names the
// sources and their licences).

#include <string_view>

namespace hubtable::domain {

/// The list as embedded: one name per line, '#' comment lines.
std::string_view first_names_text();

/// Whether `word` (as written, e.g. "Jayden", "Léa") is a listed given name.
bool is_first_name(std::string_view word);

}  // namespace hubtable::domain
