// hubtable audit {checkpoint,verify}: the privacy officer's proof that the
// audit log was not altered, deleted, reordered or rolled back.
//
// Nothing here trusts the server: signatures are checked with the audit key
// pinned in the profile (audit-signing.pub, or --key), consistency proofs
// and the tree are recomputed here.

#include <google/protobuf/struct.pb.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/output.h"
#include "cli/session.h"
#include "crypto/checkpoint.h"
#include "crypto/log_verifier.h"
#include "crypto/merkle.h"
#include "wire/audit_leaf.h"

namespace hubtable::cli {

namespace v1 = hubtable::v1;
namespace fs = std::filesystem;

namespace {

struct AuditOptions {
  std::string table;
  std::string save;
  std::string since;
  std::string key;
};

constexpr std::uint32_t kPage = 5000;

// Verification failed: the log cannot be trusted. Exit 1, as a refusal.
int verification_failure(const std::string& what) {
  std::fprintf(stderr, "hubtable: audit log FAILED verification: %s\n", what.c_str());
  return kExitRefused;
}

absl::StatusOr<crypto::CheckpointVerifier> load_key(const AuditOptions& o, const Session& s) {
  const fs::path path = o.key.empty() ? s.profile.dir / "audit-signing.pub" : fs::path(o.key);
  auto pem = read_text(path.string());
  if (!pem.ok()) {
    return absl::InvalidArgumentError("no audit public key: " + path.string() +
                                      " is missing (pass --key FILE)");
  }
  return crypto::CheckpointVerifier::from_public_pem(*pem);
}

absl::StatusOr<crypto::SignedCheckpoint> from_wire(const v1::SignedCheckpoint& c) {
  crypto::SignedCheckpoint out;
  out.checkpoint.origin = c.origin();
  out.checkpoint.tree_size = c.tree_size();
  out.checkpoint.time_us = c.time_us();
  auto root = crypto::to_array<32>(c.root_hash());
  auto key_id = crypto::to_array<4>(c.key_id());
  if (!root || !key_id) return absl::DataLossError("the server sent a malformed checkpoint");
  out.checkpoint.root = *root;
  out.key_id = *key_id;
  out.signature.assign(c.signature().begin(), c.signature().end());
  return out;
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> read_saved(const std::string& path) {
  if (path.empty()) return std::nullopt;
  auto text = read_text(path);
  if (!text.ok()) return text.status();
  auto parsed = crypto::parse_note(*text);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(path + ": " + std::string(parsed.status().message()));
  }
  return std::optional<crypto::SignedCheckpoint>(std::move(*parsed));
}

// Writes `text` beside `path` and renames it over, so a saved checkpoint is
// never half-written.
absl::Status write_atomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc | std::ios::binary);
    out << text;
    if (!out) return absl::InternalError("cannot write " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return absl::InternalError("cannot write " + path + ": " + ec.message());
  return absl::OkStatus();
}

std::string hex_prefix(const crypto::Digest& d) { return crypto::to_hex(d).substr(0, 16); }

int run_checkpoint(const Globals& g, const AuditOptions& o) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  auto key = load_key(o, s);
  if (!key.ok()) return usage_failure(key.status());
  // The one saved before, if the file exists: the new one must extend it.
  std::optional<crypto::SignedCheckpoint> previous;
  if (!o.save.empty() && fs::exists(o.save)) {
    auto saved = read_saved(o.save);
    if (!saved.ok()) return usage_failure(saved.status());
    previous = std::move(*saved);
    if (!key->verify(*previous)) {
      return verification_failure(o.save + " is not signed by this audit key");
    }
  }
  v1::Request req;
  auto* c = req.mutable_audit_checkpoint();
  c->set_table(o.table);
  if (previous) c->set_from_size(previous->checkpoint.tree_size);
  v1::Response r;
  if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
  auto latest = from_wire(r.audit_checkpoint().checkpoint());
  if (!latest.ok()) return verification_failure(std::string(latest.status().message()));
  if (!key->verify(*latest)) {
    return verification_failure("the latest checkpoint is not signed by the audit key");
  }
  if (previous) {
    std::vector<crypto::Digest> proof;
    for (const auto& h : r.audit_checkpoint().consistency_proof()) {
      auto d = crypto::to_array<32>(h);
      if (!d) return verification_failure("malformed proof");
      proof.push_back(*d);
    }
    if (!crypto::merkle::verify_consistency(previous->checkpoint.tree_size,
                                            latest->checkpoint.tree_size, previous->checkpoint.root,
                                            latest->checkpoint.root, proof)) {
      return verification_failure("the log of " + std::to_string(latest->checkpoint.tree_size) +
                                  " events does not extend the saved checkpoint of " +
                                  std::to_string(previous->checkpoint.tree_size) +
                                  ": it was rewritten or rolled back");
    }
  }
  if (!o.save.empty()) {
    if (auto st = write_atomically(o.save, crypto::to_note(*latest)); !st.ok()) {
      return usage_failure(st);
    }
  }
  if (g.json) {
    print_json(r.audit_checkpoint());
    return kExitOk;
  }
  std::printf("Checkpoint: %llu events, root %s…, signed %s by %s\n",
              static_cast<unsigned long long>(latest->checkpoint.tree_size),
              hex_prefix(latest->checkpoint.root).c_str(),
              format_time_us(latest->checkpoint.time_us).c_str(),
              latest->checkpoint.origin.c_str());
  if (previous) {
    std::printf("Consistent with the saved checkpoint of %llu events\n",
                static_cast<unsigned long long>(previous->checkpoint.tree_size));
  }
  if (!o.save.empty()) std::printf("Saved to %s\n", o.save.c_str());
  return kExitOk;
}

int run_verify(const Globals& g, const AuditOptions& o) {
  Session s;
  if (int rc = open_session(g, s, true); rc != kExitOk) return rc;
  auto key = load_key(o, s);
  if (!key.ok()) return usage_failure(key.status());
  auto saved = read_saved(o.since);
  if (!saved.ok()) return usage_failure(saved.status());
  crypto::LogVerifier v(*key, *saved);
  std::uint64_t readable = 0;
  std::uint64_t after = 0;
  for (bool last = false; !last && v.ok();) {
    v1::Request req;
    auto* page = req.mutable_audit_log();
    page->set_table(o.table);
    page->set_after_sequence(after);
    page->set_limit(kPage);
    v1::Response r;
    if (int rc = call_in(s, req, r); rc != kExitOk) return rc;
    const auto& log = r.audit_log();
    last = log.last_page() || log.entries().empty();
    for (const auto& c : log.checkpoints()) {
      auto cp = from_wire(c);
      if (!cp.ok()) return verification_failure(std::string(cp.status().message()));
      v.add_checkpoint(std::move(*cp));
    }
    for (const auto& e : log.entries()) {
      crypto::Digest leaf{};
      if (!e.event().empty()) {
        if (auto problem =
                wire::audit_event_problem(e.sequence(), e.event().data(), e.event().size())) {
          v.fail(e.sequence(), e.sequence(), *problem);
          break;
        }
        leaf = crypto::merkle::leaf_hash(crypto::as_bytes(e.event()));
        ++readable;
      } else if (auto given = crypto::to_array<32>(e.leaf_hash())) {
        leaf = *given;
      } else {
        v.fail(e.sequence(), e.sequence(), "the server sent neither the event nor its hash");
        break;
      }
      if (!v.add(e.sequence(), leaf)) break;
      after = e.sequence();
    }
  }
  v.finish();
  if (g.json) {
    google::protobuf::Struct out;
    auto& f = *out.mutable_fields();
    f["verified"].set_bool_value(v.ok());
    f["events"].set_number_value(static_cast<double>(v.size()));
    f["readable_events"].set_number_value(static_cast<double>(readable));
    f["checkpoints_verified"].set_number_value(static_cast<double>(v.checkpoints_verified()));
    f["signed_size"].set_number_value(static_cast<double>(v.signed_size()));
    f["saved_checkpoint_checked"].set_bool_value(v.saved_checked());
    if (const auto& p = v.problem()) {
      f["first_bad"].set_number_value(static_cast<double>(p->first));
      f["last_bad"].set_number_value(static_cast<double>(p->last));
      f["problem"].set_string_value(p->what);
    }
    print_json(out);
    return v.ok() ? kExitOk : kExitRefused;
  }
  if (const auto& p = v.problem()) {
    return verification_failure(crypto::describe_positions(*p) + ": " + p->what);
  }
  std::printf(
      "Verified %llu events (%llu readable by you, the rest by hash), %llu signed "
      "checkpoints\n",
      static_cast<unsigned long long>(v.size()), static_cast<unsigned long long>(readable),
      static_cast<unsigned long long>(v.checkpoints_verified()));
  if (v.signed_size() < v.size()) {
    std::printf("%llu event(s) after the last checkpoint are not signed yet\n",
                static_cast<unsigned long long>(v.size() - v.signed_size()));
  }
  if (*saved) {
    std::printf("Consistent with the saved checkpoint of %llu events\n",
                static_cast<unsigned long long>((*saved)->checkpoint.tree_size));
  }
  return kExitOk;
}

}  // namespace

void add_audit_commands(CLI::App& app, Globals& g, Commands& commands) {
  auto opts = std::make_shared<AuditOptions>();
  AuditOptions& o = *opts;
  auto* audit = app.add_subcommand("audit", "the audit log (privacy officers, chairs)");
  audit->require_subcommand(1);
  auto* checkpoint = audit->add_subcommand(
      "checkpoint",
      "fetch the latest signed checkpoint; with --save, keep it (and prove the "
      "log extends the one kept before)");
  checkpoint->add_option("--save", o.save, "file to keep the checkpoint in");
  auto* verify = audit->add_subcommand(
      "verify", "recompute the whole log's tree and check every signed checkpoint");
  verify->add_option("--since", o.since, "a checkpoint kept earlier with `checkpoint --save`")
      ->check(CLI::ExistingFile);
  for (auto* sub : {checkpoint, verify}) {
    sub->add_option("--table", o.table, "table code (when you sit at several)");
    sub->add_option("--key", o.key,
                    "the audit public key (default: audit-signing.pub in the profile)");
    add_global_options(sub, g);
  }
  commands.add(checkpoint, [&g, opts] { return run_checkpoint(g, *opts); });
  commands.add(verify, [&g, opts] { return run_verify(g, *opts); });
}

}  // namespace hubtable::cli
