#include "wire/envelope_codec.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

namespace hubtable::wire {

namespace {
absl::Status invalid(const std::string& rule, const std::string& message) {
  return absl::InvalidArgumentError(rule + ": " + message);
}
}  // namespace

std::uint64_t peek_request_id(std::string_view payload) {
  using google::protobuf::internal::WireFormatLite;
  google::protobuf::io::CodedInputStream in(reinterpret_cast<const std::uint8_t*>(payload.data()),
                                            static_cast<int>(payload.size()));
  constexpr int kRequestIdField = 2;
  // An Envelope has three top-level fields before its body; a few more
  // unknown ones are skipped, whole (a length-delimited field costs a jump).
  for (int fields = 0; fields < 8; ++fields) {
    const std::uint32_t tag = in.ReadTag();
    if (tag == 0) return 0;
    if (WireFormatLite::GetTagFieldNumber(tag) == kRequestIdField &&
        WireFormatLite::GetTagWireType(tag) == WireFormatLite::WIRETYPE_VARINT) {
      std::uint64_t id = 0;
      return in.ReadVarint64(&id) ? id : 0;
    }
    if (!WireFormatLite::SkipField(&in, tag)) return 0;
  }
  return 0;
}

absl::StatusOr<ParsedRequest> parse_request(std::string_view payload) {
  ParsedRequest out;
  if (!out.envelope.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return invalid("protocol.malformed_envelope", "the frame does not hold an Envelope");
  }
  if (out.envelope.version() != kProtocolVersion) {
    return invalid("protocol.version", "unsupported protocol version " +
                                           std::to_string(out.envelope.version()) +
                                           " (this server speaks 1)");
  }
  if (out.envelope.body_case() != hubtable::v1::Envelope::kRequest) {
    return invalid("protocol.not_a_request", "a client may only send requests");
  }
  if (out.envelope.request().kind_case() == hubtable::v1::Request::KIND_NOT_SET) {
    return invalid("protocol.unknown_request", "unknown or missing request kind");
  }
  return out;
}

hubtable::v1::Envelope error_envelope(std::uint64_t request_id, hubtable::v1::Code code,
                                      const std::string& message, const std::string& rule) {
  hubtable::v1::Envelope env;
  env.set_version(kProtocolVersion);
  env.set_request_id(request_id);
  auto* status = env.mutable_response()->mutable_status();
  status->set_code(code);
  status->set_message(message);
  status->set_rule(rule);
  return env;
}

absl::StatusOr<hubtable::v1::Envelope> parse_server_envelope(std::string_view payload) {
  hubtable::v1::Envelope env;
  if (!env.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError("the server sent a malformed frame");
  }
  if (env.version() != kProtocolVersion) {
    return absl::DataLossError("the server speaks protocol version " +
                               std::to_string(env.version()) + "; this client speaks " +
                               std::to_string(kProtocolVersion));
  }
  if (env.body_case() != hubtable::v1::Envelope::kResponse &&
      env.body_case() != hubtable::v1::Envelope::kEvent) {
    return absl::DataLossError("the server sent a frame that is neither a response nor an event");
  }
  return env;
}

std::string rule_of(const absl::Status& status) {
  const std::string text(status.message());
  std::string_view m = text;
  auto colon = m.find(':');
  return std::string(colon == std::string_view::npos ? m : m.substr(0, colon));
}

}  // namespace hubtable::wire

namespace hubtable::wire {

hubtable::v1::Envelope parse_error_envelope(const absl::Status& status) {
  const std::string text(status.message());
  const std::string rule = rule_of(status);
  std::string message = text.size() > rule.size() + 2 ? text.substr(rule.size() + 2) : text;
  return error_envelope(0, hubtable::v1::INVALID_ARGUMENT, message, rule);
}

}  // namespace hubtable::wire
