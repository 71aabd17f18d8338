#pragma once
// The check both verifiers (server and client) make on a stored event's bytes
// before hashing them into the tree: they must be a well-formed AuditEvent
// message that names the position it is stored at. A moved, duplicated or
// inserted event is caught here, at its exact position.
//
// The bytes are walked, not parsed: every field's tag, wire type and length
// is checked and `sequence` (field 1) read, with protobuf's rule that the last
// occurrence wins, but no message object is built. The tree's hashes and the
// signed checkpoints prove the bytes unchanged; this check only has to say
// where a log went wrong, and a full parse cost three times the hashing.

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <climits>
#include <cstdint>
#include <optional>
#include <string>

namespace hubtable::wire {

/// The `sequence` an AuditEvent's bytes carry (0 when absent, as protobuf
/// reads it), or nullopt when the bytes are not a well-formed message.
inline std::optional<std::uint64_t> audit_event_sequence(const void* data, std::size_t size) {
  namespace pb = google::protobuf;
  using Wire = pb::internal::WireFormatLite;
  if (size > static_cast<std::size_t>(INT_MAX)) return std::nullopt;
  pb::io::CodedInputStream in(static_cast<const std::uint8_t*>(data), static_cast<int>(size));
  std::uint64_t sequence = 0;
  for (;;) {
    const std::uint32_t tag = in.ReadTag();
    if (tag == 0) {
      if (!in.ConsumedEntireMessage()) return std::nullopt;  // field number 0, or a cut varint
      return sequence;
    }
    if (tag == Wire::MakeTag(1, Wire::WIRETYPE_VARINT)) {
      if (!in.ReadVarint64(&sequence)) return std::nullopt;
    } else if (!Wire::SkipField(&in, tag)) {
      return std::nullopt;  // a bad wire type, a length past the end, an unmatched group
    }
  }
}

/// nullopt when the bytes at `seq` are an event that says it is number `seq`.
inline std::optional<std::string> audit_event_problem(std::uint64_t seq, const void* data,
                                                      std::size_t size) {
  const auto sequence = audit_event_sequence(data, size);
  if (!sequence) return "event " + std::to_string(seq) + " is not a readable audit event";
  if (*sequence != seq) {
    return "moved: the event stored at " + std::to_string(seq) + " says it is event " +
           std::to_string(*sequence);
  }
  return std::nullopt;
}

}  // namespace hubtable::wire
