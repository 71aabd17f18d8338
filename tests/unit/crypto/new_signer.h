#pragma once
// A fresh audit signing key for the checkpoint tests.

#include <gtest/gtest.h>

#include "crypto/checkpoint.h"
#include "crypto/pki.h"

namespace hubtable::crypto {

inline CheckpointSigner new_signer() {
  auto pem = generate_ed25519_key_pem();
  EXPECT_TRUE(pem.ok());
  auto signer = CheckpointSigner::from_private_pem(*pem);
  EXPECT_TRUE(signer.ok()) << signer.status();
  return std::move(*signer);
}

}  // namespace hubtable::crypto
