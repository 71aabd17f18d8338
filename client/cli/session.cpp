#include "cli/session.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/output.h"
#include "hubtable/v1/filters.pb.h"
#include "lib/people_file.h"
#include "lib/session_store.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;

int transport_failure(const absl::Status& s) {
  std::fprintf(stderr, "hubtable: %s\n", std::string(s.message()).c_str());
  return kExitConnect;
}

int usage_failure(const absl::Status& s) {
  std::fprintf(stderr, "hubtable: %s\n", std::string(s.message()).c_str());
  return kExitUsage;
}

int request_failure(const absl::Status& s) {
  // What could not be sent is the caller's to fix, not the connection.
  return s.code() == absl::StatusCode::kInvalidArgument ? usage_failure(s) : transport_failure(s);
}

namespace {

/// --profile, or $HUBTABLE_PROFILE.
absl::StatusOr<std::string> profile_dir(const Globals& g) {
  std::string dir = g.profile;
  if (dir.empty()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once on the CLI's only thread.
    if (const char* env = std::getenv("HUBTABLE_PROFILE"); env != nullptr) dir = env;
  }
  if (dir.empty()) {
    return absl::InvalidArgumentError("no profile: use --profile DIR or set HUBTABLE_PROFILE");
  }
  return dir;
}

std::int64_t now_us() {
  using std::chrono::duration_cast;
  using std::chrono::microseconds;
  using std::chrono::system_clock;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace

void load_local_time(const Globals& g) {
  std::string zone;
  if (auto dir = profile_dir(g); dir.ok()) {
    if (auto file = client::session_file_for(*dir); file.ok()) {
      if (auto saved = client::load_session(*file); saved.ok() && *saved) {
        zone = (*saved)->time_zone;
      }
    }
  }
  use_local_time(client::LocalTime::in(zone, g.utc_offsets));
}

absl::StatusOr<std::int64_t> parse_bound(const Globals& g, const std::string& text,
                                         const char* option) {
  load_local_time(g);
  return local_time().parse_bound(text, now_us(), option);
}

absl::StatusOr<std::int64_t> parse_when(const Globals& g, const std::string& text,
                                        const char* option) {
  load_local_time(g);
  return local_time().parse_when(text, now_us(), option);
}

int open_session(const Globals& g, Session& out, bool need_token) {
  auto dir = profile_dir(g);
  if (!dir.ok()) return usage_failure(dir.status());
  std::string server = g.server;
  if (server.empty()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once on the CLI's only thread.
    if (const char* env = std::getenv("HUBTABLE_SERVER"); env != nullptr) server = env;
  }
  auto profile = client::load_profile(*dir, server);
  if (!profile.ok()) return usage_failure(profile.status());
  out.profile = std::move(*profile);
  out.json = g.json;
  auto file = client::session_file_for(out.profile.dir);
  if (!file.ok()) return usage_failure(file.status());
  out.session_file = *file;
  std::optional<std::string> token;
  use_local_time(client::LocalTime::in("", g.utc_offsets));
  if (need_token) {
    auto loaded = client::load_session(out.session_file);
    if (!loaded.ok()) return usage_failure(loaded.status());
    if (!*loaded) {
      std::fprintf(stderr, "hubtable: not logged in: run `hubtable login` first\n");
      return kExitRefused;
    }
    token = std::move((*loaded)->token);
    use_local_time(client::LocalTime::in((*loaded)->time_zone, g.utc_offsets));
  }
  auto conn = client::Connection::open(out.profile);
  if (!conn.ok()) return transport_failure(conn.status());
  out.connection = std::move(*conn);
  if (token) out.connection->set_session_token(*token);
  return kExitOk;
}

int call(const Globals& g, const v1::Request& request, v1::Response& out) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  return call_in(s, request, out);
}

namespace {

/// "3" where a situation id goes: the third line of the open meeting's
/// agenda (the chair and reps follow the agenda by its numbers). Any other
/// id is left as it is.
absl::Status resolve_agenda_position(Session& s, v1::Request& request) {
  const auto* kind = request.GetReflection()->GetOneofFieldDescriptor(
      request, request.GetDescriptor()->FindOneofByName("kind"));
  if (kind == nullptr || kind->message_type() == nullptr) return absl::OkStatus();
  auto* body = request.GetReflection()->MutableMessage(&request, kind);
  const auto* id = body->GetDescriptor()->FindFieldByName("id");
  if (id == nullptr || id->type() != google::protobuf::FieldDescriptor::TYPE_STRING ||
      id->is_repeated()) {
    return absl::OkStatus();
  }
  const std::string value = body->GetReflection()->GetString(*body, id);
  if (value.empty() || value.size() > 3 ||
      !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return absl::OkStatus();
  }
  const auto position = static_cast<std::uint32_t>(std::stoul(value));
  v1::Request agenda;
  agenda.mutable_agenda();
  for (std::uint32_t after = 0;;) {
    agenda.mutable_agenda()->set_after_position(after);
    auto r = s.connection->call(agenda);
    if (!r.ok()) return r.status();
    if (r->status().code() != v1::OK) {
      return absl::InvalidArgumentError("situation " + value +
                                        ": a number is a line of the open meeting's agenda, "
                                        "and the agenda could not be read: " +
                                        r->status().message());
    }
    for (const auto& item : r->agenda().agenda().items()) {
      if (item.position() == position) {
        body->GetReflection()->SetString(body, id, item.situation());
        return absl::OkStatus();
      }
    }
    after = r->agenda().agenda().next_after_position();
    if (after == 0) break;
  }
  return absl::InvalidArgumentError("the open meeting's agenda has no line " + value);
}

}  // namespace

int call_in(Session& s, const v1::Request& given, v1::Response& out) {
  v1::Request request = given;
  if (auto st = resolve_agenda_position(s, request); !st.ok()) return request_failure(st);
  auto r = s.connection->call(request);
  if (r.ok() && !s.json) make_terminal_safe(*r);
  if (int rc = take_answer(s, r); rc != kExitOk) return rc;
  out = std::move(*r);
  return kExitOk;
}

int take_answer(Session& s, const absl::StatusOr<v1::Response>& answer) {
  if (!answer.ok()) return request_failure(answer.status());
  if (answer->status().code() != v1::OK) {
    if (answer->status().code() == v1::UNAUTHENTICATED) client::forget_session(s.session_file);
    v1::Status status = answer->status();
    if (!s.json) make_terminal_safe(status);
    return print_refusal(status);
  }
  return kExitOk;
}

int call_pages(const Globals& g, const v1::Request& request, v1::Response& out,
               const NextPage& next, const MergePage& merge) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  if (int rc = call_in(s, request, out); rc != kExitOk) return rc;
  v1::Response page = out;
  for (v1::Request more; next(page, more); more.Clear()) {
    if (int rc = call_in(s, more, page); rc != kExitOk) return rc;
    merge(out, page);
  }
  return kExitOk;
}

absl::StatusOr<std::string> read_text(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return text;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return text;
}

absl::StatusOr<std::string> read_free_text(const std::string& path) {
  auto text = read_text(path);
  if (!text.ok()) return text;
  std::string out;
  out.reserve(text->size());
  for (std::size_t i = 0; i < text->size(); ++i) {
    if ((*text)[i] == '\r' && i + 1 < text->size() && (*text)[i + 1] == '\n') continue;
    out.push_back((*text)[i]);
  }
  return out;
}

void Commands::add(CLI::App* app, const std::string& example, std::function<int()> run) {
  app->footer("\nExample:\n  " + example);
  app->add_option("--profile", g_.profile, "profile directory");
  app->add_option("--server", g_.server, "override the server address (HOST:PORT)");
  app->add_flag("--json", g_.json, "print JSON");
  app->add_flag("--utc-offsets", g_.utc_offsets, "show times as RFC 3339 with their UTC offset");
  entries_.push_back({app, std::move(run)});
}

int Commands::run_parsed() const {
  for (const auto& e : entries_) {
    if (e.app->parsed()) return e.run();
  }
  return kExitUsage;
}

absl::StatusOr<std::vector<hubtable::v1::Person>> read_people(const std::string& path) {
  auto text = read_text(path);
  if (!text.ok()) return text.status();
  return client::parse_people(*text);
}

}  // namespace hubtable::cli
