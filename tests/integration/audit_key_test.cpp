// The audit signing key rotated (`hubtabled rekey --audit-signing-key`) under
// a real deployment: the privacy officer's pinned key (the one in their
// profile, from before) and the new key both verify the whole log across the
// rotation, on the client and on the server; a checkpoint the retired key
// signs afterwards is refused, as is a server started with it; a backup from
// before the rotation restores and is handed over to the new key.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "audit/audit_writer.h"
#include "audit/log_store.h"
#include "crypto/pki.h"
#include "tests/integration/harness.h"

namespace hubtable::testing {
namespace {

namespace fs = std::filesystem;

class AuditKeyRotation : public ::testing::Test {
 protected:
  void SetUp() override {
    runtime_ = server_.deployment().scratch() / "run";
    fs::create_directories(runtime_);
    ::chmod(runtime_.c_str(), 0700);
    server_.start();
    const auto po = server_.deployment().profile("po.one");
    write_file(scratch() / "new", std::string(kNewPassword) + "\n");
    write_file(scratch() / "totp", server_.deployment().totp("po.one", std::time(nullptr)) + "\n");
    auto login = hubtable({"login", "--password-file", (po / "one-time-password").string(),
                           "--new-password-file", (scratch() / "new").string(), "--totp-file",
                           (scratch() / "totp").string()});
    ASSERT_EQ(login.exit_code, 0) << login.err;
  }

  fs::path scratch() { return server_.deployment().scratch(); }
  fs::path keys() { return server_.deployment().root() / "keys"; }
  std::string config() { return server_.deployment().config_path().string(); }

  // The privacy officer's command line, with the key pinned in their profile.
  CommandResult hubtable(std::vector<std::string> args) {
    std::vector<std::string> argv = {hubtable_path(), "--profile",
                                     server_.deployment().profile("po.one").string(), "--server",
                                     server_.address()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, {{"XDG_RUNTIME_DIR", runtime_.string()}});
  }

  CommandResult hubtabled(std::vector<std::string> args) {
    args.insert(args.begin(), hubtabled_path());
    return run_command(args);
  }

  RunningServer server_;
  fs::path runtime_;
};

TEST_F(AuditKeyRotation, TheRotatedAuditKeyVerifiesAcrossTheRotationFromEitherKey) {
  const std::string saved = (scratch() / "po-checkpoint.txt").string();
  auto before = hubtable({"audit", "checkpoint", "--save", saved});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  const fs::path backups = scratch() / "backups";
  auto backup = hubtabled({"backup", "--config", config(), "--to", backups.string()});
  ASSERT_EQ(backup.exit_code, 0) << backup.err;
  const std::string old_key = read_file(keys() / "audit-signing.key");
  const std::string old_pub = read_file(keys() / "audit-signing.pub");

  // The server must be stopped: it owns the files.
  auto refused = hubtabled({"rekey", "--audit-signing-key", "--config", config()});
  EXPECT_NE(refused.exit_code, 0);
  ASSERT_EQ(server_.stop(), 0);
  auto rotated = hubtabled({"rekey", "--audit-signing-key", "--config", config()});
  ASSERT_EQ(rotated.exit_code, 0) << rotated.err;
  EXPECT_NE(rotated.out.find("audit signing key rotated: "), std::string::npos) << rotated.out;
  EXPECT_NE(read_file(keys() / "audit-signing.key"), old_key);
  EXPECT_EQ(read_file(keys() / "audit-signing.key.old"), old_key);
  EXPECT_NE(read_file(keys() / "audit-signing.pub"), old_pub);
  EXPECT_FALSE(fs::exists(keys() / "audit-signing.key.next"));
  struct stat st {};
  ASSERT_EQ(::stat((keys() / "audit-signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // The rotation is an audit event, and the checkpoint after it is the new
  // key's. The privacy officer's profile still pins the old key.
  server_.start();
  auto checkpoint = hubtable({"audit", "checkpoint"});
  ASSERT_EQ(checkpoint.exit_code, 0) << checkpoint.err;
  EXPECT_NE(checkpoint.out.find("The audit key was rotated at tree size "), std::string::npos)
      << checkpoint.out;
  auto from_old = hubtable({"audit", "verify", "--since", saved});
  ASSERT_EQ(from_old.exit_code, 0) << from_old.err;
  EXPECT_NE(from_old.out.find("Followed 1 rotation(s) of the audit key"), std::string::npos)
      << from_old.out;
  EXPECT_NE(from_old.out.find("Consistent with the saved checkpoint"), std::string::npos);
  auto from_new = hubtable({"audit", "verify", "--key", (keys() / "audit-signing.pub").string(),
                            "--since", saved, "--json"});
  ASSERT_EQ(from_new.exit_code, 0) << from_new.err;
  EXPECT_NE(from_new.out.find("\"key_rotations_followed\":1"), std::string::npos) << from_new.out;
  auto proved = hubtable({"audit", "prove", "3", "--checkpoint", saved});
  ASSERT_EQ(proved.exit_code, 0) << proved.err;
  auto events = hubtable({"audit", "query", "--action", "audit.key_rotated", "--json"});
  ASSERT_EQ(events.exit_code, 0) << events.err;
  EXPECT_NE(events.out.find("\"audit.key_rotated\""), std::string::npos) << events.out;
  // A stranger's key verifies nothing.
  const fs::path stranger = scratch() / "stranger.pub";
  {
    auto other = crypto::CheckpointSigner::from_private_pem(*crypto::generate_ed25519_key_pem());
    ASSERT_TRUE(other.ok());
    write_file(stranger, other->public_pem());
  }
  auto strange = hubtable({"audit", "verify", "--key", stranger.string(), "--no-report"});
  EXPECT_EQ(strange.exit_code, 1);
  EXPECT_NE(strange.err.find("nor by a key it was rotated to or from"), std::string::npos)
      << strange.err;

  ASSERT_EQ(server_.stop(), 0);
  auto offline = hubtabled({"verify-audit", "--config", config(), "--since", saved});
  ASSERT_EQ(offline.exit_code, 0) << offline.out << offline.err;

  // The retired key put back as the signing key: nothing opens with it.
  const std::string new_key = read_file(keys() / "audit-signing.key");
  write_file(keys() / "audit-signing.key", old_key);
  ::chmod((keys() / "audit-signing.key").c_str(), 0600);
  auto retired = hubtabled({"verify-audit", "--config", config()});
  EXPECT_NE(retired.exit_code, 0);
  EXPECT_NE(retired.err.find("is not the key that signs this audit log"), std::string::npos)
      << retired.err;
  write_file(keys() / "audit-signing.key", new_key);
  ::chmod((keys() / "audit-signing.key").c_str(), 0600);

  // A backup from before the rotation restores: its log is handed over from
  // the retired key to the current one again, and verifies from both.
  fs::path taken;
  for (const auto& e : fs::directory_iterator(backups)) taken = e.path();
  auto restored = hubtabled({"restore", "--config", config(), "--from", taken.string()});
  ASSERT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.out.find("handed over from the retired key"), std::string::npos)
      << restored.out;
  auto after_restore = hubtabled({"verify-audit", "--config", config()});
  ASSERT_EQ(after_restore.exit_code, 0) << after_restore.out << after_restore.err;
  server_.start();
  auto pinned_old = hubtable({"audit", "verify", "--no-report"});
  ASSERT_EQ(pinned_old.exit_code, 0) << pinned_old.err;
  EXPECT_NE(pinned_old.out.find("Followed 1 rotation(s)"), std::string::npos) << pinned_old.out;
  ASSERT_EQ(server_.stop(), 0);

  // A checkpoint the retired key signs after its rotation (a leaked key used
  // to vouch for a rewritten log) fails verification.
  {
    auto d = provision::open_deployment(server_.deployment().config_path());
    ASSERT_TRUE(d.ok()) << d.status();
    auto signer = crypto::CheckpointSigner::from_private_pem(old_key);
    ASSERT_TRUE(signer.ok());
    auto s = d->db->write([&](store::Connection& c) -> absl::Status {
      auto size = audit::append(c, audit::server_event(1795000000000000, "audit.forged", "test"));
      if (!size.ok()) return size.status();
      auto root = audit::stored_root(c, *size);
      if (!root.ok()) return root.status();
      auto cp = signer->sign({d->checkpointer.origin(), *size, *root, 1795000000000000, {}});
      if (!cp.ok()) return cp.status();
      return audit::store_checkpoint(c, *cp);
    });
    ASSERT_TRUE(s.ok()) << s;
  }
  auto forged = hubtabled({"verify-audit", "--config", config()});
  EXPECT_NE(forged.exit_code, 0);
  EXPECT_NE((forged.out + forged.err).find("is not signed by this audit key"), std::string::npos)
      << forged.out << forged.err;
}

}  // namespace
}  // namespace hubtable::testing
