#pragma once
// What the metrics endpoint says of the requests answered: counts by kind
// and outcome, refusals by rule, and latency histograms by kind, in the
// Prometheus text format. Kinds, outcomes and rules are the wire's names;
// no case data, no user names.

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "absl/base/thread_annotations.h"

namespace hubtable::api {

/// Thread-safe: workers record, the metrics endpoint renders.
class RequestMetrics {
 public:
  /// Upper bounds of the latency buckets, in seconds.
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1,    2.5,   5};

  /// One answered request: its kind ("submit_situation"), outcome ("ok",
  /// "permission_denied"...), the rule of a refusal (empty when none) and
  /// how long it took.
  void record(std::string_view kind, std::string_view outcome, std::string_view rule,
              double seconds);
  /// Frames refused before any request was made of them, by rule.
  void record_rejected(std::string_view rule, std::uint64_t count);

  /// The counters and histograms as Prometheus text (families
  /// hubtable_requests_total, hubtable_refusals_total,
  /// hubtable_request_duration_seconds).
  std::string render() const;

 private:
  struct Histogram {
    std::array<std::uint64_t, kBuckets.size()> buckets{};  // not cumulative
    std::uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, std::uint64_t> requests_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, std::uint64_t> refusals_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Histogram> latency_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace hubtable::api
