// What an erasure removes is nowhere: not in any page of the database, not
// in any frame of its WAL, not in the key store, read as someone holding the
// master key would read them (tests/support/sqlcipher_pages.h), live rows or
// not.

#include "crypto/hkdf.h"
#include "store/identity_vault.h"
#include "tests/support/sqlcipher_pages.h"
#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

namespace fs = std::filesystem;
using hubtable::testing::decrypt_database_pages;
using hubtable::testing::decrypt_wal_frames;

constexpr const char* kCanaryNarrative =
    "Missed school for weeks; zqvlorbitcanary was seen walking alone at night.";

class ErasureTest : public FilterTest {
 protected:
  crypto::SecretBytes key(std::string_view label) {
    const std::string master = read_file(dep_.root() / "keys/master.key");
    return *crypto::derive_subkey(crypto::SecretBytes(crypto::as_bytes(master)), label);
  }
  fs::path keystore() { return dep_.root() / "data/vault-keys.db"; }

  // Every byte an attacker with the master key could read back.
  std::string every_page() {
    const auto db_key = key(crypto::kDatabaseKeyLabel);
    const auto ks_key = key(crypto::kKeyStoreLabel);
    return decrypt_database_pages(dep_.database(), db_key) +
           decrypt_wal_frames(dep_.database().string() + "-wal", db_key) +
           decrypt_database_pages(keystore(), ks_key);
  }
  // The canary narrative, submitted to the open scheduled meeting with its
  // originator checked in; its id ("" on failure).
  std::string canary_at_open_meeting() {
    clock_.advance_us(105 * kMinuteUs);
    if (open().status().code() != v1::OK || check_in("rep.police").status().code() != v1::OK) {
      return "";
    }
    const auto r = submit("rep.police", submission(kCanaryNarrative));
    EXPECT_EQ(r.status().code(), v1::OK) << r.status().message();
    return r.submit_situation().situation().id();
  }
  static bool holds(const std::string& pages, std::string_view needle) {
    return pages.find(needle) != std::string::npos;
  }
  static std::string_view bytes_of(const crypto::Bytes& b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
  }
};

TEST_F(ErasureTest, TheDecryptionReadsThisDeploymentsPages) {
  const auto summary =
      hubtable::testing::database_header_summary(dep_.database(), key(crypto::kDatabaseKeyLabel));
  EXPECT_EQ(summary, "4096/48");
}

TEST_F(ErasureTest, ARejectedNarrativeIsInNoPageOfTheDatabaseOrItsWal) {
  const std::string id = canary_at_open_meeting();
  ASSERT_FALSE(id.empty());
  // Shown and decided: the narrative has been read and its pages rewritten.
  ASSERT_EQ(show("chair.one", id).status().code(), v1::OK);
  ASSERT_TRUE(holds(every_page(), "zqvlorbitcanary")) << "the pages are read correctly";
  ASSERT_EQ(decide(id, false, "NOT_AER").status().code(), v1::OK);
  // Held while the meeting is open, so that the decision can be corrected;
  // erased when it closes.
  ASSERT_TRUE(holds(every_page(), "zqvlorbitcanary"));
  const auto closed = close();
  ASSERT_EQ(closed.status().code(), v1::OK) << closed.status().message();
  EXPECT_EQ(closed.close_meeting().rejections_erased(), 1u);
  EXPECT_FALSE(holds(every_page(), "zqvlorbitcanary"));
  EXPECT_EQ(fs::file_size(dep_.database().string() + "-wal"), 0u) << "the WAL was truncated";
}

TEST_F(ErasureTest, ARejectionErasedAtOnceIsInNoPageAndStands) {
  const std::string id = canary_at_open_meeting();
  ASSERT_FALSE(id.empty());
  ASSERT_EQ(show("chair.one", id).status().code(), v1::OK);
  v1::Request reject;
  reject.mutable_decide_situation()->set_id(id);
  reject.mutable_decide_situation()->set_reject_reason("NOT_AER");
  reject.mutable_decide_situation()->set_erase_now(true);
  ASSERT_EQ(as("chair.one", reject).status().code(), v1::OK);
  EXPECT_FALSE(holds(every_page(), "zqvlorbitcanary"));
  EXPECT_EQ(fs::file_size(dep_.database().string() + "-wal"), 0u) << "the WAL was truncated";
  v1::Request undo;
  undo.mutable_decide_situation()->set_id(id);
  undo.mutable_decide_situation()->set_undecided(true);
  undo.mutable_decide_situation()->set_correct(true);
  EXPECT_EQ(as("chair.one", undo).status().rule(), "decide.erased");
}

TEST_F(ErasureTest, AWithdrawnNarrativeIsInNoPageOfTheDatabaseOrItsWal) {
  const auto r = submit("rep.police", submission(kCanaryNarrative));
  ASSERT_EQ(r.status().code(), v1::OK) << r.status().message();
  const std::string id = r.submit_situation().situation().id();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(show("rep.police", id).status().code(), v1::OK);
  ASSERT_TRUE(holds(every_page(), "zqvlorbitcanary"));
  ASSERT_EQ(withdraw("rep.police", id).status().code(), v1::OK);
  EXPECT_FALSE(holds(every_page(), "zqvlorbitcanary"));
}

TEST_F(ErasureTest, APurgedKeyAndItsSealedFieldsAreInNoPageOfEitherFile) {
  const std::string id = accepted();
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "mh").status().code(), v1::OK);
  ASSERT_EQ(plan("rep.mh", id, "visit planned with the family").status().code(), v1::OK);
  auto wrapped =
      deployment_.db->read([&](store::Connection& c) { return store::find_wrapped_key(c, id); });
  auto sealed =
      deployment_.db->read([&](store::Connection& c) { return store::list_sealed_fields(c, id); });
  ASSERT_TRUE(wrapped.ok() && wrapped->has_value());
  ASSERT_TRUE(sealed.ok());
  ASSERT_EQ(sealed->size(), 4u);
  std::string pages = every_page();
  ASSERT_TRUE(holds(pages, bytes_of(**wrapped))) << "the key store's pages are read correctly";
  for (const auto& f : *sealed) ASSERT_TRUE(holds(pages, bytes_of(f.sealed))) << f.field;

  ASSERT_EQ(close_case(id, "LOWERED_CONNECTED").status().code(), v1::OK);
  clock_.advance_us(31 * kDayUs);
  ASSERT_EQ(*service_.sweep(), 1);
  pages = every_page();
  EXPECT_FALSE(holds(pages, bytes_of(**wrapped))) << "the wrapped data key survives";
  for (const auto& f : *sealed) EXPECT_FALSE(holds(pages, bytes_of(f.sealed))) << f.field;
  EXPECT_FALSE(fs::exists(keystore().string() + "-journal"));
}

}  // namespace
}  // namespace hubtable::api
