#include "cli/output.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <utility>

#include "cli/advice.h"
#include "wire/text.h"

namespace hubtable::cli {

namespace {

void append_escape(std::string& out, const char* format, std::uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, format, static_cast<unsigned>(value));
  out += buf;
}

// Escapes what a terminal would act on; `json` writes JSON escapes.
std::string escape_controls(std::string_view text, bool json) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const wire::CodePoint c = wire::decode_utf8(text, i);
    if (c.length == 0) {
      append_escape(out, json ? "\\u%04x" : "\\x%02x", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (wire::is_control(c.value, /*line_breaks_are_text=*/true)) {
      append_escape(out, json ? "\\u%04x" : c.value < 0x100 ? "\\x%02x" : "\\u{%04x}", c.value);
    } else {
      out.append(text.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

}  // namespace

std::string terminal_safe(std::string_view text) { return escape_controls(text, false); }

void make_terminal_safe(google::protobuf::Message& message) {
  const auto* descriptor = message.GetDescriptor();
  const auto* reflection = message.GetReflection();
  using Field = google::protobuf::FieldDescriptor;
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const Field* field = descriptor->field(i);
    if (field->type() == Field::TYPE_STRING) {
      if (field->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(message, field); ++k) {
          reflection->SetRepeatedString(
              &message, field, k, terminal_safe(reflection->GetRepeatedString(message, field, k)));
        }
      } else if (!field->containing_oneof() || reflection->HasField(message, field)) {
        reflection->SetString(&message, field,
                              terminal_safe(reflection->GetString(message, field)));
      }
    } else if (field->cpp_type() == Field::CPPTYPE_MESSAGE) {
      if (field->is_repeated()) {
        for (int k = 0; k < reflection->FieldSize(message, field); ++k) {
          make_terminal_safe(*reflection->MutableRepeatedMessage(&message, field, k));
        }
      } else if (reflection->HasField(message, field)) {
        make_terminal_safe(*reflection->MutableMessage(&message, field));
      }
    }
  }
}

std::string json_text(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  // The JSON printer escapes C0 controls; C1 controls and bidirectional
  // overrides it leaves raw, and a terminal would act on them.
  return escape_controls(out, true) + "\n";
}

void print_json(const google::protobuf::Message& message) {
  std::fputs(json_text(message).c_str(), stdout);
}

int print_refusal(const hubtable::v1::Status& status) {
  std::fprintf(stderr, "hubtable: %s: %s", hubtable::v1::Code_Name(status.code()).c_str(),
               in_the_users_words(terminal_safe(status.message())).c_str());
  if (!status.rule().empty()) {
    std::fprintf(stderr, " (rule %s)", terminal_safe(status.rule()).c_str());
    const auto advice = advice_for(status.rule());
    if (!advice.empty()) {
      std::fprintf(stderr, "; %.*s", static_cast<int>(advice.size()), advice.data());
    }
  }
  std::fputc('\n', stderr);
  return kExitRefused;
}

namespace {
std::optional<client::LocalTime>& shown_time() {
  static std::optional<client::LocalTime> t;
  return t;
}

}  // namespace

void use_local_time(client::LocalTime t) { shown_time() = std::move(t); }

const client::LocalTime& local_time() {
  auto& t = shown_time();
  if (!t) t = client::LocalTime::in("", false);
  return *t;
}

std::string format_time_us(std::int64_t us) { return local_time().show(us); }

std::string format_time_seconds(std::int64_t us) { return local_time().show_seconds(us); }

void print_whoami(const hubtable::v1::WhoAmIResponse& w) {
  std::printf("user:     %s (%s)\n", w.username().c_str(), w.display_name().c_str());
  if (!w.agency().empty()) {
    std::printf("agency:   %s (%s)\n", w.agency().c_str(), w.agency_name().c_str());
  }
  for (const auto& g : w.roles()) {
    if (g.table().empty()) {
      std::printf("role:     %s (deployment)\n", hubtable::v1::Role_Name(g.role()).c_str());
    } else {
      std::printf("role:     %s at %s (%s, %s)\n", hubtable::v1::Role_Name(g.role()).c_str(),
                  g.table().c_str(), g.table_name().c_str(), g.time_zone().c_str());
    }
  }
  std::printf("times:    %s%s\n", local_time().zone_name().c_str(),
              w.time_zone().empty() ? " (your tables are in different zones)" : "");
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
