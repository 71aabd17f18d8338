// hubtable: the thin command-line client.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "cli/output.h"
#include "cli/prompt.h"
#include "cli/session.h"
#include "lib/connection.h"
#include "lib/profile.h"
#include "lib/session_store.h"

namespace {

namespace v1 = hubtable::v1;
namespace fs = std::filesystem;
using namespace hubtable;

using cli::call;
using cli::Globals;
using cli::open_session;
using cli::Session;
using cli::transport_failure;
using cli::usage_failure;

struct LoginOptions {
  std::string password_file;
  std::string totp_file;
  std::string new_password_file;
};

int run_login(const Globals& g, const LoginOptions& o) {
  Session s;
  if (int rc = open_session(g, s, false); rc != cli::kExitOk) return rc;
  auto password = cli::obtain_secret(o.password_file, "Password for " + s.profile.username);
  if (!password.ok()) return usage_failure(password.status());
  v1::LoginRequest login;
  login.set_username(s.profile.username);
  login.set_password(password->str());
  if (!o.totp_file.empty()) {
    auto code = cli::read_secret_file(o.totp_file);
    if (!code.ok()) return usage_failure(code.status());
    login.set_totp_code(code->str());
  }
  // The server asks for what is missing (authenticator code, new password)
  // one step at a time, only after the password is right.
  for (int step = 0; step < 3; ++step) {
    v1::Request req;
    *req.mutable_login() = login;
    auto r = s.connection->call(req);
    if (!r.ok()) return cli::request_failure(r.status());
    const auto& status = r->status();
    if (status.code() == v1::OK) {
      if (auto saved = client::save_session(s.session_file,
                                            {r->login().session_token(), r->login().time_zone()});
          !saved.ok()) {
        return usage_failure(saved);
      }
      cli::use_local_time(client::LocalTime::in(r->login().time_zone(), g.utc_offsets));
      if (g.json) {
        v1::LoginResponse shown = r->login();
        shown.clear_session_token();  // never print the token
        cli::print_json(shown);
      } else {
        std::printf("Logged in as %s%s; session ends by %s; times are in %s\n",
                    s.profile.username.c_str(),
                    r->login().password_changed() ? " (password changed)" : "",
                    cli::format_time_us(r->login().absolute_expires_at_us()).c_str(),
                    cli::local_time().zone_name().c_str());
      }
      return cli::kExitOk;
    }
    if (status.rule() == "auth.totp_required" && login.totp_code().empty()) {
      auto code = cli::prompt_secret("Authenticator code");
      if (!code.ok()) return usage_failure(code.status());
      login.set_totp_code(code->str());
      continue;
    }
    if (status.rule() == "auth.password_change_required" && login.new_password().empty()) {
      if (!o.new_password_file.empty()) {
        auto np = cli::read_secret_file(o.new_password_file);
        if (!np.ok()) return usage_failure(np.status());
        login.set_new_password(np->str());
      } else {
        std::fprintf(stderr, "Your one-time password must be replaced (12 characters or more).\n");
        auto first = cli::prompt_secret("New password");
        if (!first.ok()) return usage_failure(first.status());
        auto again = cli::prompt_secret("New password again");
        if (!again.ok()) return usage_failure(again.status());
        if (first->str() != again->str()) {
          return usage_failure(absl::InvalidArgumentError("the two new passwords differ"));
        }
        login.set_new_password(first->str());
      }
      continue;
    }
    return cli::print_refusal(status);
  }
  return cli::print_refusal(v1::Status());
}

int run_logout(const Globals& g) {
  Session s;
  if (int rc = open_session(g, s, true); rc != cli::kExitOk) return rc;
  v1::Request req;
  req.mutable_logout();
  auto r = s.connection->call(req);
  client::forget_session(s.session_file);
  if (!r.ok()) return transport_failure(r.status());
  if (r->status().code() != v1::OK) return cli::print_refusal(r->status());
  if (g.json) {
    cli::print_json(r->logout());
  } else {
    std::printf("Logged out\n");
  }
  return cli::kExitOk;
}

int run_whoami(const Globals& g) {
  v1::Request req;
  req.mutable_whoami();
  v1::Response r;
  if (int rc = call(g, req, r); rc != cli::kExitOk) return rc;
  if (g.json) {
    cli::print_json(r.whoami());
  } else {
    cli::print_whoami(r.whoami());
  }
  return cli::kExitOk;
}

struct VocabOptions {
  std::string kind;
  std::string table;
  bool all = false;
};

int run_vocab_list(const Globals& g, const VocabOptions& o) {
  v1::Request req;
  auto* list = req.mutable_list_vocabulary();
  list->set_kind(o.kind);
  list->set_table(o.table);
  list->set_include_retired(o.all);
  v1::Response r;
  if (int rc = call(g, req, r); rc != cli::kExitOk) return rc;
  if (g.json) {
    cli::print_json(r.list_vocabulary());
  } else {
    cli::print_vocabulary(r.list_vocabulary());
  }
  return cli::kExitOk;
}

/// The byte offset of code point `n` of UTF-8 `text` (its size past the end).
std::size_t byte_of(const std::string& text, std::uint32_t n) {
  std::size_t i = 0;
  for (std::uint32_t seen = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // a continuation byte
    if (seen++ == n) return i;
  }
  return text.size();
}

/// `text` with each finding shown as [CATEGORY: what was found].
std::string marked_draft(const std::string& text, const v1::DeidCheckResponse& check) {
  std::string out;
  std::size_t at = 0;
  for (const auto& f : check.findings()) {
    const std::size_t begin = std::max(at, byte_of(text, f.begin()));
    const std::size_t end = std::max(begin, byte_of(text, f.end()));
    out += cli::terminal_safe(std::string_view(text).substr(at, begin - at));
    out.append("[").append(f.category()).append(": ");
    out += cli::terminal_safe(std::string_view(text).substr(begin, end - begin));
    out += "]";
    at = end;
  }
  out += cli::terminal_safe(std::string_view(text).substr(at));
  return out;
}

int run_deid_check(const Globals& g, const std::string& file) {
  auto text = cli::read_free_text(file);
  if (!text.ok()) return usage_failure(text.status());
  v1::Request req;
  req.mutable_deid_check()->set_text(*text);
  v1::Response r;
  if (int rc = call(g, req, r); rc != cli::kExitOk) return rc;
  const auto& check = r.deid_check();
  if (g.json) {
    cli::print_json(check);
  } else if (check.clean()) {
    std::printf("clean: no likely identifiers found\n");
  } else {
    for (const auto& f : check.findings()) {
      std::printf("%s at characters %u-%u\n", f.category().c_str(), f.begin(), f.end());
    }
    // The draft is the user's own, on their own terminal: each finding marked in place.
    std::string marked = marked_draft(*text, check);
    while (!marked.empty() && marked.back() == '\n') marked.pop_back();
    std::printf("\nIn your draft:\n%s\n", marked.c_str());
  }
  // Exit 1 when anything was found, so scripts can gate a submission on it.
  return check.clean() ? cli::kExitOk : cli::kExitRefused;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hubtable: Situation Table client"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("hubtable ") + HUBTABLE_VERSION);
  Globals g;
  app.add_option("--profile", g.profile, "profile directory (default: $HUBTABLE_PROFILE)");
  app.add_option("--server", g.server, "override the profile's server address (HOST:PORT)");
  app.add_flag("--json", g.json, "print the response as JSON (protobuf JSON mapping)");
  app.add_flag("--utc-offsets", g.utc_offsets,
               "show times as RFC 3339 with their UTC offset (2026-12-03T16:30:00-05:00), not "
               "in the table's zone alone");

  LoginOptions lo;
  auto* login = app.add_subcommand("login", "log in with password and authenticator code");
  login->add_option("--password-file", lo.password_file, "read the password from this file");
  login->add_option("--totp-file", lo.totp_file, "read the authenticator code from this file");
  login->add_option("--new-password-file", lo.new_password_file,
                    "read the replacement for a one-time password from this file");
  auto* logout = app.add_subcommand("logout", "end this session");
  auto* whoami = app.add_subcommand("whoami", "show who you are logged in as");
  VocabOptions vo;
  auto* vocab = app.add_subcommand("vocab", "the table's vocabularies");
  vocab->require_subcommand(1);
  auto* vocab_list = vocab->add_subcommand("list", "list vocabulary entries");
  vocab_list->add_option("kind", vo.kind, "only this kind (e.g. risk_factor, sector)");
  vocab_list->add_option("--table", vo.table, "include this table's own entries only");
  vocab_list->add_flag("--all", vo.all, "include retired entries");
  std::string deid_file;
  auto* deid = app.add_subcommand("deid", "de-identification tools");
  deid->require_subcommand(1);
  auto* deid_check = deid->add_subcommand(
      "check", "scan a draft for likely identifiers (exit 1 when any are found)");
  deid_check->add_option("file", deid_file, "the draft text ('-' for standard input)")->required();
  cli::Commands commands(g);
  commands.add(login, "hubtable login", [&] { return run_login(g, lo); });
  commands.add(logout, "hubtable logout", [&] { return run_logout(g); });
  commands.add(whoami, "hubtable whoami", [&] { return run_whoami(g); });
  commands.add(vocab_list, "hubtable vocab list rejection_reason",
               [&] { return run_vocab_list(g, vo); });
  commands.add(deid_check, "hubtable deid check draft.txt",
               [&] { return run_deid_check(g, deid_file); });
  cli::add_meeting_commands(app, g, commands);
  cli::add_situation_commands(app, g, commands);
  cli::add_filter_commands(app, g, commands);
  cli::add_work_commands(app, g, commands);
  cli::add_audit_commands(app, g, commands);
  cli::add_report_commands(app, g, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  return commands.run_parsed();
}
