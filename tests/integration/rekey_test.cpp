// `hubtabled rekey` killed at each of its steps (kill -9, at a crash point
// the test names): the deployment opens with one of the two keys, and with
// either nothing is lost: the canary's identifiers open, its blind index
// matches, the authenticator secrets and the break-glass justification open,
// the audit log verifies. Then a rotation run to its end moves to a third
// key and the same holds.

#include <gtest/gtest.h>

#include "audit/verify.h"
#include "crypto/totp.h"
#include "domain/identity.h"
#include "store/identity_vault.h"
#include "tests/integration/process.h"
#include "tests/support/build_paths.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

namespace fs = std::filesystem;
using hubtable::testing::CommandResult;
using hubtable::testing::hubtabled_path;
using hubtable::testing::run_command;

constexpr const char* kWhy = "A named threat to the person, reported by the school tonight.";

class RekeyCrash : public FilterTest, public ::testing::WithParamInterface<const char*> {
 protected:
  void SetUp() override {
    id_ = accepted();
    ASSERT_EQ(identify(id_, {person(kCanaryName)}).status().code(), v1::OK);
    v1::Request r;
    r.mutable_reveal_situation()->set_id(id_);
    r.mutable_reveal_situation()->set_break_glass_justification(kWhy);
    ASSERT_EQ(as("po.one", r).status().code(), v1::OK);
    events_before_ = audit_events().size();
  }

  CommandResult rekey(const std::string& crash_at = "") {
    std::map<std::string, std::string> env;
    if (!crash_at.empty()) env["HUBTABLE_CRASH_AT"] = crash_at;
    return run_command({hubtabled_path(), "rekey", "--config", dep_.config_path().string()}, env);
  }

  std::string key() const { return read_file(dep_.root() / "keys/master.key"); }

  // Everything the master key sealed opens with the key the deployment now has.
  void expect_nothing_lost() {
    auto d = provision::open_deployment(dep_.config_path());
    ASSERT_TRUE(d.ok()) << d.status();
    auto checked = d->db->read([&](store::Connection& c) -> absl::Status {
      auto wrapped = store::find_wrapped_key(c, id_);
      if (!wrapped.ok()) return wrapped.status();
      EXPECT_TRUE(wrapped->has_value());
      if (!wrapped->has_value()) return absl::OkStatus();
      auto dek = d->vault.unwrap(**wrapped, id_);
      if (!dek.ok()) return dek.status();
      auto fields = store::list_sealed_fields(c, id_);
      if (!fields.ok()) return fields.status();
      bool named = false;
      for (const auto& f : *fields) {
        if (f.field != "name") continue;
        auto name = crypto::open_field(*dek, id_, store::person_field(0, "name"), f.sealed);
        if (!name.ok()) return name.status();
        named = std::string(name->view().begin(), name->view().end()) == kCanaryName;
      }
      EXPECT_TRUE(named) << "the canary's name does not open";
      domain::Person p{kCanaryName, "2010-03-14", "", "", {}};
      auto digests = store::blind_indexes_of(c, id_);
      if (!digests.ok()) return digests.status();
      EXPECT_EQ(*digests,
                std::vector<crypto::Digest>{d->vault.blind_index(domain::identity_key(p))});
      auto secrets = c.prepare(
          "SELECT id, totp_secret_sealed FROM users "
          "WHERE totp_secret_sealed IS NOT NULL");
      if (!secrets.ok()) return secrets.status();
      int opened = 0;
      auto st = secrets->for_each_row([&](const store::Statement& row) {
        const std::string aad = crypto::totp_associated_data(row.integer(0));
        opened += d->totp_sealer.open(row.blob(1), crypto::as_bytes(aad)).ok() ? 1 : 0;
      });
      if (!st.ok()) return st;
      EXPECT_GE(opened, 3) << "authenticator secrets (chair, privacy officer, admin)";
      auto glass = store::find_break_glass(c, 1);
      if (!glass.ok()) return glass.status();
      EXPECT_TRUE(glass->has_value());
      if (glass->has_value()) {
        const auto& b = **glass;
        auto why = d->vault.open_justification(
            store::break_glass_context(b.situation_id, b.user_id, b.created_us), b.sealed);
        EXPECT_TRUE(why.ok()) << why.status();
      }
      auto verified =
          audit::verify_stored_log(c, d->checkpointer.signer()->verifier(), std::nullopt);
      if (!verified.ok()) return verified.status();
      EXPECT_FALSE(verified->problem().has_value()) << verified->problem()->what;
      EXPECT_GE(verified->size(), events_before_);
      return absl::OkStatus();
    });
    ASSERT_TRUE(checked.ok()) << checked;
    for (const auto& f : fs::directory_iterator(dep_.root() / "data")) {
      if (f.is_regular_file()) {
        EXPECT_EQ(read_file(f.path()).find("Canary"), std::string::npos) << f.path();
      }
    }
  }

  std::string id_;
  std::size_t events_before_ = 0;
};

TEST_P(RekeyCrash, KilledAtThisStepTheDeploymentOpensWithOneOfTheTwoKeysAndLosesNothing) {
  const std::string step = GetParam();
  const std::string old_key = key();
  auto killed = rekey(step);
  ASSERT_EQ(killed.exit_code, -1) << "the crash point " << step
                                  << " was not reached: " << killed.err;
  // Opening finishes or undoes the rotation.
  expect_nothing_lost();
  const std::string now_key = key();
  const bool committed =
      step != "rekey.key_written" && step != "rekey.database_copied" && step != "rekey.converted";
  EXPECT_EQ(now_key == old_key, !committed) << step;
  for (const char* debris : {"keys/master.key.next", "keys/rekey.commit", "data/hubtable.db.next",
                             "data/vault-keys.db.next"}) {
    EXPECT_FALSE(fs::exists(dep_.root() / debris)) << debris;
  }
  // And a rotation run to its end afterwards moves to a third key.
  auto done = rekey();
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_NE(done.out.find("master key rotated"), std::string::npos);
  EXPECT_NE(key(), now_key);
  EXPECT_NE(key(), old_key);
  expect_nothing_lost();
  int rotations = 0;
  auto d = provision::open_deployment(dep_.config_path());
  ASSERT_TRUE(d.ok());
  for (const auto& e : hubtable::testing::read_audit_events(*d->db)) {
    if (e.action() == "key.master_rotated") ++rotations;
  }
  EXPECT_EQ(rotations, committed ? 2 : 1);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, RekeyCrash,
                         ::testing::Values("rekey.key_written", "rekey.database_copied",
                                           "rekey.converted", "rekey.committed",
                                           "rekey.old_set_aside", "rekey.new_in_place",
                                           "rekey.key_switched"),
                         [](const auto& step) {
                           std::string name = step.param;
                           return name.substr(name.find('.') + 1);
                         });

// `hubtabled rekey --audit-signing-key` killed at each of its steps: the
// deployment opens, the key that signs is the old one before the rotation
// committed in the log and the new one after, and the log, with a checkpoint
// signed after the crash, verifies from the original key. A rotation run to
// its end afterwards finishes the files and rotates once more.
class AuditRekeyCrash : public FilterTest, public ::testing::WithParamInterface<const char*> {
 protected:
  CommandResult rekey(const std::string& crash_at = "") {
    std::map<std::string, std::string> env;
    if (!crash_at.empty()) env["HUBTABLE_CRASH_AT"] = crash_at;
    return run_command(
        {hubtabled_path(), "rekey", "--audit-signing-key", "--config", dep_.config_path().string()},
        env);
  }

  // The log, from the key the deployment started with; the rotations followed.
  std::uint64_t rotations_from(const crypto::CheckpointVerifier& original) {
    auto d = provision::open_deployment(dep_.config_path());
    EXPECT_TRUE(d.ok()) << d.status();
    if (!d.ok()) return 0;
    EXPECT_TRUE(
        provision::record_event(*d, provision::local_event(clock_, "test.after_crash", "test.rule"))
            .ok());
    EXPECT_TRUE(provision::checkpoint_on_exit(*d, clock_).ok());
    auto verified = d->db->read(
        [&](store::Connection& c) { return audit::verify_stored_log(c, original, std::nullopt); });
    EXPECT_TRUE(verified.ok()) << verified.status();
    if (!verified.ok()) return 0;
    EXPECT_FALSE(verified->problem().has_value()) << verified->problem()->what;
    EXPECT_EQ(verified->signed_size(), verified->size());
    return verified->rotations_verified();
  }
};

TEST_P(AuditRekeyCrash, KilledAtThisStepTheLogVerifiesFromTheOriginalKeyAndTheRightKeySigns) {
  const std::string step = GetParam();
  const fs::path keys = dep_.root() / "keys";
  auto original = crypto::CheckpointSigner::from_private_pem(read_file(keys / "audit-signing.key"));
  ASSERT_TRUE(original.ok());
  auto killed = rekey(step);
  ASSERT_EQ(killed.exit_code, -1) << "the crash point " << step
                                  << " was not reached: " << killed.err;
  const bool committed = step != "audit_rekey.key_written";
  {
    auto d = provision::open_deployment(dep_.config_path());
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->checkpointer.signer()->public_key() == original->public_key(), !committed) << step;
  }
  EXPECT_EQ(rotations_from(original->verifier()), committed ? 1U : 0U);
  auto done = rekey();
  ASSERT_EQ(done.exit_code, 0) << done.err;
  EXPECT_FALSE(fs::exists(keys / "audit-signing.key.next"));
  EXPECT_EQ(rotations_from(original->verifier()), committed ? 2U : 1U);
}

INSTANTIATE_TEST_SUITE_P(EveryStep, AuditRekeyCrash,
                         ::testing::Values("audit_rekey.key_written", "audit_rekey.committed",
                                           "audit_rekey.moved"),
                         [](const auto& step) {
                           std::string name = step.param;
                           return name.substr(name.find('.') + 1);
                         });

}  // namespace
}  // namespace hubtable::api
