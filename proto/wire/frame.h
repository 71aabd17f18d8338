#pragma once
// Framing: each frame is a 4-byte big-endian payload length, then the payload.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace hubtable::wire {

/// Returns prefix || payload. The caller checks the payload against its limit.
std::string encode_frame(std::string_view payload);

/// Incremental frame decoder for bytes arriving in arbitrary chunks. The
/// declared length is checked against the limit before any payload buffer is
/// allocated. Not thread-safe; one per connection.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame_bytes) : max_frame_bytes_(max_frame_bytes) {}

  enum class Status {
    kNeedMore,  // all input consumed, no complete frame yet
    kFrame,     // a frame is complete: take_frame()
    kTooLarge,  // declared length over the limit; the stream cannot be resynchronised
  };

  struct Result {
    Status status;
    std::size_t consumed;  // bytes of `input` used
  };

  /// Consumes bytes up to the end of the next frame. After kTooLarge the
  /// decoder stays in that state.
  Result feed(std::span<const std::uint8_t> input);

  /// Moves the completed frame's payload out and readies for the next frame.
  std::string take_frame();

  /// True once any byte of an unfinished frame has arrived.
  bool in_frame() const { return header_got_ > 0 && !complete_; }

  /// The declared length of the frame that was too large.
  std::uint32_t declared_length() const { return length_; }

 private:
  std::size_t max_frame_bytes_;
  std::uint8_t header_[4] = {};
  std::size_t header_got_ = 0;
  std::uint32_t length_ = 0;
  std::string payload_;
  bool complete_ = false;
  bool too_large_ = false;
};

}  // namespace hubtable::wire
