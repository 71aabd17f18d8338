#include "cli/output.h"

#include <absl/time/civil_time.h>
#include <absl/time/time.h>
#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace hubtable::cli {

std::string json_text(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out + "\n";
}

void print_json(const google::protobuf::Message& message) {
  std::fputs(json_text(message).c_str(), stdout);
}

int print_refusal(const hubtable::v1::Status& status) {
  std::fprintf(stderr, "hubtable: %s: %s", hubtable::v1::Code_Name(status.code()).c_str(),
               status.message().c_str());
  if (!status.rule().empty()) std::fprintf(stderr, " (rule %s)", status.rule().c_str());
  std::fputc('\n', stderr);
  return kExitRefused;
}

absl::StatusOr<std::int64_t> parse_bound(const std::string& text, const char* option) {
  if (text.empty()) return 0;
  absl::CivilDay day;
  if (absl::ParseCivilTime(absl::string_view(text.data(), text.size()), &day)) {
    return absl::ToUnixMicros(absl::FromCivil(day, absl::UTCTimeZone()));
  }
  absl::Time t;
  std::string err;
  if (absl::ParseTime(absl::RFC3339_full, absl::string_view(text.data(), text.size()), &t, &err)) {
    return absl::ToUnixMicros(t);
  }
  return absl::InvalidArgumentError(std::string(option) +
                                    " must be a date (2026-11-22) or RFC 3339 time");
}

std::string format_time_us(std::int64_t us) {
  std::time_t seconds = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

void print_whoami(const hubtable::v1::WhoAmIResponse& w) {
  std::printf("user:     %s (%s)\n", w.username().c_str(), w.display_name().c_str());
  if (!w.agency().empty()) {
    std::printf("agency:   %s (%s)\n", w.agency().c_str(), w.agency_name().c_str());
  }
  for (const auto& g : w.roles()) {
    if (g.table().empty()) {
      std::printf("role:     %s (deployment)\n", hubtable::v1::Role_Name(g.role()).c_str());
    } else {
      std::printf("role:     %s at %s (%s)\n", hubtable::v1::Role_Name(g.role()).c_str(),
                  g.table().c_str(), g.table_name().c_str());
    }
  }
  std::printf("device:   %s\n", w.certificate_thumbprint().c_str());
  std::printf("session:  idle expiry %s, ends by %s\n",
              format_time_us(w.session_idle_expires_at_us()).c_str(),
              format_time_us(w.session_absolute_expires_at_us()).c_str());
}

void print_vocabulary(const hubtable::v1::ListVocabularyResponse& v) {
  std::size_t width = 4;
  for (const auto& e : v.entries()) width = std::max(width, e.code().size());
  std::string kind;
  for (const auto& e : v.entries()) {
    if (e.kind() != kind) {
      kind = e.kind();
      std::printf("%s%s\n", kind == v.entries(0).kind() ? "" : "\n", kind.c_str());
    }
    std::string notes;
    if (!e.parent().empty()) notes += " (in " + e.parent() + ")";
    if (!e.table().empty()) notes += " [table " + e.table() + "]";
    if (e.retired()) notes += " [retired]";
    std::printf("  %-*s  %s%s\n", static_cast<int>(width), e.code().c_str(), e.label().c_str(),
                notes.c_str());
  }
}

}  // namespace hubtable::cli
