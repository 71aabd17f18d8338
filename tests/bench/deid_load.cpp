// A load generator for the fairness of the worker pool: one rep floods the
// server with the scanner's worst case (`deid check` of 16 KiB of "a.a.a.",
// on four connections, 16 requests in flight on each, no rate limit) while
// another user's `whoami` is timed, against a real hubtabled over TLS.
//
//   build/release/tests/bench/deid_load [--samples N] [--connections N]
//
// HUBTABLE_TEST_HUBTABLED=/path/to/hubtabled runs it against another
// server binary (an older build, for a before-and-after).

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/harness.h"

namespace hubtable::bench {
namespace {

namespace v1 = hubtable::v1;
using Clock = std::chrono::steady_clock;
using testing::RunningServer;

struct Stats {
  double p50 = 0, p95 = 0, p99 = 0, max = 0;
  std::size_t n = 0;
};

Stats stats(std::vector<double> ms) {
  Stats s;
  s.n = ms.size();
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) {
    return ms[std::min(ms.size() - 1,
                       static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
  };
  s.p50 = at(0.50);
  s.p95 = at(0.95);
  s.p99 = at(0.99);
  s.max = ms.back();
  return s;
}

// Back-to-back whoami on one connection; milliseconds each.
std::vector<double> sample(client::Connection& conn, int n) {
  v1::Request who;
  who.mutable_whoami();
  std::vector<double> out;
  for (int i = 0; i < n; ++i) {
    const auto start = Clock::now();
    auto r = conn.call(who);
    const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (!r.ok() || r->status().code() != v1::OK) {
      std::fprintf(
          stderr, "whoami failed: %s\n",
          r.ok() ? r->status().message().c_str() : std::string(r.status().message()).c_str());
      continue;
    }
    out.push_back(ms);
  }
  return out;
}

void print(const char* what, const Stats& s) {
  std::printf("%-34s n=%-4zu p50 %8.2f ms  p95 %8.2f ms  p99 %8.2f ms  max %8.2f ms\n", what, s.n,
              s.p50, s.p95, s.p99, s.max);
}

int run(int samples, int connections) {
  // No rate limit: every flooding request reaches the workers; and frames
  // may wait as long as the workers take (the flood's do, behind each other).
  std::string limits = testing::kTestLimits;
  limits.replace(limits.find("frame_timeout_ms = 1500"), 23, "frame_timeout_ms = 600000");
  RunningServer server(limits +
                       "requests_per_second = 100000\nrequest_burst = 100000\n"
                       "max_in_flight = 16\n");
  server.start();
  auto victim = server.connect("rep.mh");
  if (!victim || server.login(*victim, "rep.mh").status().code() != v1::OK) return 1;
  victim->set_timeout(std::chrono::minutes(10));  // to measure however long it takes
  const Stats idle = stats(sample(*victim, samples));

  std::vector<std::unique_ptr<client::Connection>> floods;
  for (int i = 0; i < connections; ++i) {
    floods.push_back(server.connect("rep.police"));
    if (!floods.back() || server.login(*floods.back(), "rep.police").status().code() != v1::OK) {
      return 1;
    }
    floods.back()->set_timeout(std::chrono::minutes(10));
  }
  std::string worst;
  while (worst.size() + 2 <= std::size_t{16} * 1024) worst += "a.";
  v1::Request check;
  check.mutable_deid_check()->set_text(worst);
  std::atomic<bool> stop{false};
  std::atomic<long> answered{0};
  std::atomic<long> refused{0};
  std::vector<std::thread> threads;
  threads.reserve(floods.size());
  const auto flood_start = Clock::now();
  for (auto& conn : floods) {
    threads.emplace_back([&, c = conn.get()] {
      while (!stop) {
        std::vector<std::uint64_t> ids;
        for (int k = 0; k < 16; ++k) {
          auto id = c->send(check);
          if (id.ok()) ids.push_back(*id);
        }
        for (auto id : ids) {
          auto r = c->wait(id);
          if (!r.ok()) return;
          (r->status().code() == v1::OK ? answered : refused)++;
        }
      }
    });
  }
  // Let the flood fill every queue before timing.
  while (answered + refused < 16 && Clock::now() - flood_start < std::chrono::minutes(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // a poll, not a wait for an answer
  }
  const auto timed_start = Clock::now();
  const Stats loaded = stats(sample(*victim, samples));
  const double timed_s = std::chrono::duration<double>(Clock::now() - timed_start).count();
  const long answered_during = answered;
  stop = true;
  for (auto& t : threads) t.join();

  std::printf("one rep flooding deid check (16 KiB of \"a.\"), %d connection(s) x 16 in flight\n",
              connections);
  print("another user's whoami, idle", idle);
  print("another user's whoami, under flood", loaded);
  std::printf("%-34s %8.2f ms\n", "p99 added by the flood", loaded.p99 - idle.p99);
  std::printf("%-34s %ld answered, %ld refused (busy) in %.1f s of timing\n", "flood",
              answered_during, static_cast<long>(refused), timed_s);
  return 0;
}

}  // namespace
}  // namespace hubtable::bench

int main(int argc, char** argv) {
  int samples = 500;
  int connections = 4;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--samples") samples = std::atoi(argv[i + 1]);
    if (flag == "--connections") connections = std::atoi(argv[i + 1]);
  }
  return hubtable::bench::run(samples, connections);
}
