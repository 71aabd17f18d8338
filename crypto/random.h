#pragma once
// The source of randomness. Injectable so tests and fuzzers are deterministic.

#include <cstddef>
#include <cstdint>
#include <span>

namespace hubtable::crypto {

/// Fills buffers with random bytes. Implementations are thread-safe.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  /// Fills `out` completely. A CSPRNG failure is not recoverable: it aborts.
  virtual void fill(std::span<std::uint8_t> out) = 0;
};

/// The operating system's CSPRNG (OpenSSL's DRBG seeded from getrandom).
class SystemRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) override;
};

/// A process-wide SystemRandom.
RandomSource& system_random();

}  // namespace hubtable::crypto
