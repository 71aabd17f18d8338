#include "wire/frame.h"

#include <algorithm>

#include "wire/protocol.h"

namespace hubtable::wire {

std::string encode_frame(std::string_view payload) {
  const auto n = static_cast<std::uint32_t>(payload.size());
  std::string out;
  out.reserve(kFrameHeaderBytes + payload.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(payload);
  return out;
}

FrameDecoder::Result FrameDecoder::feed(std::span<const std::uint8_t> input) {
  if (too_large_) return {Status::kTooLarge, 0};
  if (complete_) return {Status::kFrame, 0};
  std::size_t used = 0;
  while (header_got_ < kFrameHeaderBytes && used < input.size()) {
    header_[header_got_++] = input[used++];
    if (header_got_ == kFrameHeaderBytes) {
      length_ = (std::uint32_t{header_[0]} << 24) | (std::uint32_t{header_[1]} << 16) |
                (std::uint32_t{header_[2]} << 8) | std::uint32_t{header_[3]};
      if (length_ > max_frame_bytes_) {
        too_large_ = true;
        return {Status::kTooLarge, used};
      }
      payload_.clear();
      payload_.reserve(length_);
    }
  }
  if (header_got_ < kFrameHeaderBytes) return {Status::kNeedMore, used};
  const std::size_t want = length_ - payload_.size();
  const std::size_t take = std::min(want, input.size() - used);
  payload_.append(reinterpret_cast<const char*>(input.data() + used), take);
  used += take;
  if (payload_.size() == length_) {
    complete_ = true;
    return {Status::kFrame, used};
  }
  return {Status::kNeedMore, used};
}

std::string FrameDecoder::take_frame() {
  std::string out = std::move(payload_);
  payload_.clear();
  header_got_ = 0;
  length_ = 0;
  complete_ = false;
  return out;
}

}  // namespace hubtable::wire
