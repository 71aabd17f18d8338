#pragma once
// Constants of the hubtable wire protocol (see DESIGN.md, "Wire protocol").

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hubtable::wire {

/// Envelope.version spoken by this build.
inline constexpr std::uint32_t kProtocolVersion = 1;

/// The ALPN protocol id both sides must agree on.
inline constexpr std::string_view kAlpnProtocol = "hubtable/1";

/// Default maximum payload of one frame, in bytes (excluding the 4-byte prefix).
inline constexpr std::size_t kDefaultMaxFrameBytes = std::size_t{1024} * 1024;

/// Size of the big-endian length prefix.
inline constexpr std::size_t kFrameHeaderBytes = 4;

}  // namespace hubtable::wire
