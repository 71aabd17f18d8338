#include "store/page_cipher.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <sqlcipher/sqlite3.h>

#include <array>
#include <cstring>
#include <new>

// SQLCipher 3.4.1's provider interface (src/sqlcipher.h, which Debian's
// libsqlcipher-dev does not install). The layout must match the library's
// exactly; PageCipher.* (store_test) shows that SQLCipher calls these
// functions and that files written either way read the other way.
extern "C" {
struct sqlcipher_provider {
  int (*activate)(void* ctx);
  int (*deactivate)(void* ctx);
  const char* (*get_provider_name)(void* ctx);
  int (*add_random)(void* ctx, void* buffer, int length);
  int (*random)(void* ctx, void* buffer, int length);
  int (*hmac)(void* ctx, unsigned char* hmac_key, int key_sz, unsigned char* in, int in_sz,
              unsigned char* in2, int in2_sz, unsigned char* out);
  int (*kdf)(void* ctx, const unsigned char* pass, int pass_sz, unsigned char* salt, int salt_sz,
             int workfactor, int key_sz, unsigned char* key);
  int (*cipher)(void* ctx, int mode, unsigned char* key, int key_sz, unsigned char* iv,
                unsigned char* in, int in_sz, unsigned char* out);
  int (*set_cipher)(void* ctx, const char* cipher_name);
  const char* (*get_cipher)(void* ctx);
  int (*get_key_sz)(void* ctx);
  int (*get_iv_sz)(void* ctx);
  int (*get_block_sz)(void* ctx);
  int (*get_hmac_sz)(void* ctx);
  int (*ctx_copy)(void* target_ctx, void* source_ctx);
  int (*ctx_cmp)(void* c1, void* c2);
  int (*ctx_init)(void** ctx);
  int (*ctx_free)(void** ctx);
  int (*fips_status)(void* ctx);
  const char* (*get_provider_version)(void* ctx);
};
int sqlcipher_register_provider(sqlcipher_provider* p);
sqlcipher_provider* sqlcipher_get_provider();
void* sqlcipher_malloc(int sz);
}

namespace hubtable::store {
namespace {

// SQLCipher 3.4 signs each page with HMAC-SHA1 (20 bytes) and derives keys
// with PBKDF2-HMAC-SHA1, whatever the cipher: the file format fixes both.
constexpr int kHmacBytes = 20;
constexpr int kEncrypt = 1;  // SQLCipher's CIPHER_ENCRYPT; CIPHER_DECRYPT is 0

// A key remembered so that the next page with the same key skips the key
// schedule; SQLCipher hands the key in on every call.
struct RememberedKey {
  std::array<unsigned char, EVP_MAX_KEY_LENGTH> bytes{};
  int size = 0;  // 0: nothing remembered

  bool same(const unsigned char* key, int key_sz) const {
    return size != 0 && key_sz == size && CRYPTO_memcmp(bytes.data(), key, size) == 0;
  }
  void remember(const unsigned char* key, int key_sz) {
    forget();
    if (key_sz <= 0 || key_sz > static_cast<int>(bytes.size())) return;
    std::memcpy(bytes.data(), key, key_sz);
    size = key_sz;
  }
  void forget() {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    size = 0;
  }
};

struct KeyedCipher {
  EVP_CIPHER_CTX* ctx = nullptr;
  RememberedKey key;
};

// Random bytes drawn from OpenSSL a kilobyte at a time. Every page SQLCipher
// writes gets a fresh IV and random padding (48 bytes, all of it stored in
// the page in the clear); one RAND_bytes call per page cost as much as the
// page's HMAC. The bytes come from the same DRBG either way.
class RandomPool {
 public:
  RandomPool() = default;
  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;
  ~RandomPool() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

  bool draw(unsigned char* out, std::size_t n) {
    if (n > bytes_.size()) return RAND_bytes(out, static_cast<int>(n)) == 1;
    if (bytes_.size() - next_ < n) {
      if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1) return false;
      next_ = 0;
    }
    std::memcpy(out, bytes_.data() + next_, n);
    OPENSSL_cleanse(bytes_.data() + next_, n);  // each byte is handed out once
    next_ += n;
    return true;
  }

 private:
  std::array<unsigned char, 1024> bytes_{};
  std::size_t next_ = bytes_.size();  // empty: the first draw fills it
};

// One per SQLCipher cipher context (a database's read or write side).
struct Context {
  EVP_CIPHER* cipher = nullptr;  // holds a reference
  KeyedCipher encrypt;
  KeyedCipher decrypt;
  EVP_MAC_CTX* hmac = nullptr;
  RememberedKey hmac_key;
  RandomPool random;

  Context() = default;
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;
  ~Context() {
    set_cipher(nullptr);
    EVP_MAC_CTX_free(hmac);
    hmac_key.forget();
  }

  // Takes a reference to `c` (may be null); drops every key schedule made
  // for the cipher before.
  void set_cipher(EVP_CIPHER* c) {
    if (c != nullptr) EVP_CIPHER_up_ref(c);
    EVP_CIPHER_free(cipher);
    cipher = c;
    for (KeyedCipher* k : {&encrypt, &decrypt}) {
      EVP_CIPHER_CTX_free(k->ctx);
      k->ctx = nullptr;
      k->key.forget();
    }
  }
};

Context& context(void* ctx) { return *static_cast<Context*>(ctx); }

EVP_MAC* hmac_algorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

int ok_if(bool ok) { return ok ? SQLITE_OK : SQLITE_ERROR; }

int activate(void* /*ctx*/) { return SQLITE_OK; }
int deactivate(void* /*ctx*/) { return SQLITE_OK; }
const char* provider_name(void* /*ctx*/) { return kPageCipherProviderName.data(); }
const char* provider_version(void* /*ctx*/) { return OpenSSL_version(OPENSSL_VERSION); }
int fips_status(void* /*ctx*/) { return 0; }

int add_random(void* /*ctx*/, void* buffer, int length) {
  RAND_add(buffer, length, 0);
  return SQLITE_OK;
}

// A page's IV and the rest of its reserve. No process-wide lock around this,
// unlike SQLCipher's own provider: the pool is the context's, and OpenSSL 3's
// DRBGs are safe to call from any thread.
int random_bytes(void* ctx, void* buffer, int length) {
  if (length < 0) return SQLITE_ERROR;
  return ok_if(context(ctx).random.draw(static_cast<unsigned char*>(buffer),
                                        static_cast<std::size_t>(length)));
}

int page_hmac(void* ctx, unsigned char* hmac_key, int key_sz, unsigned char* in, int in_sz,
              unsigned char* in2, int in2_sz, unsigned char* out) {
  Context& c = context(ctx);
  if (c.hmac == nullptr) {
    if (hmac_algorithm() == nullptr) return SQLITE_ERROR;
    c.hmac = EVP_MAC_CTX_new(hmac_algorithm());
    if (c.hmac == nullptr) return SQLITE_ERROR;
  }
  bool ok = false;
  if (c.hmac_key.same(hmac_key, key_sz)) {
    ok = EVP_MAC_init(c.hmac, nullptr, 0, nullptr) == 1;  // same key: reset only
  } else {
    c.hmac_key.forget();
    char digest[] = "SHA1";
    const std::array<OSSL_PARAM, 2> params = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
    ok = EVP_MAC_init(c.hmac, hmac_key, key_sz, params.data()) == 1;
    if (ok) c.hmac_key.remember(hmac_key, key_sz);
  }
  std::size_t written = 0;
  ok = ok && EVP_MAC_update(c.hmac, in, in_sz) == 1 && EVP_MAC_update(c.hmac, in2, in2_sz) == 1 &&
       EVP_MAC_final(c.hmac, out, &written, kHmacBytes) == 1 && written == kHmacBytes;
  if (!ok) c.hmac_key.forget();
  return ok_if(ok);
}

int kdf(void* /*ctx*/, const unsigned char* pass, int pass_sz, unsigned char* salt, int salt_sz,
        int workfactor, int key_sz, unsigned char* key) {
  return ok_if(PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(pass), pass_sz, salt, salt_sz,
                                 workfactor, EVP_sha1(), key_sz, key) == 1);
}

int page_cipher(void* ctx, int mode, unsigned char* key, int key_sz, unsigned char* iv,
                unsigned char* in, int in_sz, unsigned char* out) {
  Context& c = context(ctx);
  if (c.cipher == nullptr) return SQLITE_ERROR;
  KeyedCipher& k = mode == kEncrypt ? c.encrypt : c.decrypt;
  if (k.ctx == nullptr && (k.ctx = EVP_CIPHER_CTX_new()) == nullptr) return SQLITE_ERROR;
  bool ok = false;
  if (k.key.same(key, key_sz)) {
    ok = EVP_CipherInit_ex2(k.ctx, nullptr, nullptr, iv, mode, nullptr) == 1;  // new IV only
  } else {
    k.key.forget();
    ok = key_sz == EVP_CIPHER_get_key_length(c.cipher) &&
         EVP_CipherInit_ex2(k.ctx, c.cipher, key, iv, mode, nullptr) == 1;
    if (ok) k.key.remember(key, key_sz);
  }
  // Pages are whole blocks: no padding, or a final block would be written
  // past the page's data into its IV.
  int updated = 0;
  int finished = 0;
  ok = ok && EVP_CIPHER_CTX_set_padding(k.ctx, 0) == 1 &&
       EVP_CipherUpdate(k.ctx, out, &updated, in, in_sz) == 1 &&
       EVP_CipherFinal_ex(k.ctx, out + updated, &finished) == 1 && updated + finished == in_sz;
  if (!ok) k.key.forget();
  return ok_if(ok);
}

int set_cipher(void* ctx, const char* cipher_name) {
  EVP_CIPHER* found = EVP_CIPHER_fetch(nullptr, cipher_name, nullptr);
  if (found == nullptr) return SQLITE_ERROR;
  context(ctx).set_cipher(found);
  EVP_CIPHER_free(found);  // the context holds its own reference
  return SQLITE_OK;
}

const char* get_cipher(void* ctx) {
  const EVP_CIPHER* c = context(ctx).cipher;
  return c == nullptr ? "" : EVP_CIPHER_get0_name(c);
}

int key_size(void* ctx) {
  const EVP_CIPHER* c = context(ctx).cipher;
  return c == nullptr ? 0 : EVP_CIPHER_get_key_length(c);
}

int iv_size(void* ctx) {
  const EVP_CIPHER* c = context(ctx).cipher;
  return c == nullptr ? 0 : EVP_CIPHER_get_iv_length(c);
}

int block_size(void* ctx) {
  const EVP_CIPHER* c = context(ctx).cipher;
  return c == nullptr ? 0 : EVP_CIPHER_get_block_size(c);
}

int hmac_size(void* /*ctx*/) { return kHmacBytes; }

int ctx_copy(void* target, void* source) {
  context(target).set_cipher(context(source).cipher);
  return SQLITE_OK;
}

int ctx_cmp(void* a, void* b) {
  const EVP_CIPHER* ca = context(a).cipher;
  const EVP_CIPHER* cb = context(b).cipher;
  if (ca == nullptr || cb == nullptr) return static_cast<int>(ca == cb);
  return static_cast<int>(std::strcmp(EVP_CIPHER_get0_name(ca), EVP_CIPHER_get0_name(cb)) == 0);
}

int ctx_init(void** ctx) {
  *ctx = new (std::nothrow) Context();
  return *ctx == nullptr ? SQLITE_NOMEM : SQLITE_OK;
}

int ctx_free(void** ctx) {
  delete static_cast<Context*>(*ctx);
  *ctx = nullptr;
  return SQLITE_OK;
}

void fill(sqlcipher_provider& p) {
  p.activate = activate;
  p.deactivate = deactivate;
  p.get_provider_name = provider_name;
  p.add_random = add_random;
  p.random = random_bytes;
  p.hmac = page_hmac;
  p.kdf = kdf;
  p.cipher = page_cipher;
  p.set_cipher = set_cipher;
  p.get_cipher = get_cipher;
  p.get_key_sz = key_size;
  p.get_iv_sz = iv_size;
  p.get_block_sz = block_size;
  p.get_hmac_sz = hmac_size;
  p.ctx_copy = ctx_copy;
  p.ctx_cmp = ctx_cmp;
  p.ctx_init = ctx_init;
  p.ctx_free = ctx_free;
  p.fips_status = fips_status;
  p.get_provider_version = provider_version;
}

}  // namespace

void install_page_cipher() {
  if (sqlite3_initialize() != SQLITE_OK) return;  // the open that follows reports it
  // SQLCipher registers its own provider, and frees the registered one when
  // its last codec closes, under this mutex: holding it makes the check and
  // the registration one step against both.
  sqlite3_mutex* master = sqlite3_mutex_alloc(SQLITE_MUTEX_STATIC_MASTER);
  sqlite3_mutex_enter(master);
  const sqlcipher_provider* current = sqlcipher_get_provider();
  if (current == nullptr || current->get_provider_name != provider_name) {
    // SQLCipher frees the registered provider with sqlcipher_free.
    auto* p = static_cast<sqlcipher_provider*>(sqlcipher_malloc(sizeof(sqlcipher_provider)));
    if (p != nullptr) {
      fill(*p);
      sqlcipher_register_provider(p);
    }
  }
  sqlite3_mutex_leave(master);
}

}  // namespace hubtable::store
