#pragma once
// A people file: one [[person]] table per person (name, date_of_birth as a
// TOML date or a string, address, phone, aliases), as the originating agency
// writes it for `situation identify` and a privacy officer for `audit
// access-request`. Only its shape is read here; what a person must hold is
// the server's to say.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "hubtable/v1/filters.pb.h"

namespace hubtable::client {

absl::StatusOr<std::vector<hubtable::v1::Person>> parse_people(std::string_view text);

}  // namespace hubtable::client
