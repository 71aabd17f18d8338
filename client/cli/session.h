#pragma once
// What every command shares: the global options, opening a profile's session
// and making one call with the exit codes of the command-line contract.

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "hubtable/v1/envelope.pb.h"
#include "lib/connection.h"
#include "lib/profile.h"

namespace CLI {
class App;
}

namespace hubtable::cli {

struct Globals {
  std::string profile;
  std::string server;  // HOST:PORT override
  bool json = false;
  bool utc_offsets = false;  // --utc-offsets: times as RFC 3339
};

/// A profile, its session file and an open connection.
struct Session {
  client::Profile profile;
  std::filesystem::path session_file;
  std::unique_ptr<client::Connection> connection;
  bool json = false;  // --json: responses stay as sent (the JSON printer escapes them)
};

/// Prints the failure on stderr and returns exit code 3.
int transport_failure(const absl::Status& s);
/// Prints the failure on stderr and returns exit code 2.
int usage_failure(const absl::Status& s);
/// A failed call: exit 2 for a request that could not be sent as it is
/// (INVALID_ARGUMENT from Connection::send), exit 3 for the connection.
int request_failure(const absl::Status& s);

/// Shows and reads times in the zone of the profile's saved session (the
/// table's), or the machine's when there is none.
void load_local_time(const Globals& g);
/// A --from/--to bound (a date: the table's midnight beginning it; or a
/// time as --at takes it), as UTC microseconds; 0 for empty.
absl::StatusOr<std::int64_t> parse_bound(const Globals& g, const std::string& text,
                                         const char* option);
/// An --at time: "now", "16:30", "yesterday 16:30", "mon 9:15", a date and
/// time, or RFC 3339; in the table's zone.
absl::StatusOr<std::int64_t> parse_when(const Globals& g, const std::string& text,
                                        const char* option);

/// Loads the profile and connects; with `need_token`, also loads the session
/// (exit 1 when not logged in). Returns an exit code (0 on success).
int open_session(const Globals& g, Session& out, bool need_token);

/// Sends `request` with the saved session and, when the server answers OK,
/// leaves the response in `out`. Returns the exit code.
int call(const Globals& g, const hubtable::v1::Request& request, hubtable::v1::Response& out);

/// Like call(), on a session already open (for commands that make several).
/// Without --json, every string of the response is made terminal-safe
/// (output.h) before anyone prints it. A request that cannot be sent as it
/// is (not UTF-8, over the frame limit) is a usage error: exit 2.
int call_in(Session& s, const hubtable::v1::Request& request, hubtable::v1::Response& out);

/// What call_in does with its answer, for an answer the command waited for
/// itself (a page asked for ahead): exit 0 when the server answered OK; else
/// the transport failure or refusal is printed (an ended session is
/// forgotten) and its exit code returned. The answer is not made
/// terminal-safe: for answers that are checked, never printed.
int take_answer(Session& s, const absl::StatusOr<hubtable::v1::Response>& answer);

/// For answers that come in pages: the next page's request, built from the
/// page just received (false when it was the last).
using NextPage =
    std::function<bool(const hubtable::v1::Response& page, hubtable::v1::Request& next)>;
/// Adds a later page's rows to the answer gathered so far.
using MergePage = std::function<void(hubtable::v1::Response& all, hubtable::v1::Response& page)>;

/// Sends `request`, then every further page `next` asks for, on one
/// session, and leaves in `out` the first answer with every page merged.
int call_pages(const Globals& g, const hubtable::v1::Request& request, hubtable::v1::Response& out,
               const NextPage& next, const MergePage& merge);

/// Reads a whole file, or standard input for "-".
absl::StatusOr<std::string> read_text(const std::string& path);
/// A people file ([[person]] tables: name, date_of_birth, address, phone,
/// aliases), as the originating agency writes it for `situation identify`
/// and a privacy officer for `audit access-request`.
absl::StatusOr<std::vector<hubtable::v1::Person>> read_people(const std::string& path);
/// read_text for free text (narratives, notes, updates): Windows line
/// endings become newlines.
absl::StatusOr<std::string> read_free_text(const std::string& path);

/// Registers a subcommand's runner; main runs the one that was parsed.
/// Every command comes with an example of its use, shown by its --help.
/// Every command: its example (the footer of its --help), the global
/// options (--profile, --server, --json, --utc-offsets, also after the
/// command's name) and what it runs.
class Commands {
 public:
  explicit Commands(Globals& g) : g_(g) {}
  void add(CLI::App* app, const std::string& example, std::function<int()> run);
  /// Exit code of the parsed command, or kExitUsage when none was.
  int run_parsed() const;

 private:
  struct Entry {
    CLI::App* app;
    std::function<int()> run;
  };
  Globals& g_;
  std::vector<Entry> entries_;
};

void add_meeting_commands(CLI::App& app, Globals& g, Commands& commands);
void add_situation_commands(CLI::App& app, Globals& g, Commands& commands);
/// Filters 3 and 4 (under `situation`) and `admin`; after the above.
void add_filter_commands(CLI::App& app, Globals& g, Commands& commands);
/// `tasks` and `watch`: the work that comes to a person.
void add_work_commands(CLI::App& app, Globals& g, Commands& commands);
/// `audit ...`: the privacy officer's tools.
void add_audit_commands(CLI::App& app, Globals& g, Commands& commands);
/// `report ...`: statistics, the public version and the provincial export.
void add_report_commands(CLI::App& app, Globals& g, Commands& commands);

}  // namespace hubtable::cli
