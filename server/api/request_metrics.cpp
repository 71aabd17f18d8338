#include "api/request_metrics.h"

#include <fmt/format.h>

namespace hubtable::api {

void RequestMetrics::record(std::string_view kind, std::string_view outcome, std::string_view rule,
                            double seconds) {
  std::lock_guard<std::mutex> lock(mutex_);
  ++requests_[{std::string(kind), std::string(outcome)}];
  if (!rule.empty()) ++refusals_[std::string(rule)];
  Histogram& h = latency_[std::string(kind)];
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  if (i < kBuckets.size()) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

void RequestMetrics::record_rejected(std::string_view rule, std::uint64_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  refusals_[std::string(rule)] += count;
}

std::string RequestMetrics::render() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  out += "# HELP hubtable_requests_total Requests answered, by kind and outcome.\n";
  out += "# TYPE hubtable_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += fmt::format("hubtable_requests_total{{kind=\"{}\",outcome=\"{}\"}} {}\n", key.first,
                       key.second, n);
  }
  out += "# HELP hubtable_refusals_total Requests and frames refused, by the rule that refused.\n";
  out += "# TYPE hubtable_refusals_total counter\n";
  for (const auto& [rule, n] : refusals_) {
    out += fmt::format("hubtable_refusals_total{{rule=\"{}\"}} {}\n", rule, n);
  }
  out += "# HELP hubtable_request_duration_seconds Time from dequeue to answer, by kind.\n";
  out += "# TYPE hubtable_request_duration_seconds histogram\n";
  for (const auto& [kind, h] : latency_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      cumulative += h.buckets[i];
      out += fmt::format("hubtable_request_duration_seconds_bucket{{kind=\"{}\",le=\"{}\"}} {}\n",
                         kind, kBuckets[i], cumulative);
    }
    out += fmt::format(
        "hubtable_request_duration_seconds_bucket{{kind=\"{}\",le=\"+Inf\"}} {}\n"
        "hubtable_request_duration_seconds_sum{{kind=\"{}\"}} {}\n"
        "hubtable_request_duration_seconds_count{{kind=\"{}\"}} {}\n",
        kind, h.count, kind, h.sum, kind, h.count);
  }
  return out;
}

}  // namespace hubtable::api
