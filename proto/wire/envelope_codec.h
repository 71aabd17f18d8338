#pragma once
// Turning frame payloads into Envelopes and building error responses: the
// wire contract's one codec. Pure functions on bytes; the server parses
// requests with it, the client responses, the fuzzer both.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "hubtable/v1/envelope.pb.h"
#include "wire/protocol.h"

namespace hubtable::wire {

/// Parses a frame payload that must hold a request Envelope of this protocol
/// version with a known request kind. Errors are INVALID_ARGUMENT with a rule
/// id in the message prefix ("protocol.malformed_envelope: ...").
struct ParsedRequest {
  hubtable::v1::Envelope envelope;
};
absl::StatusOr<ParsedRequest> parse_request(std::string_view payload);

/// The request id of a frame, read without parsing the request it carries
/// (to address the refusal of a frame refused before any work); 0 when the
/// frame does not start like an Envelope.
std::uint64_t peek_request_id(std::string_view payload);

/// A response envelope carrying only a status.
hubtable::v1::Envelope error_envelope(std::uint64_t request_id, hubtable::v1::Code code,
                                      const std::string& message, const std::string& rule);

/// The error response for a parse failure from parse_request.
hubtable::v1::Envelope parse_error_envelope(const absl::Status& status);

/// Parses a frame payload that must hold a response or an event Envelope of
/// this protocol version (what a client reads). DATA_LOSS otherwise.
absl::StatusOr<hubtable::v1::Envelope> parse_server_envelope(std::string_view payload);

/// The stable rule id carried in a parse error's message, e.g. "protocol.unknown_request".
std::string rule_of(const absl::Status& status);

}  // namespace hubtable::wire
