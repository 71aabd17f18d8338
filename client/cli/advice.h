#pragma once
// What the command line adds to a server's refusal. The server speaks
// product words ("name the lead agency"), which a browser user reads too;
// the rule id is the contract, and this one file maps rule ids to the flags
// and commands of this program.

#include <string>
#include <string_view>

namespace hubtable::cli {

/// The flag or command that answers a refusal with `rule`; empty for none.
std::string_view advice_for(std::string_view rule);

/// A server message with the request's field names as the options a user
/// types: "situation_type" becomes "--type", "narrative" "--narrative-file".
std::string in_the_users_words(const std::string& message);

}  // namespace hubtable::cli
