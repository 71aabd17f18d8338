#include "crypto/vault.h"

#include <string>

#include "crypto/hkdf.h"

namespace hubtable::crypto {

namespace {

std::string field_context(std::string_view situation_id, std::string_view field) {
  std::string ad(situation_id);
  ad.push_back('\0');
  ad.append(field);
  return ad;
}

absl::StatusOr<Aes256Gcm> data_key_cipher(const SecretBytes& dek) {
  if (dek.size() != Vault::kDataKeyBytes) {
    return absl::InvalidArgumentError("a data key is 32 bytes");
  }
  return Aes256Gcm::create(dek.view());
}

}  // namespace

Vault::Vault(Aes256Gcm kek, SecretBytes index_key, Aes256Gcm justification_key,
             SecretBytes pseudonym_key)
    : kek_(std::move(kek)),
      justification_key_(std::move(justification_key)),
      index_key_(std::make_shared<const SecretBytes>(std::move(index_key))),
      pseudonym_key_(std::make_shared<const SecretBytes>(std::move(pseudonym_key))) {}

absl::StatusOr<Vault> Vault::create(const SecretBytes& master) {
  auto kek_bytes = derive_subkey(master, kVaultKeyLabel);
  if (!kek_bytes.ok()) return kek_bytes.status();
  auto kek = Aes256Gcm::create(kek_bytes->view());
  if (!kek.ok()) return kek.status();
  auto index_key = derive_subkey(master, kBlindIndexKeyLabel);
  if (!index_key.ok()) return index_key.status();
  auto bg_bytes = derive_subkey(master, kBreakGlassKeyLabel);
  if (!bg_bytes.ok()) return bg_bytes.status();
  auto bg = Aes256Gcm::create(bg_bytes->view());
  if (!bg.ok()) return bg.status();
  auto pseudonym_key = derive_subkey(master, kExportPseudonymKeyLabel);
  if (!pseudonym_key.ok()) return pseudonym_key.status();
  return Vault(std::move(*kek), std::move(*index_key), std::move(*bg), std::move(*pseudonym_key));
}

SecretBytes Vault::new_data_key(RandomSource& random) {
  SecretBytes dek(kDataKeyBytes);
  random.fill({dek.data(), dek.size()});
  return dek;
}

absl::StatusOr<Bytes> Vault::wrap(const SecretBytes& dek, std::string_view situation_id,
                                  RandomSource& random) const {
  if (dek.size() != kDataKeyBytes) return absl::InvalidArgumentError("a data key is 32 bytes");
  return kek_.seal(dek.view(), as_bytes(situation_id), random);
}

absl::StatusOr<SecretBytes> Vault::unwrap(ByteView wrapped, std::string_view situation_id) const {
  auto dek = kek_.open(wrapped, as_bytes(situation_id));
  if (!dek.ok()) return dek.status();
  if (dek->size() != kDataKeyBytes) return absl::DataLossError("wrapped data key has a bad size");
  return dek;
}

Digest Vault::blind_index(std::string_view normalised) const {
  return hmac_sha256(index_key_->view(), as_bytes(normalised));
}

Digest Vault::export_pseudonym(std::string_view situation_id) const {
  return hmac_sha256(pseudonym_key_->view(), as_bytes(situation_id));
}

absl::StatusOr<Bytes> Vault::seal_justification(std::string_view context, ByteView text,
                                                RandomSource& random) const {
  return justification_key_.seal(text, as_bytes(context), random);
}

absl::StatusOr<SecretBytes> Vault::open_justification(std::string_view context,
                                                      ByteView sealed) const {
  return justification_key_.open(sealed, as_bytes(context));
}

absl::StatusOr<Bytes> seal_field(const SecretBytes& dek, std::string_view situation_id,
                                 std::string_view field, ByteView plaintext, RandomSource& random) {
  auto cipher = data_key_cipher(dek);
  if (!cipher.ok()) return cipher.status();
  return cipher->seal(plaintext, as_bytes(field_context(situation_id, field)), random);
}

absl::StatusOr<SecretBytes> open_field(const SecretBytes& dek, std::string_view situation_id,
                                       std::string_view field, ByteView sealed) {
  auto cipher = data_key_cipher(dek);
  if (!cipher.ok()) return cipher.status();
  return cipher->open(sealed, as_bytes(field_context(situation_id, field)));
}

}  // namespace hubtable::crypto
