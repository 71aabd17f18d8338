#include "ops/metrics.h"

#include <fmt/format.h>

#include <sstream>

// clang-format off
#include "wire/asio.h"  // first: <utility> before Asio (DESIGN.md)
// clang-format on
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace hubtable::ops {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
void sample(std::string& out, const char* type, const char* name, const char* help, double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}
void gauge(std::string& out, const char* name, const char* help, double value) {
  sample(out, "gauge", name, help, value);
}
}  // namespace

std::string render_metrics(const api::RequestMetrics& requests, const ServerGauges& server,
                           const std::optional<Health>& health, std::int64_t now_us) {
  std::string out;
  gauge(out, "hubtable_up", "1 while the server serves.", 1);
  out += fmt::format(
      "# HELP hubtable_build_info The server's version.\n# TYPE hubtable_build_info gauge\n"
      "hubtable_build_info{{version=\"{}\"}} 1\n",
      HUBTABLE_VERSION);
  gauge(out, "hubtable_connections", "Open client connections.",
        static_cast<double>(server.connections));
  gauge(out, "hubtable_worker_queue_depth", "Requests and jobs waiting for a worker.",
        static_cast<double>(server.queue_depth));
  sample(out, "counter", "hubtable_commit_groups_total",
         "Groups of transactions committed together (one fsync each).",
         static_cast<double>(server.commit_groups));
  sample(out, "counter", "hubtable_commit_group_members_total",
         "Requests' transactions those groups held.",
         static_cast<double>(server.commit_group_members));
  sample(out, "counter", "hubtable_commit_gathered_total",
         "Groups whose leader waited for the requests on their way, and all came.",
         static_cast<double>(server.commit_gathered));
  sample(out, "counter", "hubtable_commit_gather_window_ended_total",
         "Groups whose leader stopped waiting when the gather window ended.",
         static_cast<double>(server.commit_window_ended));
  gauge(out, "hubtable_health_readable", "1 when the deployment's health could be read.",
        health ? 1 : 0);
  if (health) {
    gauge(out, "hubtable_schema_version", "The database's schema version.", health->schema_version);
    gauge(out, "hubtable_audit_events", "Events in the audit log.",
          static_cast<double>(health->audit_events));
    gauge(out, "hubtable_checkpoint_age_seconds",
          "Seconds since the last signed audit checkpoint (-1: none).",
          age_seconds(health->last_checkpoint_us, now_us));
    gauge(out, "hubtable_backup_age_seconds", "Seconds since the last backup (-1: none).",
          age_seconds(health->last_backup_us, now_us));
    gauge(out, "hubtable_disk_free_bytes", "Free space where the database lives.",
          static_cast<double>(health->disk_free_bytes));
  }
  out += requests.render();
  return out;
}

absl::StatusOr<std::string> scrape_metrics(const std::string& host, std::uint16_t port) {
  try {
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(5));
    stream.connect(tcp::endpoint(asio::ip::make_address(host), port));
    http::request<http::empty_body> req(http::verb::get, "/metrics", 11);
    req.set(http::field::host, host);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    if (res.result() != http::status::ok) {
      return absl::UnavailableError("the metrics endpoint answered " +
                                    std::to_string(res.result_int()));
    }
    return std::move(res.body());
  } catch (const std::exception& e) {
    return absl::UnavailableError(std::string("the metrics endpoint did not answer: ") + e.what());
  }
}

std::optional<double> metric_value(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.size() > name.size() + 1 && line.starts_with(name) && line[name.size()] == ' ') {
      try {
        return std::stod(line.substr(name.size() + 1));
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
  }
  return std::nullopt;
}

}  // namespace hubtable::ops
