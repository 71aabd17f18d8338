#pragma once
// Printing responses: protobuf's JSON mapping for --json, readable text otherwise.

#include <string>
#include <string_view>

#include <google/protobuf/message.h>

#include "absl/status/statusor.h"

#include "hubtable/v1/envelope.pb.h"
#include "lib/local_time.h"

namespace hubtable::cli {

/// Exit codes of the command-line contract.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitConnect = 3;

/// One JSON object on stdout (proto field names, enums as names).
void print_json(const google::protobuf::Message& message);
/// The same JSON, as text (with a final newline). Control characters are
/// JSON escapes (\u001b, \u202e), never raw.
std::string json_text(const google::protobuf::Message& message);

/// `text` as it may be printed on a terminal: every character that is not
/// printable (controls other than newline and tab, NUL, C1 controls,
/// bidirectional overrides and isolates, bytes that are not UTF-8) as a
/// visible escape: \x1b, \x00, \u{202e}.
std::string terminal_safe(std::string_view text);
/// terminal_safe on every string field of `message`, nested ones included:
/// what the server sent is printed as data whatever it holds.
void make_terminal_safe(google::protobuf::Message& message);

/// "hubtable: CODE: message (rule RULE)" on stderr; returns kExitRefused.
int print_refusal(const hubtable::v1::Status& status);

void print_whoami(const hubtable::v1::WhoAmIResponse& w);

/// One line per entry, grouped by kind: CODE  LABEL  [parent, table, retired].
void print_vocabulary(const hubtable::v1::ListVocabularyResponse& v);

/// The minutes of a meeting as a Markdown document.
std::string minutes_markdown(const hubtable::v1::MinutesResponse& m);

/// How this run shows and reads times: in the zone the login gave (the
/// table's), until set the machine's own.
void use_local_time(client::LocalTime t);
const client::LocalTime& local_time();

/// A moment as the table reads it: "Thu 2026-12-03 16:30" (RFC 3339 with
/// --utc-offsets).
std::string format_time_us(std::int64_t us);
/// The same to the second, for the audit trail.
std::string format_time_seconds(std::int64_t us);

}  // namespace hubtable::cli
