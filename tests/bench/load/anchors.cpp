// The anchor the load generator's write figures are read against (issue
// 20): raw SQLCipher single-row commits, each its own BEGIN IMMEDIATE ...
// COMMIT with one fsync, on a connection opened exactly as the server opens
// its writer (store::open_connection: the key as a raw blob, 4 KiB pages
// with HMAC, WAL, synchronous = FULL, secure_delete). No TLS, no protocol,
// no audit: the most single commits the disk and SQLCipher allow, against
// which hubtabled's audited writes are a ratio.
//
//   build/release/tests/bench/load/anchors --seconds 10 --threads 1,8 --json anchors.json
//
// Each thread has its own connection to the same file, as separate writers
// would; they take turns at SQLite's write lock.

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include "crypto/bytes.h"
#include "store/connection.h"
#include "tests/bench/load/latency.h"
#include "tests/bench/load/probe.h"
#include "tests/support/temp_dir.h"

namespace hubtable::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct CommitRun {
  int threads = 0;
  std::uint64_t commits = 0;
  double seconds = 0;
  double cpu_seconds = 0;  // this process's, over the run
  double p50_ms = 0;
  double p99_ms = 0;
};

// One writer: single-row commits until `until`, each latency in `ms`.
absl::Status commit_until(const std::string& path, const crypto::SecretBytes& key,
                          Clock::time_point until, std::vector<double>& ms) {
  auto conn =
      store::open_connection(path, key, store::ConnectionRole::kWriter, store::OpenMode::kExisting);
  if (!conn.ok()) return conn.status();
  // About an audit event's size.
  const std::string payload(300, 'x');
  while (Clock::now() < until) {
    const auto start = Clock::now();
    if (auto s = (*conn)->exec("BEGIN IMMEDIATE"); !s.ok()) return s;
    auto insert = (*conn)->prepare("INSERT INTO anchor(at, payload) VALUES (?1, ?2)");
    if (!insert.ok()) return insert.status();
    insert->bind(1, static_cast<std::int64_t>(start.time_since_epoch().count()));
    insert->bind(2, std::string_view(payload));
    if (auto s = insert->run(); !s.ok()) return s;
    if (auto s = (*conn)->exec("COMMIT"); !s.ok()) return s;
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  }
  return absl::OkStatus();
}

absl::StatusOr<CommitRun> raw_commits(const std::string& path, const crypto::SecretBytes& key,
                                      int threads, double seconds) {
  std::vector<std::vector<double>> ms(static_cast<std::size_t>(threads));
  std::vector<absl::Status> status(static_cast<std::size_t>(threads));
  const double cpu_before = probe(::getpid()).cpu_seconds;
  const auto start = Clock::now();
  const auto until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> pool;
  for (std::size_t t = 0; t < ms.size(); ++t) {
    pool.emplace_back([&, t] { status[t] = commit_until(path, key, until, ms[t]); });
  }
  for (auto& th : pool) th.join();
  for (const auto& s : status) {
    if (!s.ok()) return s;
  }
  CommitRun out;
  out.threads = threads;
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.cpu_seconds = probe(::getpid()).cpu_seconds - cpu_before;
  std::vector<double> all;
  for (const auto& v : ms) all.insert(all.end(), v.begin(), v.end());
  const auto latency = summarize(std::move(all), 0);
  out.commits = latency.count();
  out.p50_ms = latency.p50_ms();
  out.p99_ms = latency.p99_ms();
  return out;
}

int run(int argc, char** argv) {
  CLI::App app{"Anchors for the load generator: raw SQLCipher single-row commits"};
  double seconds = 10;
  std::vector<int> threads{1};
  std::string json;
  app.add_option("--seconds", seconds, "of commits, for each thread count")
      ->check(CLI::Range(1.0, 3600.0));
  app.add_option("--threads", threads, "thread counts to measure, e.g. 1,8")
      ->delimiter(',')
      ->check(CLI::Range(1, 256));
  app.add_option("--json", json, "write the report here (default: standard output)");
  CLI11_PARSE(app, argc, argv);

  hubtable::testing::TempDir dir;
  const std::string path = (dir.path() / "anchor.db").string();
  crypto::SecretBytes key(32);
  for (std::size_t i = 0; i < key.size(); ++i) key.data()[i] = static_cast<std::uint8_t>(i * 7 + 1);
  {
    auto conn =
        store::open_connection(path, key, store::ConnectionRole::kWriter, store::OpenMode::kCreate);
    if (!conn.ok()) {
      std::cerr << "anchors: " << conn.status() << "\n";
      return 1;
    }
    if (auto s = (*conn)->exec(
            "CREATE TABLE anchor(id INTEGER PRIMARY KEY, at INTEGER NOT NULL, payload BLOB)");
        !s.ok()) {
      std::cerr << "anchors: " << s << "\n";
      return 1;
    }
  }
  std::string out = "{\n  \"raw_commits\": [";
  for (std::size_t i = 0; i < threads.size(); ++i) {
    auto r = raw_commits(path, key, threads[i], seconds);
    if (!r.ok()) {
      std::cerr << "anchors: " << r.status() << "\n";
      return 1;
    }
    const double rate = static_cast<double>(r->commits) / r->seconds;
    std::cerr << fmt::format(
        "anchors: {} thread(s): {:.0f} commits/s, p50 {:.3f} ms, p99 {:.3f} ms, "
        "{:.3f} ms CPU per commit\n",
        r->threads, rate, r->p50_ms, r->p99_ms,
        1000 * r->cpu_seconds / std::max(1.0, double(r->commits)));
    out += fmt::format(
        "{}\n    {{\"threads\": {}, \"commits\": {}, \"seconds\": {:.3f}, "
        "\"commits_per_second\": {:.1f}, \"p50_ms\": {:.4f}, \"p99_ms\": {:.4f}, "
        "\"cpu_seconds\": {:.3f}}}",
        i == 0 ? "" : ",", r->threads, r->commits, r->seconds, rate, r->p50_ms, r->p99_ms,
        r->cpu_seconds);
  }
  out += "\n  ]\n}\n";
  if (json.empty()) {
    std::cout << out;
  } else {
    std::ofstream(json) << out;
  }
  return 0;
}

}  // namespace
}  // namespace hubtable::bench

int main(int argc, char** argv) { return hubtable::bench::run(argc, argv); }
