// Issue 20's TLS anchor: full mutual-TLS handshakes, each on a new TCP
// connection with no session resumption, against a real hubtabled and
// against `openssl s_server` given the same certificate, key and client
// authority (the deployment's pki/), in the same run. For each: handshakes
// per second and per CPU-second of the server process. What hubtabled adds
// to a handshake (its accept loop, the client certificate's revocation
// check, a connection's state) is the difference.
//
//   build/release/tests/bench/load/handshakes --seconds 10 --threads 2 --json hs.json
//
// The client is the same for both (client::Connection, a rep's profile);
// s_server runs in its -www mode, which serves one connection at a time.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <vector>

#include "lib/connection.h"
#include "tests/bench/load/closed_loop.h"
#include "tests/bench/load/world.h"
#include "tests/integration/process.h"
#include "tests/support/temp_dir.h"

namespace hubtable::bench {
namespace {

struct HandshakeRun {
  std::string server;
  ClosedLoopRun run;
};

// `threads` clients handshaking with `profile`'s server until `seconds` have
// passed; the server process `pid` is probed before and after.
HandshakeRun handshake(const std::string& name, const client::Profile& profile, pid_t pid,
                       int threads, double seconds) {
  return {name, closed_loop(pid, threads, seconds, [&profile](int) {
            return [&profile] { return client::Connection::open(profile).ok(); };
          })};
}

// `openssl s_server` on a port of its choosing, with hubtabled's
// certificate, key and client authority, requiring a client certificate,
// with no session tickets (hubtabled issues none).
class SServer {
 public:
  explicit SServer(const std::filesystem::path& deployment, const std::filesystem::path& log)
      : log_(log) {
    const auto pki = deployment / "pki";
    const std::string command = fmt::format(
        "exec openssl s_server -accept 127.0.0.1:0 -www -no_ticket -Verify 2 "
        "-groups X25519:P-256:P-384 -cert '{}' -key '{}' -CAfile '{}' 1>&2",
        (pki / "server.crt").string(), (pki / "server.key").string(), (pki / "ca.crt").string());
    process_ = std::make_unique<testing::ChildProcess>(
        std::vector<std::string>{"/bin/sh", "-c", command}, log_);
  }

  // The port s_server printed ("ACCEPT 127.0.0.1:PORT"), once it listens.
  absl::StatusOr<std::string> port() {
    constexpr std::string_view kAccept = "ACCEPT 127.0.0.1:";
    std::string port;
    const bool up = testing::wait_until(
        [&] {
          const std::string text = hubtable::testing::read_file(log_);
          const auto at = text.find(kAccept);
          if (at == std::string::npos) return false;
          const auto begin = at + kAccept.size();
          const auto end = text.find('\n', begin);
          if (end == std::string::npos) return false;
          port = text.substr(begin, end - begin);
          return true;
        },
        std::chrono::seconds(10));
    if (!up)
      return absl::UnavailableError("openssl s_server did not start: " +
                                    hubtable::testing::read_file(log_));
    return port;
  }
  pid_t pid() const { return process_->pid(); }

 private:
  std::filesystem::path log_;
  std::unique_ptr<testing::ChildProcess> process_;
};

int run(int argc, char** argv) {
  CLI::App app{"TLS handshakes against hubtabled and openssl s_server, same certificate"};
  double seconds = 10;
  int threads = 2;
  std::string json;
  app.add_option("--seconds", seconds, "of handshakes, for each server")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--threads", threads, "clients handshaking at once")->check(CLI::Range(1, 64));
  app.add_option("--json", json, "write the report here (default: standard output)");
  CLI11_PARSE(app, argc, argv);

  WorldOptions w;
  w.users = 2;
  w.situations_per_agency = 0;
  // One address, many connections a second: hubtabled's per-address limit
  // counts open connections only, which stay below `threads`.
  auto world = World::create(w);
  if (!world.ok()) {
    std::cerr << "handshakes: setup failed: " << world.status() << "\n";
    return 1;
  }
  testing::RunningServer& server = (*world)->server();
  const client::Profile profile = (*world)->users().front().profile;

  SServer s_server(server.deployment().root(), server.deployment().scratch() / "s_server.log");
  auto port = s_server.port();
  if (!port.ok()) {
    std::cerr << "handshakes: " << port.status() << "\n";
    return 1;
  }
  client::Profile to_s_server = profile;
  to_s_server.server_port = *port;

  std::vector<HandshakeRun> runs;
  runs.push_back(handshake("hubtabled", profile, server.pid(), threads, seconds));
  runs.push_back(handshake("openssl s_server", to_s_server, s_server.pid(), threads, seconds));
  std::string out = "{\n  \"threads\": " + std::to_string(threads) + ",\n  \"handshakes\": [";
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const auto& r = runs[i];
    std::cerr << fmt::format("handshakes: {}: {:.0f}/s, {:.0f} per server CPU-second, {} errors\n",
                             r.server, r.run.per_second(), r.run.per_server_cpu_second(),
                             r.run.latency.errors());
    out += (i == 0 ? "\n    " : ",\n    ") + closed_loop_json(r.server, "handshakes", r.run);
  }
  out += "\n  ]\n}\n";
  if (json.empty()) {
    std::cout << out;
  } else {
    std::ofstream(json) << out;
  }
  return std::all_of(runs.begin(), runs.end(),
                     [](const HandshakeRun& r) { return r.run.latency.count() > 0; })
             ? 0
             : 1;
}

}  // namespace
}  // namespace hubtable::bench

int main(int argc, char** argv) { return hubtable::bench::run(argc, argv); }
