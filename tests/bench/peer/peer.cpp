// Issue 20's peer: the same request served by hubtabled and by a minimal
// gRPC C++ server (Debian's gRPC 1.51), measured side by side in one run.
//
//   build/release/tests/bench/peer/peer --seconds 10 --threads 8 --rounds 3 --json peer.json
//
// The request is hubtabled's own `show_situation` (an audited read): the
// peer takes the same hubtable.v1.Request over gRPC with mutual TLS (the
// deployment's certificate, key and client authority), reads the
// situation's stored answer and commits one access event in its own
// SQLCipher transaction, on a connection opened exactly as hubtabled opens
// its writer (store::open_connection: WAL, synchronous = FULL, one fsync per
// commit). Its answers are hubtabled's, fetched once before the run. What
// the peer leaves out is what hubtabled does besides: the session, the
// access rules, the situation read from its tables, the audit log's hash
// chain and tree.
//
// Both are driven the same way: `--threads` clients, each on its own
// connection, one request at a time (closed loop), for `--seconds`; the
// servers alternate for `--rounds` rounds. Reported per run: requests, p50
// and p99, and requests per CPU-second of the server process.
//
// `peer --serve ...` is the peer server itself (started by the run).

#include <fmt/format.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "crypto/bytes.h"
#include "crypto/random.h"
#include "lib/connection.h"
#include "peer.grpc.pb.h"
#include "store/connection.h"
#include "tests/bench/load/closed_loop.h"
#include "tests/bench/load/world.h"
#include "tests/integration/process.h"
#include "tests/support/temp_dir.h"

namespace hubtable::bench {
namespace {

namespace v1 = hubtable::v1;

// About an audit event's size (as the raw-commit anchor writes).
constexpr std::size_t kEventBytes = 300;

std::string read_text(const std::filesystem::path& p) { return hubtable::testing::read_file(p); }

// ---- The peer server ------------------------------------------------------

class PeerService final : public Peer::Service {
 public:
  explicit PeerService(std::unique_ptr<store::Connection> db) : db_(std::move(db)) {}

  grpc::Status Handle(grpc::ServerContext* context, const v1::Request* request,
                      v1::Response* response) override {
    if (!request->has_show_situation()) {
      return {grpc::StatusCode::UNIMPLEMENTED, "only show_situation is served"};
    }
    // Who asks: the client certificate's common name (gRPC verified it).
    const auto names = context->auth_context()->FindPropertyValues("x509_common_name");
    if (names.empty()) return {grpc::StatusCode::UNAUTHENTICATED, "no client certificate"};
    const std::string user(names.front().data(), names.front().size());
    const std::string& id = request->show_situation().id();
    std::lock_guard<std::mutex> lock(mutex_);
    auto status = answer(user, id, *response);
    if (!status.ok()) {
      (void)db_->exec("ROLLBACK");
      return {grpc::StatusCode::INTERNAL, std::string(status.message())};
    }
    return grpc::Status::OK;
  }

 private:
  absl::Status answer(const std::string& user, const std::string& id, v1::Response& response) {
    if (auto s = db_->exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    auto read = db_->prepare("SELECT response FROM answers WHERE id = ?1");
    if (!read.ok()) return read.status();
    read->bind(1, id);
    auto row = read->step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::NotFoundError("no such situation");
    const auto bytes = read->blob_view(0);
    if (!response.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return absl::DataLossError("a stored answer does not parse");
    }
    read->reset();
    auto insert = db_->prepare(
        "INSERT INTO access_events (time_us, user, situation, event) VALUES (?1, ?2, ?3, ?4)");
    if (!insert.ok()) return insert.status();
    insert->bind(1,
                 static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::system_clock::now().time_since_epoch())
                                               .count()));
    insert->bind(2, std::string_view(user)).bind(3, std::string_view(id));
    insert->bind(4, std::string_view(event_));
    if (auto s = insert->run(); !s.ok()) return s;
    return db_->exec("COMMIT");
  }

  std::mutex mutex_;  // one writer, as hubtabled has
  std::unique_ptr<store::Connection> db_;
  const std::string event_ = std::string(kEventBytes, 'e');
};

struct ServeOptions {
  std::string cert, key, ca, db, db_key, port_file;
};

int serve(const ServeOptions& o) {
  std::string key_hex = read_text(o.db_key);
  auto key_bytes = crypto::from_hex(key_hex);
  std::fill(key_hex.begin(), key_hex.end(), '\0');
  if (!key_bytes) {
    std::cerr << "peer: bad database key file\n";
    return 1;
  }
  const crypto::SecretBytes key{crypto::ByteView(*key_bytes)};
  std::fill(key_bytes->begin(), key_bytes->end(), 0);
  auto db =
      store::open_connection(o.db, key, store::ConnectionRole::kWriter, store::OpenMode::kExisting);
  if (!db.ok()) {
    std::cerr << "peer: " << db.status() << "\n";
    return 1;
  }
  PeerService service(std::move(*db));
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = read_text(o.ca);
  tls.pem_key_cert_pairs.push_back({read_text(o.key), read_text(o.cert)});
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (!server || port == 0) {
    std::cerr << "peer: the gRPC server did not start\n";
    return 1;
  }
  {
    const std::string tmp = o.port_file + ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::filesystem::rename(tmp, o.port_file);
  }
  server->Wait();  // until the run kills this process
  return 0;
}

// ---- The run ----------------------------------------------------------------

struct Run {
  std::string server;
  ClosedLoopRun run;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// The peer's database: hubtabled's answers to every situation of the run,
// and the table its access events go to.
absl::Status make_peer_database(const std::string& path, const crypto::SecretBytes& key,
                                const std::vector<std::pair<std::string, std::string>>& answers) {
  auto c =
      store::open_connection(path, key, store::ConnectionRole::kWriter, store::OpenMode::kCreate);
  if (!c.ok()) return c.status();
  if (auto s = (*c)->exec(
          "CREATE TABLE answers (id TEXT PRIMARY KEY, response BLOB NOT NULL);"
          "CREATE TABLE access_events (seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL, "
          "user TEXT NOT NULL, situation TEXT NOT NULL, event BLOB NOT NULL);"
          "BEGIN");
      !s.ok()) {
    return s;
  }
  for (const auto& [id, response] : answers) {
    auto insert = (*c)->prepare("INSERT INTO answers (id, response) VALUES (?1, ?2)");
    if (!insert.ok()) return insert.status();
    insert->bind(1, std::string_view(id)).bind(2, std::string_view(response));
    if (auto s = insert->run(); !s.ok()) return s;
  }
  return (*c)->exec("COMMIT");
}

struct RunOptions {
  double seconds = 10;
  int threads = 8;
  int rounds = 3;
  std::string json;
};

int run(const RunOptions& o) {
  WorldOptions w;
  w.users = std::max(2, o.threads);
  w.situations_per_agency = 20;
  // Closed loop as fast as each connection goes: the per-connection rate
  // limit would otherwise be what is measured.
  w.server_config = "[limits]\nrequests_per_second = 100000\nrequest_burst = 100000\n";
  auto world = World::create(w);
  if (!world.ok()) {
    std::cerr << "peer: setup failed: " << world.status() << "\n";
    return 1;
  }
  testing::RunningServer& server = (*world)->server();
  const auto& users = (*world)->users();

  // hubtabled's answer to each situation, shown once by one of its agency's reps.
  std::vector<std::pair<std::string, std::string>> answers;
  for (std::size_t agency = 0; agency < 2; ++agency) {
    const auto user = std::find_if(users.begin(), users.end(),
                                   [&](const LoadUser& u) { return u.agency == agency; });
    auto conn = client::Connection::open(user->profile);
    if (!conn.ok()) {
      std::cerr << "peer: " << conn.status() << "\n";
      return 1;
    }
    (*conn)->set_session_token(user->token);
    for (const auto& id : (*world)->pool(agency).situations) {
      v1::Request r;
      r.mutable_show_situation()->set_id(id);
      auto answer = (*conn)->call(r);
      if (!answer.ok() || answer->status().code() != v1::OK) {
        std::cerr << "peer: hubtabled did not show " << id << "\n";
        return 1;
      }
      answers.emplace_back(id, answer->SerializeAsString());
    }
  }

  const auto scratch = server.deployment().scratch();
  const auto pki = server.deployment().root() / "pki";
  crypto::SecretBytes key(32);
  crypto::system_random().fill(std::span<std::uint8_t>(key.data(), key.size()));
  const std::string db = (scratch / "peer.db").string();
  const auto key_file = scratch / "peer.key";
  std::ofstream(key_file) << crypto::to_hex(key.view());
  std::filesystem::permissions(
      key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  if (auto s = make_peer_database(db, key, answers); !s.ok()) {
    std::cerr << "peer: " << s << "\n";
    return 1;
  }
  const auto port_file = scratch / "peer.port";
  testing::ChildProcess peer(
      {std::filesystem::read_symlink("/proc/self/exe").string(), "--serve", "--cert",
       (pki / "server.crt").string(), "--key", (pki / "server.key").string(), "--ca",
       (pki / "ca.crt").string(), "--db", db, "--db-key", key_file.string(), "--port-file",
       port_file.string()},
      scratch / "peer.log");
  if (!testing::wait_until([&] { return std::filesystem::exists(port_file); },
                           std::chrono::seconds(20))) {
    std::cerr << "peer: the peer did not start: " << read_text(scratch / "peer.log") << "\n";
    return 1;
  }
  std::string port = read_text(port_file);
  port.erase(port.find_last_not_of('\n') + 1);

  auto hubtabled_client = [&](int t) {
    const LoadUser& user = users[static_cast<std::size_t>(t) % users.size()];
    std::shared_ptr<client::Connection> conn;
    if (auto c = client::Connection::open(user.profile); c.ok()) {
      conn = std::move(*c);
      conn->set_session_token(user.token);
    }
    const auto& ids = (*world)->pool(user.agency).situations;
    return [conn, &ids, rng = std::mt19937_64(static_cast<std::uint64_t>(t))]() mutable {
      if (!conn) return false;
      v1::Request r;
      r.mutable_show_situation()->set_id(
          ids[std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng)]);
      auto answer = conn->call(r);
      return answer.ok() && answer->status().code() == v1::OK;
    };
  };
  auto peer_client = [&](int t) {
    const LoadUser& user = users[static_cast<std::size_t>(t) % users.size()];
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = read_text(user.profile.ca_certificate);
    tls.pem_private_key = read_text(user.profile.client_key);
    tls.pem_cert_chain = read_text(user.profile.client_certificate);
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(user.profile.server_name);
    args.SetInt("hubtable.bench.connection", t);  // a connection of its own
    auto channel = grpc::CreateCustomChannel("127.0.0.1:" + port, grpc::SslCredentials(tls), args);
    std::shared_ptr<Peer::Stub> stub = Peer::NewStub(channel);
    const auto& ids = (*world)->pool(user.agency).situations;
    return [stub, &ids, rng = std::mt19937_64(static_cast<std::uint64_t>(t))]() mutable {
      v1::Request r;
      r.mutable_show_situation()->set_id(
          ids[std::uniform_int_distribution<std::size_t>(0, ids.size() - 1)(rng)]);
      v1::Response answer;
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
      return stub->Handle(&context, r, &answer).ok() && answer.status().code() == v1::OK;
    };
  };

  std::vector<Run> runs;
  for (int round = 0; round < o.rounds; ++round) {
    runs.push_back(
        {"hubtabled", closed_loop(server.pid(), o.threads, o.seconds, hubtabled_client)});
    runs.push_back({"grpc peer", closed_loop(peer.pid(), o.threads, o.seconds, peer_client)});
    for (auto it = runs.end() - 2; it != runs.end(); ++it) {
      std::cerr << fmt::format(
          "peer: round {}: {}: {:.0f} requests/s, {:.0f} per server CPU-second, p99 {:.2f} ms, "
          "{} errors\n",
          round + 1, it->server, it->run.per_second(), it->run.per_server_cpu_second(),
          it->run.latency.p99_ms(), it->run.latency.errors());
    }
  }
  std::vector<double> ours;
  std::vector<double> theirs;
  for (const auto& r : runs) {
    (r.server == "hubtabled" ? ours : theirs).push_back(r.run.per_server_cpu_second());
  }
  const double ratio = median(theirs) > 0 ? median(ours) / median(theirs) : 0;
  std::cerr << fmt::format(
      "peer: requests per server CPU-second, medians: hubtabled {:.0f}, grpc peer {:.0f}: "
      "{:.2f} times\n",
      median(ours), median(theirs), ratio);

  std::string out = fmt::format(
      "{{\n  \"threads\": {},\n  \"seconds\": {},\n  \"request\": \"show_situation\",\n"
      "  \"hubtabled_over_peer_per_server_cpu_second\": {:.3f},\n  \"runs\": [",
      o.threads, o.seconds, ratio);
  for (std::size_t i = 0; i < runs.size(); ++i)
    out +=
        (i == 0 ? "\n    " : ",\n    ") + closed_loop_json(runs[i].server, "requests", runs[i].run);
  out += "\n  ]\n}\n";
  if (o.json.empty()) {
    std::cout << out;
  } else {
    std::ofstream(o.json) << out;
  }
  (void)peer.stop(SIGTERM, std::chrono::seconds(5));
  return std::all_of(
             runs.begin(), runs.end(),
             [](const Run& r) { return r.run.latency.count() > 0 && r.run.latency.errors() == 0; })
             ? 0
             : 1;
}

int main_of(int argc, char** argv) {
  CLI::App app{"hubtabled and a minimal gRPC peer, the same request side by side"};
  RunOptions run_options;
  ServeOptions serve_options;
  bool serving = false;
  app.add_option("--seconds", run_options.seconds, "of requests, for each server and round")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--threads", run_options.threads, "clients, each on its own connection")
      ->check(CLI::Range(1, 64));
  app.add_option("--rounds", run_options.rounds, "rounds, the servers alternated")
      ->check(CLI::Range(1, 20));
  app.add_option("--json", run_options.json, "write the report here (default: standard output)");
  app.add_flag("--serve", serving, "be the peer server (the run starts it)");
  app.add_option("--cert", serve_options.cert);
  app.add_option("--key", serve_options.key);
  app.add_option("--ca", serve_options.ca);
  app.add_option("--db", serve_options.db);
  app.add_option("--db-key", serve_options.db_key);
  app.add_option("--port-file", serve_options.port_file);
  CLI11_PARSE(app, argc, argv);
  return serving ? serve(serve_options) : run(run_options);
}

}  // namespace
}  // namespace hubtable::bench

int main(int argc, char** argv) { return hubtable::bench::main_of(argc, argv); }
