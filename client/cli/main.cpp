// hubtable: the thin command-line client.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "cli/output.h"
#include "cli/prompt.h"
#include "lib/connection.h"
#include "lib/profile.h"
#include "lib/session_store.h"

namespace {

namespace v1 = hubtable::v1;
namespace fs = std::filesystem;
using namespace hubtable;

struct Globals {
  std::string profile;
  std::string server;  // HOST:PORT override
  bool json = false;
};

int transport_failure(const absl::Status& s) {
  std::fprintf(stderr, "hubtable: %s\n", std::string(s.message()).c_str());
  return cli::kExitConnect;
}

int usage_failure(const absl::Status& s) {
  std::fprintf(stderr, "hubtable: %s\n", std::string(s.message()).c_str());
  return cli::kExitUsage;
}

// A profile, its session file and an open connection.
struct Session {
  client::Profile profile;
  fs::path session_file;
  std::unique_ptr<client::Connection> connection;
};

int open_session(const Globals& g, Session& out, bool need_token) {
  std::string dir = g.profile;
  if (dir.empty()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once on the CLI's only thread.
    if (const char* env = std::getenv("HUBTABLE_PROFILE"); env != nullptr) dir = env;
  }
  if (dir.empty()) {
    return usage_failure(
        absl::InvalidArgumentError("no profile: use --profile DIR or set HUBTABLE_PROFILE"));
  }
  std::string server = g.server;
  if (server.empty()) {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once on the CLI's only thread.
    if (const char* env = std::getenv("HUBTABLE_SERVER"); env != nullptr) server = env;
  }
  auto profile = client::load_profile(dir, server);
  if (!profile.ok()) return usage_failure(profile.status());
  out.profile = std::move(*profile);
  auto file = client::session_file_for(out.profile.dir);
  if (!file.ok()) return usage_failure(file.status());
  out.session_file = *file;
  std::optional<std::string> token;
  if (need_token) {
    auto loaded = client::load_session(out.session_file);
    if (!loaded.ok()) return usage_failure(loaded.status());
    if (!*loaded) {
      std::fprintf(stderr, "hubtable: not logged in: run `hubtable login` first\n");
      return cli::kExitRefused;
    }
    token = std::move(*loaded);
  }
  auto conn = client::Connection::open(out.profile);
  if (!conn.ok()) return transport_failure(conn.status());
  out.connection = std::move(*conn);
  if (token) out.connection->set_session_token(*token);
  return cli::kExitOk;
}

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
    if (!r.ok()) return transport_failure(r.status());
    const auto& status = r->status();
    if (status.code() == v1::OK) {
      if (auto saved = client::save_session(s.session_file, r->login().session_token());
          !saved.ok()) {
        return usage_failure(saved);
      }
      if (g.json) {
        v1::LoginResponse shown = r->login();
        shown.clear_session_token();  // never print the token
        cli::print_json(shown);
      } else {
        std::printf("Logged in as %s%s; session ends by %s\n", s.profile.username.c_str(),
                    r->login().password_changed() ? " (password changed)" : "",
                    cli::format_time_us(r->login().absolute_expires_at_us()).c_str());
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
  Session s;
  if (int rc = open_session(g, s, true); rc != cli::kExitOk) return rc;
  v1::Request req;
  req.mutable_whoami();
  auto r = s.connection->call(req);
  if (!r.ok()) return transport_failure(r.status());
  if (r->status().code() != v1::OK) {
    if (r->status().code() == v1::UNAUTHENTICATED) client::forget_session(s.session_file);
    return cli::print_refusal(r->status());
  }
  if (g.json) {
    cli::print_json(r->whoami());
  } else {
    cli::print_whoami(r->whoami());
  }
  return cli::kExitOk;
}

struct VocabOptions {
  std::string kind;
  std::string table;
  bool all = false;
};

int run_vocab_list(const Globals& g, const VocabOptions& o) {
  Session s;
  if (int rc = open_session(g, s, true); rc != cli::kExitOk) return rc;
  v1::Request req;
  auto* list = req.mutable_list_vocabulary();
  list->set_kind(o.kind);
  list->set_table(o.table);
  list->set_include_retired(o.all);
  auto r = s.connection->call(req);
  if (!r.ok()) return transport_failure(r.status());
  if (r->status().code() != v1::OK) return cli::print_refusal(r->status());
  if (g.json) {
    cli::print_json(r->list_vocabulary());
  } else {
    cli::print_vocabulary(r->list_vocabulary());
  }
  return cli::kExitOk;
}

int run_deid_check(const Globals& g, const std::string& file) {
  std::string text;
  if (file == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(file, std::ios::binary);
    if (!in) return usage_failure(absl::NotFoundError("cannot read " + file));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  Session s;
  if (int rc = open_session(g, s, true); rc != cli::kExitOk) return rc;
  v1::Request req;
  req.mutable_deid_check()->set_text(text);
  auto r = s.connection->call(req);
  if (!r.ok()) return transport_failure(r.status());
  if (r->status().code() != v1::OK) return cli::print_refusal(r->status());
  const auto& check = r->deid_check();
  if (g.json) {
    cli::print_json(check);
  } else if (check.clean()) {
    std::printf("clean: no likely identifiers found\n");
  } else {
    for (const auto& f : check.findings()) {
      std::printf("%s at characters %u-%u\n", f.category().c_str(), f.begin(), f.end());
    }
  }
  // Exit 1 when anything was found, so scripts can gate a submission on it.
  return check.clean() ? cli::kExitOk : cli::kExitRefused;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"hubtable: Situation Table client"};
  app.require_subcommand(1);
  Globals g;
  app.add_option("--profile", g.profile, "profile directory (default: $HUBTABLE_PROFILE)");
  app.add_option("--server", g.server, "override the profile's server address (HOST:PORT)");
  app.add_flag("--json", g.json, "print the response as JSON (protobuf JSON mapping)");

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
  for (auto* sub : {login, logout, whoami, vocab_list, deid_check}) {
    sub->add_option("--profile", g.profile, "profile directory");
    sub->add_option("--server", g.server, "override the server address (HOST:PORT)");
    sub->add_flag("--json", g.json, "print JSON");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? cli::kExitOk : cli::kExitUsage;
  }
  if (*login) return run_login(g, lo);
  if (*logout) return run_logout(g);
  if (*whoami) return run_whoami(g);
  if (*vocab_list) return run_vocab_list(g, vo);
  if (*deid_check) return run_deid_check(g, deid_file);
  return cli::kExitUsage;
}
