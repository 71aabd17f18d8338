#pragma once
// Closed-loop clients against one server process: `threads` threads, each
// calling its own function back to back until `seconds` have passed, with
// the server's CPU time read before and after. What the handshake anchor
// and the gRPC peer measure, each against two servers.

#include <fmt/format.h>
#include <sys/types.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tests/bench/load/latency.h"
#include "tests/bench/load/probe.h"

namespace hubtable::bench {

struct ClosedLoopRun {
  load::Latency latency;  // of the calls that succeeded; errors counts the others
  double seconds = 0;
  double server_cpu_seconds = 0;

  double per_second() const { return static_cast<double>(latency.count()) / seconds; }
  double per_server_cpu_second() const {
    return server_cpu_seconds > 0 ? static_cast<double>(latency.count()) / server_cpu_seconds : 0;
  }
};

/// `make_call(t)` gives thread t its call (a callable returning true when
/// it succeeded), made before the clock starts.
template <class MakeCall>
ClosedLoopRun closed_loop(pid_t server, int threads, double seconds, MakeCall make_call) {
  using Clock = std::chrono::steady_clock;
  std::vector<decltype(make_call(0))> calls;
  calls.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) calls.push_back(make_call(t));
  std::vector<std::vector<double>> ms(calls.size());
  std::atomic<std::uint64_t> errors{0};
  const double cpu_before = probe(server).cpu_seconds;
  const auto start = Clock::now();
  const auto until =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::thread> pool;
  pool.reserve(calls.size());
  for (std::size_t t = 0; t < calls.size(); ++t) {
    pool.emplace_back([&, t] {
      while (Clock::now() < until) {
        const auto begin = Clock::now();
        if (calls[t]()) {
          ms[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        } else {
          ++errors;
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  ClosedLoopRun out;
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.server_cpu_seconds = probe(server).cpu_seconds - cpu_before;
  std::vector<double> all;
  for (const auto& v : ms) all.insert(all.end(), v.begin(), v.end());
  out.latency = summarize(std::move(all), errors.load());
  return out;
}

/// One run as a JSON object, `what` naming the calls ("handshakes").
inline std::string closed_loop_json(std::string_view server, std::string_view what,
                                    const ClosedLoopRun& r) {
  return fmt::format(
      "{{\"server\": \"{0}\", \"{1}\": {2}, \"errors\": {3}, \"seconds\": {4:.3f}, "
      "\"{1}_per_second\": {5:.1f}, \"server_cpu_seconds\": {6:.3f}, "
      "\"{1}_per_server_cpu_second\": {7:.1f}, \"p50_ms\": {8:.3f}, \"p99_ms\": {9:.3f}}}",
      server, what, r.latency.count(), r.latency.errors(), r.seconds, r.per_second(),
      r.server_cpu_seconds, r.per_server_cpu_second(), r.latency.p50_ms(), r.latency.p99_ms());
}

}  // namespace hubtable::bench
