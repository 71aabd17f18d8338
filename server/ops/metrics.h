#pragma once
// The metrics endpoint's text (Prometheus format 0.0.4): the requests the
// service answered, its connections and queue, and the deployment's health
// gauges. And reading it back, for `hubtabled status`.

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "api/request_metrics.h"
#include "ops/status.h"

namespace hubtable::ops {

struct ServerGauges {
  std::size_t connections = 0;
  std::size_t queue_depth = 0;
  /// Group commit (store::Database::write_together): groups committed, and
  /// the requests' transactions they held.
  std::uint64_t commit_groups = 0;
  std::uint64_t commit_group_members = 0;
  /// Groups whose leader waited for callers on their way: all came, or the
  /// gather window ended first.
  std::uint64_t commit_gathered = 0;
  std::uint64_t commit_window_ended = 0;
};

/// Everything one scrape shows. `health` is absent when it could not be
/// read (hubtable_health_readable is then 0).
std::string render_metrics(const api::RequestMetrics& requests, const ServerGauges& server,
                           const std::optional<Health>& health, std::int64_t now_us);

/// GET /metrics from the endpoint at host:port (loopback), within a few
/// seconds.
absl::StatusOr<std::string> scrape_metrics(const std::string& host, std::uint16_t port);

/// The value of the sample `name` (a metric without labels) in `text`.
std::optional<double> metric_value(const std::string& text, const std::string& name);

}  // namespace hubtable::ops
