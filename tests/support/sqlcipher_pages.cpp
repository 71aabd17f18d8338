#include "tests/support/sqlcipher_pages.h"

#include <openssl/evp.h>

#include <fstream>
#include <iterator>
#include <memory>

namespace hubtable::testing {

namespace {

constexpr std::size_t kPageSize = 4096;
constexpr std::size_t kReserve = 48;    // 16-byte IV + 20-byte HMAC-SHA1, rounded to the block
constexpr std::size_t kSaltBytes = 16;  // page 1 starts with the file's salt, in the clear
constexpr std::size_t kWalHeader = 32;
constexpr std::size_t kFrameHeader = 24;

std::string read_all(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// AES-256-CBC without padding over the page's encrypted part.
std::string decrypt_page(std::string_view page, bool first, const crypto::SecretBytes& key) {
  const std::size_t begin = first ? kSaltBytes : 0;
  const std::size_t end = kPageSize - kReserve;
  const auto* iv = reinterpret_cast<const unsigned char*>(page.data() + end);
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx(EVP_CIPHER_CTX_new(),
                                                                      &EVP_CIPHER_CTX_free);
  std::string out(end - begin, '\0');
  int n = 0;
  int tail = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_cbc(), nullptr, key.data(), iv) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                        reinterpret_cast<const unsigned char*>(page.data() + begin),
                        static_cast<int>(end - begin)) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + n, &tail) !=
          1) {
    return {};
  }
  return out;
}

std::uint32_t big_endian(std::string_view bytes, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(bytes[at])} << 24) |
         (std::uint32_t{static_cast<unsigned char>(bytes[at + 1])} << 16) |
         (std::uint32_t{static_cast<unsigned char>(bytes[at + 2])} << 8) |
         std::uint32_t{static_cast<unsigned char>(bytes[at + 3])};
}

}  // namespace

std::string decrypt_database_pages(const std::filesystem::path& file,
                                   const crypto::SecretBytes& key) {
  const std::string bytes = read_all(file);
  std::string out;
  for (std::size_t at = 0; at + kPageSize <= bytes.size(); at += kPageSize) {
    out += decrypt_page(std::string_view(bytes).substr(at, kPageSize), at == 0, key);
  }
  return out;
}

std::string decrypt_wal_frames(const std::filesystem::path& file, const crypto::SecretBytes& key) {
  const std::string bytes = read_all(file);
  std::string out;
  for (std::size_t at = kWalHeader; at + kFrameHeader + kPageSize <= bytes.size();
       at += kFrameHeader + kPageSize) {
    const std::uint32_t page_number = big_endian(bytes, at);
    out += decrypt_page(std::string_view(bytes).substr(at + kFrameHeader, kPageSize),
                        page_number == 1, key);
  }
  return out;
}

std::string database_header_summary(const std::filesystem::path& file,
                                    const crypto::SecretBytes& key) {
  const std::string plain = decrypt_database_pages(file, key);
  // Offsets in the SQLite header, less the 16 bytes of salt not decrypted.
  if (plain.size() < 8) return "";
  const unsigned page_size =
      (static_cast<unsigned char>(plain[0]) << 8) | static_cast<unsigned char>(plain[1]);
  const unsigned reserve = static_cast<unsigned char>(plain[4]);
  return std::to_string(page_size) + "/" + std::to_string(reserve);
}

}  // namespace hubtable::testing
