// The identity vault's keys: wrapping binds a data key to its situation, a
// sealed field to its situation and field, and the blind index is keyed.

#include "crypto/vault.h"

#include <gtest/gtest.h>

namespace hubtable::crypto {
namespace {

SecretBytes master(std::uint8_t fill) {
  SecretBytes m(32);
  for (std::size_t i = 0; i < m.size(); ++i) m.data()[i] = static_cast<std::uint8_t>(fill + i);
  return m;
}

std::string text(const SecretBytes& b) { return {b.view().begin(), b.view().end()}; }

TEST(Vault, AWrappedDataKeyOpensOnlyForItsSituationAndMasterKey) {
  auto vault = Vault::create(master(1));
  ASSERT_TRUE(vault.ok());
  SecretBytes dek = Vault::new_data_key(system_random());
  auto wrapped = vault->wrap(dek, "AAAAA-BBBBB", system_random());
  ASSERT_TRUE(wrapped.ok());
  auto back = vault->unwrap(*wrapped, "AAAAA-BBBBB");
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(constant_time_equal(back->view(), dek.view()));
  EXPECT_EQ(vault->unwrap(*wrapped, "AAAAA-BBBBC").status().code(), absl::StatusCode::kDataLoss);
  auto other = Vault::create(master(2));
  EXPECT_EQ(other->unwrap(*wrapped, "AAAAA-BBBBB").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(vault->wrap(SecretBytes(16), "AAAAA-BBBBB", system_random()).ok());
}

TEST(Vault, ASealedFieldCannotMoveToAnotherSituationOrField) {
  SecretBytes dek = Vault::new_data_key(system_random());
  auto sealed = seal_field(dek, "S1", "person/0/name", as_bytes("Jane Roe"), system_random());
  ASSERT_TRUE(sealed.ok());
  auto opened = open_field(dek, "S1", "person/0/name", *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(text(*opened), "Jane Roe");
  EXPECT_FALSE(open_field(dek, "S2", "person/0/name", *sealed).ok());
  EXPECT_FALSE(open_field(dek, "S1", "person/0/address", *sealed).ok());
  EXPECT_FALSE(
      open_field(Vault::new_data_key(system_random()), "S1", "person/0/name", *sealed).ok());
  // Fresh nonces: the same value seals differently each time.
  auto again = seal_field(dek, "S1", "person/0/name", as_bytes("Jane Roe"), system_random());
  EXPECT_NE(*sealed, *again);
}

TEST(Vault, AJustificationOpensOnlyInItsContextAndUnderItsMasterKey) {
  auto vault = Vault::create(master(1));
  ASSERT_TRUE(vault.ok());
  const std::string why = "complaint 2026-114 from the person about a disclosure";
  auto sealed = vault->seal_justification("break-glass/S1/7/100", as_bytes(why), system_random());
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(std::string(sealed->begin(), sealed->end()).find("complaint"), std::string::npos);
  auto opened = vault->open_justification("break-glass/S1/7/100", *sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(text(*opened), why);
  EXPECT_EQ(vault->open_justification("break-glass/S1/8/100", *sealed).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_FALSE(Vault::create(master(2))->open_justification("break-glass/S1/7/100", *sealed).ok());
}

TEST(Vault, TheBlindIndexIsDeterministicAndKeyedByTheMasterKey) {
  auto a = Vault::create(master(1));
  auto b = Vault::create(master(2));
  EXPECT_EQ(a->blind_index("jane roe|2010-03-14"), a->blind_index("jane roe|2010-03-14"));
  EXPECT_NE(a->blind_index("jane roe|2010-03-14"), a->blind_index("jane roe|2010-03-15"));
  EXPECT_NE(a->blind_index("jane roe|2010-03-14"), b->blind_index("jane roe|2010-03-14"));
}

}  // namespace
}  // namespace hubtable::crypto
