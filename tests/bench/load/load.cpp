// The load generator: N connections to a real hubtabled over mutual TLS, a
// mix of real requests (check-in, submit, show, agenda, list, reveal) from
// the first `--active` of them, in a closed loop (`--in-flight` requests
// outstanding per thread) or an open one (`--rate` requests per second,
// latency counted from when each request was due). It samples the server's
// memory, descriptors and CPU, runs in rounds (connections opened, the mix
// run, connections closed) and prints a JSON report. See docs/BENCHMARKS.md
// and docs/RELIABILITY.md (the soak) for the runs recorded.
//
//   build/release/tests/bench/load/load --connections 64 --seconds 30
//
// HUBTABLE_TEST_HUBTABLED=/path/to/hubtabled runs it against another build.

#include <google/protobuf/util/json_util.h>

#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "config/limits.h"
#include "load_report.pb.h"
#include "tests/bench/load/latency.h"
#include "tests/bench/load/probe.h"
#include "tests/bench/load/world.h"

namespace hubtable::bench {
namespace {

namespace v1 = hubtable::v1;
namespace report = hubtable::bench::load;
using Clock = std::chrono::steady_clock;

struct Options {
  int connections = 64;
  int active = 0;  // 0: every connection
  int threads = 8;
  int in_flight = 1;
  double rate = 0;  // requests per second; 0: closed loop
  double seconds = 30;
  int rounds = 1;
  double warmup = 0;
  int warmup_connections = 64;
  int users = 16;
  std::string mix{kDefaultMix};
  double sample_every = 10;
  int per_connection_rate = 0;  // the server's requests_per_second; 0: its default
  int workers = 0;              // the server's worker_threads; 0: its default
  int per_address = 30;         // under the server's default max_connections_per_address
  double settle = 25;           // seconds after a round's connections close before the sample
  std::string json;
  std::uint64_t seed = 1;
};

// One thread's results: totals read after it ends, the interval's taken by
// the sampler as it runs.
struct Recorder {
  std::array<std::vector<double>, kKinds> ms;
  std::array<std::uint64_t, kKinds> errors{};
  std::map<std::string, std::uint64_t> error_kinds;

  std::mutex mu;
  std::vector<double> interval_ms;
  std::uint64_t interval_errors = 0;

  void ok(Kind k, double latency_ms) {
    ms[static_cast<std::size_t>(k)].push_back(latency_ms);
    std::lock_guard lock(mu);
    interval_ms.push_back(latency_ms);
  }
  void failed(Kind k, const std::string& what) {
    ++errors[static_cast<std::size_t>(k)];
    ++error_kinds[what];
    std::lock_guard lock(mu);
    ++interval_errors;
  }
};

struct Slot {
  std::unique_ptr<client::Connection> conn;
  const LoadUser* user = nullptr;
  std::string local_address;
};

class Driver {
 public:
  Driver(const Options& o, World& world, const Mix& mix) : o_(o), world_(world), mix_(mix) {}

  void run();
  void write_report() const;

 private:
  report::Round round(std::uint32_t number, int connections, int active, double seconds);
  std::vector<Slot> open_all(int connections);
  absl::Status open(Slot& slot) const;
  void drive(const std::vector<Slot*>& mine, Recorder& rec, std::uint64_t seed,
             Clock::time_point t0);
  void exchange(const std::vector<Slot*>& mine, std::size_t& next, Recorder& rec,
                std::mt19937_64& rng, Clock::time_point due);
  void sample(Clock::time_point t0, int connections, std::vector<std::unique_ptr<Recorder>>& recs);
  bool wait_for_descriptors(std::uint64_t at_most) const;
  ProcessSample server() const { return probe(world_.server().pid()); }

  const Options& o_;
  World& world_;
  const Mix& mix_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> serial_{0};
  report::LoadReport report_;
  std::vector<std::unique_ptr<Recorder>> all_;  // every recorded round's threads
};

absl::Status Driver::open(Slot& slot) const {
  client::Connection::Options options;
  options.local_address = slot.local_address;
  options.timeout = std::chrono::seconds(60);
  auto conn = client::Connection::open(slot.user->profile, options);
  if (!conn.ok()) return conn.status();
  (*conn)->set_session_token(slot.user->token);
  slot.conn = std::move(*conn);
  return absl::OkStatus();
}

// Each thread opens its share; connection j is user j's (mod users), from
// 127.0.0.(2 + j / per_address) so that no address passes the server's limit.
std::vector<Slot> Driver::open_all(int connections) {
  std::vector<Slot> slots(static_cast<std::size_t>(connections));
  const auto& users = world_.users();
  for (std::size_t j = 0; j < slots.size(); ++j) {
    slots[j].user = &users[j % users.size()];
    slots[j].local_address =
        fmt::format("127.0.0.{}", 2 + j / static_cast<std::size_t>(o_.per_address));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> openers;
  const auto threads = static_cast<std::size_t>(o_.threads);
  for (std::size_t t = 0; t < threads; ++t) {
    openers.emplace_back([&, t] {
      for (std::size_t j = t; j < slots.size(); j += threads) {
        if (auto s = open(slots[j]); !s.ok()) {
          if (failures++ == 0) std::cerr << "load: cannot connect: " << s << "\n";
        }
      }
    });
  }
  for (auto& t : openers) t.join();
  if (failures > 0) std::cerr << "load: " << failures << " connection(s) failed to open\n";
  return slots;
}

// Sends up to in_flight requests, one per connection in turn, then waits
// for each. `due` is when the batch should have started (open loop) or now.
void Driver::exchange(const std::vector<Slot*>& mine, std::size_t& next, Recorder& rec,
                      std::mt19937_64& rng, Clock::time_point due) {
  struct Pending {
    Slot* slot;
    Kind kind;
    std::uint64_t id;
  };
  std::vector<Pending> batch;
  for (int k = 0; k < o_.in_flight; ++k) {
    Slot* slot = mine[next++ % mine.size()];
    if (slot->conn == nullptr && !open(*slot).ok()) continue;
    const Kind kind = mix_.pick(rng);
    auto id =
        slot->conn->send(build_request(kind, world_.pool(slot->user->agency), serial_++, rng));
    if (!id.ok()) {
      rec.failed(kind, "transport/" + std::string(absl::StatusCodeToString(id.status().code())));
      slot->conn.reset();
      continue;
    }
    batch.push_back({slot, kind, *id});
  }
  for (const auto& p : batch) {
    if (p.slot->conn == nullptr) {  // its connection failed on an earlier answer
      rec.failed(p.kind, "transport/connection lost");
      continue;
    }
    auto r = p.slot->conn->wait(p.id);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - due).count();
    if (!r.ok()) {
      rec.failed(p.kind, "transport/" + std::string(absl::StatusCodeToString(r.status().code())));
      p.slot->conn.reset();  // opened again on its next turn
    } else if (r->status().code() != v1::OK) {
      rec.failed(p.kind, v1::Code_Name(r->status().code()) + "/" + r->status().rule());
    } else {
      rec.ok(p.kind, ms);
    }
  }
}

void Driver::drive(const std::vector<Slot*>& mine, Recorder& rec, std::uint64_t seed,
                   Clock::time_point t0) {
  std::mt19937_64 rng(seed);
  std::size_t next = 0;
  const bool open_loop = o_.rate > 0;
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(open_loop ? o_.threads / o_.rate : 0));
  auto due = t0;
  while (!stop_) {
    if (open_loop) {
      due += interval;
      std::this_thread::sleep_until(due);  // the schedule, not a wait for an answer
    } else {
      due = Clock::now();
    }
    exchange(mine, next, rec, rng, due);
  }
}

void Driver::sample(Clock::time_point t0, int connections,
                    std::vector<std::unique_ptr<Recorder>>& recs) {
  std::vector<double> ms;
  std::uint64_t errors = 0;
  for (auto& r : recs) {
    std::lock_guard lock(r->mu);
    ms.insert(ms.end(), r->interval_ms.begin(), r->interval_ms.end());
    r->interval_ms.clear();
    errors += r->interval_errors;
    r->interval_errors = 0;
  }
  const auto s = server();
  const auto l = summarize(std::move(ms), errors);
  auto* out = report_.add_samples();
  out->set_seconds(std::chrono::duration<double>(Clock::now() - t0).count());
  out->set_rss_kib(s.rss_kib);
  out->set_fds(s.fds);
  out->set_connections(static_cast<std::uint32_t>(connections));
  out->set_requests(l.count());
  out->set_errors(errors);
  out->set_p50_ms(l.p50_ms());
  out->set_p99_ms(l.p99_ms());
  out->set_cpu_seconds(s.cpu_seconds);
  std::cerr << fmt::format(
      "load: {:7.0f} s  rss {:7} KiB  fds {:5}  {:7} ok  {:5} errors  "
      "p50 {:7.2f} ms  p99 {:8.2f} ms\n",
      out->seconds(), s.rss_kib, s.fds, l.count(), errors, l.p50_ms(), l.p99_ms());
}

// The server closes a connection when the client does; its descriptors
// show when it has.
bool Driver::wait_for_descriptors(std::uint64_t at_most) const {
  return testing::wait_until([&] { return server().fds <= at_most; }, std::chrono::minutes(2));
}

report::Round Driver::round(std::uint32_t number, int connections, int active, double seconds) {
  report::Round out;
  out.set_number(number);
  const auto before = server();
  const auto opening = Clock::now();
  std::vector<Slot> slots = open_all(connections);
  const auto t0 = Clock::now();
  out.set_open_seconds(std::chrono::duration<double>(t0 - opening).count());
  out.set_rss_kib_open(server().rss_kib);

  const auto threads = static_cast<std::size_t>(std::min(o_.threads, active));
  std::vector<std::unique_ptr<Recorder>> recs;
  std::vector<std::thread> workers;
  stop_ = false;
  for (std::size_t t = 0; t < threads; ++t) {
    std::vector<Slot*> mine;
    for (std::size_t j = t; j < static_cast<std::size_t>(active); j += threads) {
      mine.push_back(&slots[j]);
    }
    recs.push_back(std::make_unique<Recorder>());
    workers.emplace_back(&Driver::drive, this, std::move(mine), std::ref(*recs.back()),
                         o_.seed * 1000 + std::uint64_t{number} * 100 + t, t0);
  }
  const auto end =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  const auto every =
      std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.sample_every));
  std::uint64_t peak = 0;
  for (auto tick = t0 + every; tick < end + every; tick += every) {
    std::this_thread::sleep_until(std::min(tick, end));  // the sampling schedule
    sample(t0, connections, recs);
    peak = std::max<std::uint64_t>(peak, report_.samples().rbegin()->rss_kib());
  }
  stop_ = true;
  for (auto& w : workers) w.join();

  const auto closing = Clock::now();
  slots.clear();
  if (!wait_for_descriptors(before.fds + 4)) std::cerr << "load: the server kept descriptors\n";
  out.set_close_seconds(std::chrono::duration<double>(Clock::now() - closing).count());
  // The server gives closed connections' memory back on a timer
  // (config::kMemoryReleaseInterval): a fixed wait past it, as an operator
  // reading the memory a minute later would.
  std::this_thread::sleep_for(std::chrono::duration<double>(o_.settle));
  const auto after = server();
  out.set_rss_kib_peak(peak);
  out.set_rss_kib_closed(after.rss_kib);
  out.set_anon_kib_closed(after.anon_kib);
  out.set_fds_closed(after.fds);
  for (auto& r : recs) {
    for (std::size_t k = 0; k < kKinds; ++k) {
      out.set_requests(out.requests() + r->ms[k].size());
      out.set_errors(out.errors() + r->errors[k]);
    }
    all_.push_back(std::move(r));
  }
  std::cerr << fmt::format(
      "load: round {}: opened {} in {:.1f} s, {} ok, {} errors, rss {} -> {} "
      "(peak {}) -> {} KiB once closed; anonymous {} -> {} KiB\n",
      number, connections, out.open_seconds(), out.requests(), out.errors(), before.rss_kib,
      out.rss_kib_open(), peak, after.rss_kib, before.anon_kib, after.anon_kib);
  return out;
}

void Driver::run() {
  if (o_.warmup > 0) {
    std::cerr << "load: warm-up\n";
    const int n = std::min(o_.warmup_connections, o_.connections);
    (void)round(0, n, n, o_.warmup);
    all_.clear();
    report_.clear_samples();
  }
  const auto start = server();
  report_.set_rss_kib_start(start.rss_kib);
  report_.set_anon_kib_start(start.anon_kib);
  report_.set_fds_start(start.fds);
  const double per_round = o_.seconds / o_.rounds;
  const int active = o_.active > 0 ? std::min(o_.active, o_.connections) : o_.connections;
  for (int r = 1; r <= o_.rounds; ++r) {
    *report_.add_round_results() =
        round(static_cast<std::uint32_t>(r), o_.connections, active, per_round);
  }
  const auto end = server();
  report_.set_rss_kib_end(end.rss_kib);
  report_.set_rss_end_over_start(static_cast<double>(end.rss_kib) /
                                 static_cast<double>(std::max<std::uint64_t>(1, start.rss_kib)));
  report_.set_anon_kib_end(end.anon_kib);
  report_.set_anon_end_over_start(static_cast<double>(end.anon_kib) /
                                  static_cast<double>(std::max<std::uint64_t>(1, start.anon_kib)));
  report_.set_server_cpu_seconds(end.cpu_seconds - start.cpu_seconds);
}

void Driver::write_report() const {
  report::LoadReport out = report_;
  out.set_connections(static_cast<std::uint32_t>(o_.connections));
  out.set_active(static_cast<std::uint32_t>(o_.active > 0 ? o_.active : o_.connections));
  out.set_threads(static_cast<std::uint32_t>(o_.threads));
  out.set_in_flight(static_cast<std::uint32_t>(o_.in_flight));
  out.set_rate(o_.rate);
  out.set_seconds(o_.seconds);
  out.set_mix(mix_.text());
  out.set_users(static_cast<std::uint32_t>(o_.users));
  out.set_rounds(static_cast<std::uint32_t>(o_.rounds));

  std::vector<double> every;
  std::uint64_t errors = 0;
  std::map<std::string, std::uint64_t> kinds_of_error;
  for (std::size_t k = 0; k < kKinds; ++k) {
    std::vector<double> ms;
    std::uint64_t e = 0;
    for (const auto& r : all_) {
      ms.insert(ms.end(), r->ms[k].begin(), r->ms[k].end());
      e += r->errors[k];
    }
    if (ms.empty() && e == 0) continue;
    every.insert(every.end(), ms.begin(), ms.end());
    errors += e;
    auto* kind = out.add_kinds();
    kind->set_kind(std::string(kKindNames[k]));
    *kind->mutable_latency() = summarize(std::move(ms), e);
  }
  for (const auto& r : all_) {
    for (const auto& [what, n] : r->error_kinds) kinds_of_error[what] += n;
  }
  for (const auto& [what, n] : kinds_of_error) {
    auto* e = out.add_error_kinds();
    e->set_what(what);
    e->set_count(n);
  }
  out.set_requests(every.size());
  out.set_errors(errors);
  out.set_throughput(static_cast<double>(every.size()) / o_.seconds);
  if (out.server_cpu_seconds() > 0) {
    out.set_requests_per_server_cpu_second(static_cast<double>(every.size()) /
                                           out.server_cpu_seconds());
  }
  *out.mutable_all() = summarize(std::move(every), errors);

  google::protobuf::util::JsonPrintOptions json;
  json.add_whitespace = true;
  json.preserve_proto_field_names = true;
  json.always_print_primitive_fields = true;
  std::string text;
  (void)google::protobuf::util::MessageToJsonString(out, &text, json);
  if (o_.json.empty()) {
    std::cout << text;
  } else {
    std::ofstream(o_.json) << text;
  }
}

std::string server_config(const Options& o) {
  // Only max_connections moves off its default, and only when the run
  // needs more than 512 (the setup's few connections included); and the
  // per-connection rate limit and the workers when --per-connection-rate and
  // --workers ask.
  std::string limits;
  const int needed = o.connections + 16;
  if (needed > config::kMaxConnections) limits += fmt::format("max_connections = {}\n", needed);
  if (o.per_connection_rate > 0) {
    limits += fmt::format("requests_per_second = {}\nrequest_burst = {}\n", o.per_connection_rate,
                          o.per_connection_rate);
  }
  if (o.workers > 0) limits += fmt::format("worker_threads = {}\n", o.workers);
  return limits.empty() ? "" : "[limits]\n" + limits;
}

int run(const Options& o) {
  auto mix = Mix::parse(o.mix);
  if (!mix.ok()) {
    std::cerr << "load: " << mix.status().message() << "\n";
    return 2;
  }
  const auto limit = raise_descriptor_limit();
  if (limit < static_cast<std::uint64_t>(o.connections) * 4 + 64) {
    std::cerr << "load: " << o.connections << " connections need about " << o.connections * 4
              << " descriptors here (one TLS context and event loop each); the limit is " << limit
              << "\n";
    return 2;
  }
  WorldOptions w;
  w.users = o.users;
  w.server_config = server_config(o);
  std::cerr << "load: starting hubtabled and logging in " << o.users << " reps\n";
  auto world = World::create(w);
  if (!world.ok()) {
    std::cerr << "load: setup failed: " << world.status() << "\n";
    return 1;
  }
  Driver driver(o, **world, *mix);
  driver.run();
  driver.write_report();
  return 0;
}

}  // namespace
}  // namespace hubtable::bench

int main(int argc, char** argv) {
  hubtable::bench::Options o;
  CLI::App app{"Load generator: a real hubtabled, N TLS connections, a mix of real requests"};
  app.add_option("--connections", o.connections, "connections open in each round")
      ->check(CLI::Range(1, 20000));
  app.add_option("--active", o.active, "how many of them send requests (0: all)")
      ->check(CLI::Range(0, 20000));
  app.add_option("--threads", o.threads, "client threads sending")->check(CLI::Range(1, 256));
  app.add_option("--in-flight", o.in_flight, "requests outstanding per thread (closed loop)")
      ->check(CLI::Range(1, 256));
  app.add_option("--rate", o.rate, "open loop: requests per second in all (0: closed loop)")
      ->check(CLI::Range(0.0, 1e6));
  app.add_option("--seconds", o.seconds, "of requests, over every round")
      ->check(CLI::Range(1.0, 86400.0));
  app.add_option("--rounds", o.rounds, "connections opened, used and closed this many times")
      ->check(CLI::Range(1, 1000));
  app.add_option("--warmup", o.warmup, "seconds of the mix before the first sample")
      ->check(CLI::Range(0.0, 3600.0));
  app.add_option("--warmup-connections", o.warmup_connections)->check(CLI::Range(1, 20000));
  app.add_option("--users", o.users, "reps logged in (their connections share a session)")
      ->check(CLI::Range(2, 1000));
  app.add_option("--mix", o.mix,
                 "kind=weight,... of checkin, submit, show, agenda, list, "
                 "reveal, whoami");
  app.add_option("--sample-every", o.sample_every, "seconds between samples of the server")
      ->check(CLI::Range(0.5, 3600.0));
  app.add_option("--per-connection-rate", o.per_connection_rate,
                 "the server's requests_per_second and request_burst, raised for a throughput "
                 "run of few connections (0: the defaults, 50 and 100)")
      ->check(CLI::Range(0, 100000));
  app.add_option("--workers", o.workers, "the server's worker_threads (0: its default)")
      ->check(CLI::Range(0, 64));
  app.add_option("--per-address", o.per_address, "connections per loopback source address")
      ->check(CLI::Range(1, 10000));
  app.add_option("--settle", o.settle,
                 "seconds after a round's connections close before the "
                 "memory is read")
      ->check(CLI::Range(0.0, 600.0));
  app.add_option("--json", o.json, "write the report here (default: standard output)");
  app.add_option("--seed", o.seed, "of the request choices");
  CLI11_PARSE(app, argc, argv);
  if (o.in_flight > 1 && o.rate > 0) {
    std::cerr << "load: --in-flight applies to the closed loop only\n";
    return 2;
  }
  return hubtable::bench::run(o);
}
