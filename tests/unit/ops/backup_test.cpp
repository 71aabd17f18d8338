// Backups and restores of a deployment, in-process with an injected clock:
// what a backup holds and refuses to be, and that a restore never brings
// back identifiers whose retention ended after the backup was taken.

#include "ops/backup.h"

#include <gtest/gtest.h>

#include "audit/verify.h"
#include "ops/restore.h"
#include "store/identity_vault.h"
#include "store/situations.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

namespace fs = std::filesystem;
using hubtable::testing::write_file;

class BackupTest : public FilterTest {
 protected:
  fs::path backups() const { return dep_.scratch() / "backups"; }

  ops::BackupResult backup() {
    auto taken = ops::take_backup(deployment_, backups(), clock_);
    EXPECT_TRUE(taken.ok()) << taken.status();
    return taken.ok() ? *taken : ops::BackupResult{};
  }

  // A closed situation whose identifiers (the canary) are sealed.
  std::string closed_with_identifiers(const std::string& id) {
    EXPECT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
    EXPECT_EQ(join("rep.mh", id).status().code(), v1::OK);
    EXPECT_EQ(assign(id, "mh").status().code(), v1::OK);
    EXPECT_EQ(close_case(id, "LOWERED_CONNECTED").status().code(), v1::OK);
    return id;
  }

  std::string restore_refusal(const fs::path& from) {
    auto r = ops::restore(dep_.config_path(), from, clock_);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : std::string(r.status().message());
  }
};

TEST_F(BackupTest, ABackupIsEncryptedAuthenticatedAndAudited) {
  const std::string id = accepted();
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  auto taken = backup();
  ASSERT_TRUE(fs::is_directory(taken.dir));
  EXPECT_EQ(taken.dir.parent_path(), backups());
  EXPECT_TRUE(taken.dir.filename().string().starts_with("hubtable-"));
  // Nothing in it is plaintext: not the canary, not even SQLite's header.
  for (const char* f : {ops::kBackupDatabase, ops::kBackupKeyStore}) {
    const std::string bytes = read_file(taken.dir / f);
    ASSERT_GT(bytes.size(), 4096u) << f;
    EXPECT_EQ(bytes.find("SQLite format 3"), std::string::npos) << f;
    EXPECT_EQ(bytes.find("Canary"), std::string::npos) << f;
    EXPECT_EQ(fs::status(taken.dir / f).permissions() & fs::perms::group_all, fs::perms::none);
  }
  const std::string manifest = read_file(taken.dir / ops::kManifest);
  EXPECT_EQ(manifest.find("Canary"), std::string::npos);
  auto read = ops::read_manifest(taken.dir, deployment_.keys);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->deployment_id, deployment_.config.deployment_id);
  EXPECT_EQ(read->audit_size, taken.manifest.audit_size);
  EXPECT_EQ(read->audit_root, taken.manifest.audit_root);
  EXPECT_FALSE(read->checkpoint.empty());
  EXPECT_EQ(read->master_key_id, deployment_.keys.master_key_id);
  // Audited in the live log, after the copy.
  int audited = 0;
  for (const auto& e : audit_events()) {
    if (e.action() != "backup.created") continue;
    ++audited;
    EXPECT_EQ(e.outcome(), v1::AUDIT_OK);
    EXPECT_EQ(e.target().find(taken.dir.filename().string()), 0u) << e.target();
    EXPECT_GT(e.sequence(), taken.manifest.audit_size);
  }
  EXPECT_EQ(audited, 1);
}

TEST_F(BackupTest, ADamagedChangedOrForeignBackupIsRefusedAndChangesNothing) {
  submit_ok();
  auto taken = backup();
  const std::string before = read_file(dep_.database());
  // A flipped byte in the database copy.
  const fs::path damaged = dep_.scratch() / "damaged";
  fs::copy(taken.dir, damaged);
  std::string bytes = read_file(damaged / ops::kBackupDatabase);
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x01);
  write_file(damaged / ops::kBackupDatabase, bytes);
  EXPECT_EQ(restore_refusal(damaged),
            "backup " + damaged.string() +
                " is damaged: hubtable.db does not match its manifest (SHA-256 differs)");
  // A manifest edited to claim a shorter log.
  const fs::path edited = dep_.scratch() / "edited";
  fs::copy(taken.dir, edited);
  std::string manifest = read_file(edited / ops::kManifest);
  const std::string size = "audit_size = " + std::to_string(taken.manifest.audit_size);
  manifest.replace(manifest.find(size), size.size(), "audit_size = 3");
  write_file(edited / ops::kManifest, manifest);
  EXPECT_NE(restore_refusal(edited).find("does not authenticate"), std::string::npos);
  // A missing file; not a backup at all.
  const fs::path partial = dep_.scratch() / "partial";
  fs::copy(taken.dir, partial);
  fs::remove(partial / ops::kBackupKeyStore);
  EXPECT_NE(restore_refusal(partial).find("vault-keys.db is missing"), std::string::npos);
  EXPECT_NE(restore_refusal(dep_.root()).find("is not a hubtable backup"), std::string::npos);
  // Another deployment's backup: another master key.
  hubtable::testing::TestDeployment other{hubtable::testing::TestDeployment::Separate{}};
  auto other_d = provision::open_deployment(other.config_path());
  ASSERT_TRUE(other_d.ok());
  auto foreign = ops::take_backup(*other_d, other.scratch() / "backups", clock_);
  ASSERT_TRUE(foreign.ok()) << foreign.status();
  EXPECT_NE(restore_refusal(foreign->dir).find("was taken under master key"), std::string::npos);
  // Nothing was replaced, nothing left behind.
  EXPECT_EQ(read_file(dep_.database()), before);
  for (const auto& f : fs::directory_iterator(dep_.root() / "data")) {
    const std::string name = f.path().filename().string();
    EXPECT_FALSE(name.starts_with("restore-") || name.starts_with("before-restore-")) << name;
  }
}

TEST_F(BackupTest, ARestoreNeverBringsBackWhatRetentionShreddedAfterTheBackup) {
  const std::string id = accepted();
  const std::string kept = submit_ok();  // stays open: its identifiers must survive
  ASSERT_EQ(decide(kept, true).status().code(), v1::OK);
  closed_with_identifiers(id);
  ASSERT_EQ(identify(kept, {person("Kept Person")}).status().code(), v1::OK);
  auto taken = backup();
  {
    auto c = deployment_.db->read(
        [&](store::Connection& conn) { return store::find_wrapped_key(conn, id); });
    ASSERT_TRUE(c.ok() && c->has_value()) << "the backup holds the data key";
  }
  // Retention (30 days) ends; the live server shreds the situation.
  clock_.advance_us(31 * kDayUs);
  ASSERT_EQ(*service_.sweep(), 1);

  auto restored = ops::restore(dep_.config_path(), taken.dir, clock_);
  ASSERT_TRUE(restored.ok()) << restored.status();
  EXPECT_EQ(restored->purged, std::vector<std::string>{id});
  EXPECT_TRUE(fs::is_directory(restored->set_aside));
  ASSERT_TRUE(restored->replaced_audit_size.has_value());
  EXPECT_GT(*restored->replaced_audit_size, taken.manifest.audit_size);

  auto d = provision::open_deployment(dep_.config_path());
  ASSERT_TRUE(d.ok()) << d.status();
  auto checked = d->db->read([&](store::Connection& c) -> absl::Status {
    auto key = store::find_wrapped_key(c, id);
    if (!key.ok()) return key.status();
    EXPECT_FALSE(key->has_value()) << "the purged situation's data key came back";
    auto fields = store::list_sealed_fields(c, id);
    if (!fields.ok()) return fields.status();
    EXPECT_TRUE(fields->empty());
    auto other = store::find_wrapped_key(c, kept);
    if (!other.ok()) return other.status();
    EXPECT_TRUE(other->has_value()) << "an open situation lost its data key";
    auto verified = audit::verify_stored_log(c, d->checkpointer.signer()->verifier(), std::nullopt);
    if (!verified.ok()) return verified.status();
    EXPECT_FALSE(verified->problem().has_value());
    return absl::OkStatus();
  });
  ASSERT_TRUE(checked.ok()) << checked;
  const auto events = hubtable::testing::read_audit_events(*d->db);
  bool restored_event = false;
  bool purged_after = false;
  for (const auto& e : events) {
    if (e.action() == "backup.restored") restored_event = true;
    if (e.action() == "vault.purge" && e.situation() == id &&
        e.sequence() > taken.manifest.audit_size) {
      purged_after = true;
    }
  }
  EXPECT_TRUE(restored_event);
  EXPECT_TRUE(purged_after);
  // The canary is nowhere in the restored files.
  for (const auto& f : fs::directory_iterator(dep_.root() / "data")) {
    if (f.is_regular_file()) {
      EXPECT_EQ(read_file(f.path()).find("Canary"), std::string::npos);
    }
  }
}

TEST_F(BackupTest, PruningKeepsTheNewestBackups) {
  std::vector<fs::path> dirs;
  for (int i = 0; i < 4; ++i) {
    dirs.push_back(backup().dir);
    clock_.advance_us(kMinuteUs);
  }
  // An interrupted backup's directory is not a backup and is tidied away.
  fs::create_directories(backups() / ".hubtable-20200101T000000Z.partial");
  EXPECT_EQ(ops::list_backups(backups()), dirs);
  auto removed = ops::prune_backups(backups(), 2);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(*removed, (std::vector<fs::path>{dirs[0], dirs[1]}));
  EXPECT_EQ(ops::list_backups(backups()), (std::vector<fs::path>{dirs[2], dirs[3]}));
  backup();
  EXPECT_FALSE(fs::exists(backups() / ".hubtable-20200101T000000Z.partial"));
}

}  // namespace
}  // namespace hubtable::api
