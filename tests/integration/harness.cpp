#include "tests/integration/harness.h"

#include <signal.h>

#include <cstdlib>
#include <ctime>
#include <thread>

namespace hubtable::testing {

namespace v1 = hubtable::v1;

RunningServer::RunningServer(const std::string& limits) : deployment_(limits) {
  log_path_ = deployment_.scratch() / "hubtabled.log";
}

RunningServer::~RunningServer() { stop(); }

std::string hubtabled_binary() {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): read before any thread starts.
  const char* other = std::getenv("HUBTABLE_TEST_HUBTABLED");
  return other != nullptr ? std::string(other) : hubtabled_path();
}

void RunningServer::start() {
  const auto port_file = deployment_.scratch() / "port";
  std::filesystem::remove(port_file);
  process_ = std::make_unique<ChildProcess>(
      std::vector<std::string>{hubtabled_binary(), "serve", "--config",
                               deployment_.config_path().string(), "--port-file",
                               port_file.string()},
      log_path_);
  const bool up =
      wait_until([&] { return std::filesystem::exists(port_file) || process_->poll().has_value(); },
                 std::chrono::seconds(60));
  ASSERT_TRUE(up && std::filesystem::exists(port_file)) << "server did not start:\n" << log();
  port_ = static_cast<std::uint16_t>(std::stoi(read_file(port_file)));
}

std::optional<int> RunningServer::stop() {
  if (!process_) return std::nullopt;
  auto code = process_->stop(SIGTERM, std::chrono::seconds(20));
  process_.reset();
  return code;
}

void RunningServer::kill() {
  if (!process_) return;
  process_->stop(SIGKILL, std::chrono::seconds(20));
  process_.reset();
}

client::Profile RunningServer::profile(const std::string& user) const {
  auto p = client::load_profile(deployment_.profile(user), address());
  EXPECT_TRUE(p.ok()) << p.status();
  return *p;
}

std::unique_ptr<client::Connection> RunningServer::connect(
    const std::string& user, client::Connection::Options options) const {
  auto c = client::Connection::open(profile(user), std::move(options));
  EXPECT_TRUE(c.ok()) << c.status();
  return c.ok() ? std::move(*c) : nullptr;
}

std::string RunningServer::password(const std::string& user) const {
  return password_changed_.count(user) ? kNewPassword : deployment_.one_time_password(user);
}

v1::Response RunningServer::login(client::Connection& conn, const std::string& user) {
  v1::Request req;
  auto* l = req.mutable_login();
  l->set_username(user);
  l->set_password(password(user));
  if (!password_changed_.count(user)) l->set_new_password(kNewPassword);
  if (std::filesystem::exists(deployment_.profile(user) / "totp-uri")) {
    // A code may be used once: wait for the next 30-second step if this
    // user already used the current one.
    auto now_s = [] { return std::time(nullptr); };
    if (last_totp_step_.count(user)) {
      wait_until([&] { return now_s() / 30 > last_totp_step_[user]; }, std::chrono::seconds(40));
    }
    last_totp_step_[user] = now_s() / 30;
    l->set_totp_code(deployment_.totp(user, now_s()));
  }
  auto r = conn.call(req);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  if (r->status().code() == v1::OK) {
    password_changed_.insert(user);
    conn.set_session_token(r->login().session_token());
  }
  return *r;
}

bool RunningServer::serves(const std::string& user, const std::string& local_address) {
  client::Connection::Options options;
  options.local_address = local_address;
  auto conn = client::Connection::open(profile(user), options);
  if (!conn.ok()) return false;
  if (login(**conn, user).status().code() != v1::OK) return false;
  v1::Request who;
  who.mutable_whoami();
  auto r = (*conn)->call(who);
  return r.ok() && r->status().code() == v1::OK && r->whoami().username() == user;
}

CommandLine::CommandLine(RunningServer& server, std::chrono::seconds timeout)
    : server_(server), timeout_(timeout), runtime_(server.deployment().scratch() / "run") {
  std::filesystem::create_directories(runtime_);
  std::filesystem::permissions(runtime_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
}

CommandResult CommandLine::run(const std::string& user, const std::vector<std::string>& args,
                               const std::filesystem::path& profile) const {
  std::vector<std::string> argv = {
      hubtable_path(), "--profile",
      (profile.empty() ? server_.deployment().profile(user) : profile).string(), "--server",
      server_.address()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, {{"XDG_RUNTIME_DIR", runtime_.string()}}, timeout_);
}

std::string CommandLine::secret_file(const std::string& name, const std::string& value) const {
  const auto p = server_.deployment().scratch() / name;
  write_file(p, value + "\n");
  return p.string();
}

CommandResult CommandLine::first_login(const std::string& user, const std::string& totp) const {
  std::vector<std::string> args = {
      "login", "--password-file",
      (server_.deployment().profile(user) / "one-time-password").string(), "--new-password-file",
      secret_file("new", kNewPassword)};
  if (!totp.empty()) {
    args.push_back("--totp-file");
    args.push_back(secret_file("totp", totp));
  }
  return run(user, args);
}

CommandResult CommandLine::first_login_with_totp(const std::string& user) const {
  return first_login(user, server_.deployment().totp(user, std::time(nullptr)));
}

}  // namespace hubtable::testing
