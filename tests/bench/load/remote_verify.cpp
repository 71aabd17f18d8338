// Issue 20's `hubtable audit verify`, end to end: a real hubtabled whose log
// holds N events, and the real `hubtable` command run by the table's privacy
// officer against it, as a privacy officer runs it. For each run: events per
// second of wall time, and the CPU-seconds the client and the server spent.
//
//   build/release/tests/bench/load/remote_verify --events 1000000 --runs 3
//
// The events are written straight into the deployment's database before the
// server starts, through the server's own audit writer, in transactions of
// 256 with a signed checkpoint after each, as a busy server leaves them
// (10^6 events take about a minute to write). One event in 8 is of another
// table, which the privacy officer is sent as its hash only.

#include <fmt/format.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <vector>

#include "audit/checkpointer.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "provision/provisioner.h"
#include "tests/bench/load/probe.h"
#include "tests/integration/harness.h"
#include "tests/integration/process.h"
#include "tests/support/audit_log_seed.h"

namespace hubtable::bench {
namespace {

namespace v1 = hubtable::v1;

// Appends `n` events to the stopped server's log, checkpointing every 256.
absl::Status write_log(const std::filesystem::path& config, std::int64_t n) {
  auto d = provision::open_deployment(config, 1, /*upkeep=*/false);
  if (!d.ok()) return d.status();
  return testing::append_sample_events(*d->db, d->checkpointer, 1, n,
                                       audit::Checkpointer::kEveryEvents,
                                       [](std::int64_t i) { return i % 8 == 0 ? "t2" : "t1"; });
}

double children_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_CHILDREN, &u);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(u.ru_utime) + seconds(u.ru_stime);
}

struct Run {
  double events = 0;
  double seconds = 0;
  double client_cpu = 0;
  double server_cpu = 0;
  double per_second() const { return events / seconds; }
};

double median(std::vector<double> xs) {
  std::sort(xs.begin(), xs.end());
  return xs[xs.size() / 2];
}

std::string summary(const std::vector<Run>& runs, double (*of)(const Run&)) {
  std::vector<double> xs;
  xs.reserve(runs.size());
  for (const auto& r : runs) xs.push_back(of(r));
  const auto [lo, hi] = std::minmax_element(xs.begin(), xs.end());
  return fmt::format("{:.3g} ({:.3g}-{:.3g})", median(xs), *lo, *hi);
}

int run(int argc, char** argv) {
  CLI::App app{"hubtable audit verify against a real hubtabled holding N audit events"};
  std::int64_t events = 1'000'000;
  int runs = 3;
  std::string json;
  app.add_option("--events", events, "in the log")->check(CLI::Range(1, 100'000'000));
  app.add_option("--runs", runs, "of `hubtable audit verify`")->check(CLI::Range(1, 100));
  std::string limits;
  app.add_option("--json", json, "write the runs here as JSON");
  app.add_option("--limits", limits,
                 "lines appended to the server's [limits] (default: the product's, but for "
                 "the test harness's timeouts)");
  CLI11_PARSE(app, argc, argv);

  testing::RunningServer server(std::string(testing::kTestLimits) + limits + "\n");
  auto& dep = server.deployment();
  const auto written_from = std::chrono::steady_clock::now();
  if (auto s = write_log(dep.config_path(), events); !s.ok()) {
    std::cerr << "remote_verify: writing the log failed: " << s << "\n";
    return 1;
  }
  std::cerr << fmt::format(
      "remote_verify: {} events written in {:.0f} s\n", events,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - written_from).count());
  server.start();

  const testing::CommandLine cli(server, std::chrono::seconds(3600));
  auto login = cli.first_login_with_totp("po.one");
  if (login.exit_code != 0) {
    std::cerr << "remote_verify: login failed: " << login.err << "\n";
    return 1;
  }

  std::vector<Run> results;
  for (int i = 0; i < runs; ++i) {
    const double server_before = probe(server.pid()).cpu_seconds;
    const double client_before = children_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    auto r = cli.run("po.one", {"audit", "verify", "--table", "t1", "--no-report", "--json"});
    Run run;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.client_cpu = children_cpu_seconds() - client_before;
    run.server_cpu = probe(server.pid()).cpu_seconds - server_before;
    google::protobuf::Struct out;
    if (r.exit_code != 0 || !google::protobuf::util::JsonStringToMessage(r.out, &out).ok() ||
        !out.fields().at("verified").bool_value()) {
      std::cerr << "remote_verify: the log did not verify (exit " << r.exit_code << "): " << r.err
                << r.out << "\n";
      return 1;
    }
    run.events = out.fields().at("events").number_value();
    std::cerr << fmt::format(
        "remote_verify: run {}: {:.0f} events in {:.2f} s, {:.3g} events/s; client {:.2f} "
        "CPU-s, server {:.2f} CPU-s\n",
        i + 1, run.events, run.seconds, run.per_second(), run.client_cpu, run.server_cpu);
    results.push_back(run);
  }
  std::cout << fmt::format(
      "| {} events | events/s (wall) {} | client CPU-s {} | server CPU-s {} |\n", events,
      summary(results, [](const Run& r) { return r.per_second(); }),
      summary(results, [](const Run& r) { return r.client_cpu; }),
      summary(results, [](const Run& r) { return r.server_cpu; }));
  if (!json.empty()) {
    std::string text = "{\"events\": " + std::to_string(events) + ", \"runs\": [";
    for (std::size_t i = 0; i < results.size(); ++i) {
      const Run& r = results[i];
      text += fmt::format(
          "{}{{\"verified\": {:.0f}, \"seconds\": {:.4f}, \"events_per_second\": {:.0f}, "
          "\"client_cpu_seconds\": {:.3f}, \"server_cpu_seconds\": {:.3f}}}",
          i == 0 ? "" : ", ", r.events, r.seconds, r.per_second(), r.client_cpu, r.server_cpu);
    }
    std::ofstream(json) << text << "]}\n";
  }
  return 0;
}

}  // namespace
}  // namespace hubtable::bench

int main(int argc, char** argv) { return hubtable::bench::run(argc, argv); }
