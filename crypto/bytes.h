#pragma once
// Byte containers for key material and helpers that must be constant-time.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hubtable::crypto {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

/// Overwrites `data` with zeros in a way the optimiser cannot elide.
void secure_zero(void* data, std::size_t size);

/// Compares two byte strings in time that depends only on their lengths.
bool constant_time_equal(ByteView a, ByteView b);

/// Lower-case hexadecimal encoding.
std::string to_hex(ByteView data);

/// Decodes hexadecimal (either case); nullopt on odd length or a bad digit.
std::optional<Bytes> from_hex(std::string_view hex);

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// `data` as exactly N bytes (a hash, a key id); nullopt when its size differs.
template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> to_array(ByteView data) {
  if (data.size() != N) return std::nullopt;
  std::array<std::uint8_t, N> out{};
  std::memcpy(out.data(), data.data(), N);
  return out;
}
template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> to_array(std::string_view data) {
  return to_array<N>(as_bytes(data));
}

/// Owns secret bytes (keys, tokens, passwords) and zeroes them on destruction.
/// Move-only so a secret has exactly one owner. Not thread-safe.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::size_t size) : data_(size, 0) {}
  explicit SecretBytes(ByteView data) : data_(data.begin(), data.end()) {}
  ~SecretBytes() { clear(); }
  SecretBytes(SecretBytes&& other) noexcept : data_(std::move(other.data_)) { other.data_.clear(); }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      clear();
      data_ = std::move(other.data_);
      other.data_.clear();
    }
    return *this;
  }
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;

  std::uint8_t* data() { return data_.data(); }
  const std::uint8_t* data() const { return data_.data(); }
  std::size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  ByteView view() const { return {data_.data(), data_.size()}; }

  void clear() {
    if (!data_.empty()) secure_zero(data_.data(), data_.size());
    data_.clear();
  }

 private:
  std::vector<std::uint8_t> data_;
};

/// A std::string that is zeroed on destruction; for passwords read from users.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  ~SecretString() { secure_zero(value_.data(), value_.size()); }
  SecretString(SecretString&& other) noexcept : value_(std::move(other.value_)) {}
  SecretString& operator=(SecretString&& other) noexcept {
    if (this != &other) {
      secure_zero(value_.data(), value_.size());
      value_ = std::move(other.value_);
    }
    return *this;
  }
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;

  const std::string& str() const { return value_; }
  bool empty() const { return value_.empty(); }

 private:
  std::string value_;
};

}  // namespace hubtable::crypto
