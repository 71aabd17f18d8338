// Fuzz target: inclusion and consistency proofs as a client receives them
// from a server it does not trust (crypto/merkle.h): two tree sizes or an
// index and a size, two roots and a proof of any length, from the input
// bytes. The checks must answer, never crash or loop, and accept only what
// a tree really proves: a one-leaf tree's proof is empty and its root is
// the leaf.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "crypto/merkle.h"

namespace {
using hubtable::crypto::Digest;

std::uint64_t take_u64(const std::uint8_t*& p, std::size_t& n) {
  std::uint64_t v = 0;
  const std::size_t k = n < 8 ? n : 8;
  std::memcpy(&v, p, k);
  p += k;
  n -= k;
  return v;
}

Digest take_digest(const std::uint8_t*& p, std::size_t& n) {
  Digest d{};
  const std::size_t k = n < d.size() ? n : d.size();
  std::memcpy(d.data(), p, k);
  p += k;
  n -= k;
  return d;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace merkle = hubtable::crypto::merkle;
  const std::uint8_t* p = data;
  std::size_t n = size;
  const std::uint64_t a = take_u64(p, n);
  const std::uint64_t b = take_u64(p, n);
  const Digest first = take_digest(p, n);
  const Digest second = take_digest(p, n);
  std::vector<Digest> proof;
  while (n > 0 && proof.size() < 80) proof.push_back(take_digest(p, n));
  (void)merkle::verify_consistency(a, b, first, second, proof);
  (void)merkle::verify_inclusion(a, b, first, proof, second);
  // One leaf: its root is the leaf, and only the empty proof shows it.
  if (merkle::verify_inclusion(0, 1, first, {}, first) == false) __builtin_trap();
  if (!proof.empty() && merkle::verify_inclusion(0, 1, first, proof, first)) __builtin_trap();
  return 0;
}
