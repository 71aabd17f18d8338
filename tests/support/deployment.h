#pragma once
// A real deployment in a temp dir, made by the same code as `hubtabled init`
// and `apply`, with a small table. Shared by the api unit tests and the
// integration tests.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "crypto/pki.h"
#include "crypto/totp.h"
#include "domain/clock.h"
#include "provision/apply_file.h"
#include "provision/provisioner.h"
#include "tests/support/temp_dir.h"

namespace hubtable::testing {

inline constexpr const char* kTestTable = R"toml(
[[agency]]
code = "police"
name = "Test Police"
sector = "POLICE"
isa_signed = 2025-01-01
isa_expires = 2030-01-01

[[agency]]
code = "mh"
name = "Test Mental Health"
sector = "MENTAL_HEALTH"
isa_signed = 2025-01-01
isa_expires = 2030-01-01

[[agency]]
code = "housing"
name = "Test Housing"
sector = "HOUSING"
isa_signed = 2025-01-01
isa_expires = 2030-01-01

[[table]]
code = "t1"
name = "Test Table"
time_zone = "America/Toronto"
agencies = ["police", "mh"]

[[table]]
code = "t2"
name = "Other Table"
time_zone = "America/Regina"
agencies = ["housing"]
schedule = { days = ["wed"], start = "13:30", minutes = 60 }

[[user]]
username = "rep.police"
name = "Rep Police"
agency = "police"
roles = [{ table = "t1", role = "REP" }]
confidentiality_signed = 2025-01-02

[[user]]
username = "rep.mh"
name = "Rep Mental Health"
agency = "mh"
roles = [{ table = "t1", role = "REP" }]
confidentiality_signed = 2025-01-02

[[user]]
username = "chair.one"
name = "Chair One"
confidentiality_signed = 2025-01-02
roles = [{ table = "t1", role = "CHAIR" }]

[[user]]
username = "po.one"
name = "Privacy Officer One"
confidentiality_signed = 2025-01-02
roles = [{ table = "t1", role = "PRIVACY_OFFICER" }]

[[user]]
username = "guest.one"
name = "Guest One"
confidentiality_signed = 2025-01-02
roles = [{ table = "t1", role = "GUEST" }]

[[user]]
username = "rep.t2"
name = "Rep Other Table"
agency = "housing"
confidentiality_signed = 2025-01-02
roles = [{ table = "t2", role = "REP" }]
)toml";

/// Owns the temp dir. Not thread-safe.
class TestDeployment {
 public:
  /// A deployment with keys and certificates of its own, not a copy of the
  /// template: for a test about another deployment's files.
  struct Separate {};

  /// Creates the deployment, a copy of this executable's template (below);
  /// `extra_config` is appended to hubtabled.toml (e.g. a [limits] table).
  explicit TestDeployment(const std::string& extra_config = "") {
    std::filesystem::copy(deployment_template(), root(), std::filesystem::copy_options::recursive);
    append_config(extra_config);
  }

  TestDeployment(Separate, const std::string& extra_config = "") {
    provision_into(root());
    append_config(extra_config);
  }

  /// What `hubtabled init` and `apply` of the test table make, in `dir`.
  static void provision_into(const std::filesystem::path& dir) {
    domain::SystemClock clock;
    provision::InitOptions o;
    o.dir = dir;
    o.listen_port = 0;
    auto s = provision::init_deployment(o, clock, crypto::system_random());
    if (!s.ok()) throw std::runtime_error("init: " + std::string(s.message()));
    apply_text_in(dir / "hubtabled.toml", kTestTable);
  }

  /// A deployment provisioned once per test executable and kept beside it
  /// (`<executable>.deployment`), made again when the executable changes or
  /// the copy is a day old (its one-time passwords last a week). Provisioning
  /// hashes nine passwords with Argon2id at the product's cost (64 MiB, 3
  /// passes): two of a service test's three seconds under ASan. Processes
  /// that start together (ctest -j) take turns at a lock to make it.
  static std::filesystem::path deployment_template() {
    namespace fs = std::filesystem;
    const fs::path exe = fs::read_symlink("/proc/self/exe");
    const fs::path dir = exe.string() + ".deployment";
    const std::string stamp = std::to_string(fs::file_size(exe)) + " " +
                              std::to_string(fs::last_write_time(exe).time_since_epoch().count()) +
                              "\n";
    const int lock =
        ::open((exe.string() + ".deployment.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
      throw std::runtime_error("cannot lock the deployment template beside " + exe.string());
    }
    const fs::path stamp_path = dir / "made-for";
    std::error_code ec;
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(stamp_path, ec);
    if (ec || read_file(stamp_path) != stamp || age > std::chrono::hours(24)) {
      fs::remove_all(dir);
      fs::create_directories(dir);
      provision_into(dir / "deploy");
      write_file(stamp_path, stamp);
    }
    ::close(lock);  // releases the lock
    return dir / "deploy";
  }

  void apply_text(const std::string& text) { apply_text_in(config_path(), text); }

  static void apply_text_in(const std::filesystem::path& config, const std::string& text) {
    domain::SystemClock clock;
    auto file = provision::parse_apply_text(text);
    if (!file.ok()) throw std::runtime_error("parse: " + std::string(file.status().message()));
    auto d = provision::open_deployment(config);
    if (!d.ok()) throw std::runtime_error("open: " + std::string(d.status().message()));
    auto r = provision::apply(*d, *file, config.parent_path() / "profiles", clock,
                              crypto::system_random());
    if (!r.ok()) throw std::runtime_error("apply: " + std::string(r.status().message()));
  }

  std::filesystem::path root() const { return dir_.path() / "deploy"; }
  std::filesystem::path config_path() const { return root() / "hubtabled.toml"; }
  std::filesystem::path profiles_dir() const { return root() / "profiles"; }
  std::filesystem::path profile(const std::string& user) const { return profiles_dir() / user; }
  std::filesystem::path database() const { return root() / "data/hubtable.db"; }
  std::filesystem::path scratch() const { return dir_.path(); }

  std::string one_time_password(const std::string& user) const {
    std::string p = read_file(profile(user) / "one-time-password");
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    return p;
  }

  std::string thumbprint(const std::string& user) const {
    return *crypto::certificate_thumbprint_pem(read_file(profile(user) / "client.crt"));
  }

  /// The authenticator code for `user` at `unix_seconds`.
  std::string totp(const std::string& user, std::int64_t unix_seconds) const {
    const std::string uri = read_file(profile(user) / "totp-uri");
    auto start = uri.find("secret=") + 7;
    auto secret = crypto::base32_decode(uri.substr(start, uri.find('&', start) - start));
    return *crypto::totp_generate(*secret, unix_seconds);
  }

 private:
  void append_config(const std::string& extra_config) {
    if (!extra_config.empty()) {
      write_file(config_path(), read_file(config_path()) + "\n" + extra_config + "\n");
    }
  }

  TempDir dir_;
};

}  // namespace hubtable::testing
