#include "crypto/checkpoint.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include <charconv>
#include <vector>

#include "absl/strings/escaping.h"
#include "crypto/sodium_init.h"

namespace hubtable::crypto {

namespace {

struct Free {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
using BioPtr = std::unique_ptr<BIO, Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Free>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free>;

constexpr std::size_t kPublicKeyBytes = 32;
constexpr std::size_t kSignatureBytes = 64;
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // "— "
constexpr std::string_view kRotationPrefix = "key-rotation ";

std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Strict base64: what Base64Escape would write, nothing else.
// (Debian's Abseil has its own string_view, hence the std::string copies.)
std::optional<std::string> unbase64(std::string_view text) {
  const std::string in(text);
  std::string out;
  if (!absl::Base64Unescape(in, &out) || absl::Base64Escape(out) != in) return std::nullopt;
  return out;
}

std::string base64(ByteView data) { return absl::Base64Escape(std::string(as_chars(data))); }

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (;;) {
    const auto nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) return lines;
    text.remove_prefix(nl + 1);
  }
}

template <class Int>
std::optional<Int> parse_int(std::string_view text) {
  Int value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;  // canonical form only
  return value;
}

absl::Status bad_note(const std::string& what) {
  return absl::InvalidArgumentError("checkpoint: " + what);
}

std::string signature_line(const std::string& origin, const NoteSignature& s) {
  std::string blob(s.key_id.begin(), s.key_id.end());
  blob.append(as_chars(s.signature));
  return std::string(kSignaturePrefix) + origin + " " + base64(as_bytes(blob)) + "\n";
}

absl::StatusOr<Bytes> raw_public_key(EVP_PKEY* key) {
  if (EVP_PKEY_get_base_id(key) != EVP_PKEY_ED25519) {
    return absl::InvalidArgumentError("checkpoint: the key is not an Ed25519 key");
  }
  Bytes raw(kPublicKeyBytes);
  std::size_t len = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, raw.data(), &len) != 1 || len != kPublicKeyBytes) {
    return absl::InternalError("checkpoint: cannot read the public key");
  }
  return raw;
}

}  // namespace

std::string checkpoint_body(const Checkpoint& c) {
  std::string body = c.origin + "\n" + std::to_string(c.tree_size) + "\n";
  body += base64(c.root) + "\n";
  body += "time " + std::to_string(c.time_us) + "\n";
  if (c.rotation) {
    body += std::string(kRotationPrefix) + base64(c.rotation->previous_key) + " " +
            base64(c.rotation->next_key) + "\n";
  }
  return body;
}

std::string to_note(const SignedCheckpoint& c) {
  std::string note = checkpoint_body(c.checkpoint) + "\n";
  note += signature_line(c.checkpoint.origin, {c.key_id, c.signature});
  if (c.next_signature) note += signature_line(c.checkpoint.origin, *c.next_signature);
  return note;
}

namespace {

absl::Status parse_rotation(std::string_view line, Checkpoint& c) {
  if (!line.starts_with(kRotationPrefix)) {
    return bad_note("the fifth line must be 'key-rotation <previous key> <next key>'");
  }
  line.remove_prefix(kRotationPrefix.size());
  const auto space = line.find(' ');
  auto previous = unbase64(line.substr(0, space));
  auto next = space == std::string_view::npos ? std::nullopt : unbase64(line.substr(space + 1));
  if (!previous || !next || previous->size() != kPublicKeyBytes ||
      next->size() != kPublicKeyBytes || *previous == *next) {
    return bad_note("a key rotation names two different base64 Ed25519 public keys");
  }
  c.rotation =
      KeyRotation{Bytes(previous->begin(), previous->end()), Bytes(next->begin(), next->end())};
  return absl::OkStatus();
}

absl::StatusOr<NoteSignature> parse_signature_line(std::string_view line,
                                                   const std::string& origin) {
  if (!line.starts_with(kSignaturePrefix)) return bad_note("the signature line is missing");
  line.remove_prefix(kSignaturePrefix.size());
  const auto space = line.find(' ');
  if (space == std::string_view::npos || line.substr(0, space) != origin) {
    return bad_note("the signature is not by the note's origin");
  }
  NoteSignature out;
  auto blob = unbase64(line.substr(space + 1));
  if (!blob || blob->size() != out.key_id.size() + kSignatureBytes) {
    return bad_note("the signature is not base64 of a key id and an Ed25519 signature");
  }
  std::copy_n(blob->begin(), out.key_id.size(), out.key_id.begin());
  out.signature.assign(blob->begin() + static_cast<std::ptrdiff_t>(out.key_id.size()), blob->end());
  return out;
}

}  // namespace

absl::StatusOr<SignedCheckpoint> parse_note(std::string_view note) {
  const std::vector<std::string_view> lines = split_lines(note);
  // The body (4 lines, 5 for a rotation), a blank line, the signature lines
  // (1, 2 for a rotation) and the final newline.
  const bool rotation = lines.size() == 9;
  if ((lines.size() != 7 && !rotation) || !lines.back().empty()) {
    return bad_note(
        "a note has 4 body lines, a blank line and 1 signature line (a key rotation: 5, a blank "
        "line and 2)");
  }
  const std::size_t body_lines = rotation ? 5 : 4;
  if (!lines[body_lines].empty()) return bad_note("expected a blank line after the body");
  SignedCheckpoint out;
  Checkpoint& c = out.checkpoint;
  c.origin = std::string(lines[0]);
  if (c.origin.empty() || c.origin.find(' ') != std::string::npos) {
    return bad_note("the origin must be one non-empty word");
  }
  auto size = parse_int<std::uint64_t>(lines[1]);
  if (!size) return bad_note("the tree size is not a decimal number");
  c.tree_size = *size;
  auto root_bytes = unbase64(lines[2]);
  auto root = root_bytes ? to_array<32>(*root_bytes) : std::nullopt;
  if (!root) return bad_note("the root is not a base64 hash");
  c.root = *root;
  constexpr std::string_view kTime = "time ";
  if (!lines[3].starts_with(kTime)) return bad_note("the fourth line must be 'time <us>'");
  auto time = parse_int<std::int64_t>(lines[3].substr(kTime.size()));
  if (!time || *time <= 0) return bad_note("the time is not a positive number");
  c.time_us = *time;
  if (rotation) {
    if (auto s = parse_rotation(lines[4], c); !s.ok()) return s;
  }
  auto first = parse_signature_line(lines[body_lines + 1], c.origin);
  if (!first.ok()) return first.status();
  out.key_id = first->key_id;
  out.signature = std::move(first->signature);
  if (rotation) {
    auto second = parse_signature_line(lines[body_lines + 2], c.origin);
    if (!second.ok()) return second.status();
    out.next_signature = std::move(*second);
  }
  return out;
}

absl::StatusOr<CheckpointVerifier> CheckpointVerifier::from_raw(ByteView public_key) {
  if (public_key.size() != kPublicKeyBytes) {
    return absl::InvalidArgumentError("checkpoint: an Ed25519 public key has 32 bytes");
  }
  CheckpointVerifier v;
  v.raw_.assign(public_key.begin(), public_key.end());
  return v;
}

absl::StatusOr<CheckpointVerifier> CheckpointVerifier::from_public_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return absl::InvalidArgumentError("checkpoint: cannot read the public key (PEM)");
  auto raw = raw_public_key(key.get());
  if (!raw.ok()) return raw.status();
  return from_raw(*raw);
}

KeyId CheckpointVerifier::key_id(std::string_view origin) const {
  std::string input(origin);
  input.push_back('\n');
  input.push_back('\x01');
  input.append(as_chars(raw_));
  const Digest d = sha256(as_bytes(input));
  KeyId id{};
  std::copy_n(d.begin(), id.size(), id.begin());
  return id;
}

std::string CheckpointVerifier::fingerprint() const {
  const Digest d = sha256(raw_);
  return to_hex(ByteView(d).first(8));
}

bool CheckpointVerifier::verify(const SignedCheckpoint& c) const {
  return verify(c.checkpoint, NoteSignature{c.key_id, c.signature});
}

bool CheckpointVerifier::verify(const Checkpoint& c, const NoteSignature& s) const {
  if (raw_.size() != kPublicKeyBytes || s.signature.size() != kSignatureBytes) return false;
  if (s.key_id != key_id(c.origin)) return false;
  // libsodium's Ed25519 (RFC 8032, as OpenSSL signs): it checks a signature
  // in about 60% of OpenSSL 3.0's time, and verify-audit checks one per 256
  // events (issue 20). It also refuses non-canonical encodings and
  // small-order keys, which no signer of ours produces.
  ensure_sodium();
  const std::string body = checkpoint_body(c);
  return crypto_sign_verify_detached(s.signature.data(), as_bytes(body).data(), body.size(),
                                     raw_.data()) == 0;
}

struct CheckpointSigner::Key {
  KeyPtr pkey;
};

absl::StatusOr<CheckpointSigner> CheckpointSigner::from_private_pem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  KeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return absl::InvalidArgumentError("checkpoint: cannot read the audit signing key");
  auto raw = raw_public_key(key.get());
  if (!raw.ok()) return raw.status();
  auto verifier = CheckpointVerifier::from_raw(*raw);
  if (!verifier.ok()) return verifier.status();
  CheckpointSigner s;
  s.key_ = std::make_shared<const Key>(Key{std::move(key)});
  s.verifier_ = std::move(*verifier);
  return s;
}

absl::StatusOr<SignedCheckpoint> CheckpointSigner::sign(const Checkpoint& c) const {
  if (!key_) return absl::FailedPreconditionError("checkpoint: no signing key");
  if (c.origin.empty() || c.origin.find_first_of(" \n") != std::string::npos) {
    return absl::InvalidArgumentError("checkpoint: the origin must be one non-empty word");
  }
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const std::string body = checkpoint_body(c);
  SignedCheckpoint out{c, verifier_.key_id(c.origin), Bytes(kSignatureBytes), std::nullopt};
  std::size_t len = out.signature.size();
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), out.signature.data(), &len, as_bytes(body).data(), body.size()) !=
          1 ||
      len != kSignatureBytes) {
    return absl::InternalError("checkpoint: signing failed");
  }
  return out;
}

absl::StatusOr<SignedCheckpoint> CheckpointSigner::sign_rotation(
    Checkpoint c, const CheckpointSigner& next) const {
  if (next.public_key() == public_key()) {
    return absl::InvalidArgumentError("checkpoint: a key rotation needs a new key");
  }
  c.rotation = KeyRotation{public_key(), next.public_key()};
  auto mine = sign(c);
  if (!mine.ok()) return mine.status();
  auto theirs = next.sign(c);
  if (!theirs.ok()) return theirs.status();
  mine->next_signature = NoteSignature{theirs->key_id, std::move(theirs->signature)};
  return mine;
}

std::string CheckpointSigner::public_pem() const {
  KeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key().data(),
                                         public_key().size()));
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!key || !bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) return {};
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(len)};
}

}  // namespace hubtable::crypto
