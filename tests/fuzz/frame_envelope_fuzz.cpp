// Fuzz target: bytes from the network through the frame decoder and the
// envelope parser, exactly as a server connection processes them.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tests/fuzz/quiet_protobuf.h"
#include "wire/envelope_codec.h"
#include "wire/frame.h"

namespace {
constexpr std::size_t kFuzzMaxFrame = std::size_t{64} * 1024;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  hubtable::fuzz::quiet_protobuf();
  if (size == 0) return 0;
  // The first byte picks the read size, so partial reads are exercised too.
  const std::size_t chunk = static_cast<std::size_t>(data[0] % 32) + 1;
  std::span<const std::uint8_t> rest(data + 1, size - 1);
  hubtable::wire::FrameDecoder decoder(kFuzzMaxFrame);
  while (!rest.empty()) {
    auto piece = rest.first(std::min(chunk, rest.size()));
    auto result = decoder.feed(piece);
    rest = rest.subspan(result.consumed);
    if (result.status == hubtable::wire::FrameDecoder::Status::kTooLarge) break;
    if (result.status == hubtable::wire::FrameDecoder::Status::kFrame) {
      auto parsed = hubtable::wire::parse_request(decoder.take_frame());
      if (parsed.ok()) {
        // A parsed request must re-encode into a frame the decoder accepts.
        const std::string again = parsed->envelope.SerializeAsString();
        hubtable::wire::FrameDecoder check(kFuzzMaxFrame + 1024);
        const std::string frame = hubtable::wire::encode_frame(again);
        auto r = check.feed({reinterpret_cast<const std::uint8_t*>(frame.data()), frame.size()});
        if (r.status != hubtable::wire::FrameDecoder::Status::kFrame) __builtin_trap();
      } else {
        (void)hubtable::wire::parse_error_envelope(parsed.status());
      }
    }
  }
  return 0;
}
