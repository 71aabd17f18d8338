#pragma once
// What the command line adds to a server's refusal. The server speaks
// product words ("name the lead agency"), which a browser user reads too;
// the rule id is the contract, and this one file maps rule ids to the flags
// and commands of this program.

#include <string_view>

namespace hubtable::cli {

/// The flag or command that answers a refusal with `rule`; empty for none.
std::string_view advice_for(std::string_view rule);

}  // namespace hubtable::cli
