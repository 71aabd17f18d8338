#include "store/vocabulary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>

#include "store/database.h"
#include "store/transaction.h"
#include "tests/support/temp_dir.h"

namespace hubtable::store {
namespace {

using hubtable::testing::TempDir;

VocabularyQuery of_kind(const std::string& kind) {
  VocabularyQuery q;
  q.kind = kind;
  return q;
}

class VocabularyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::SecretBytes k(32);
    auto db = Database::open((dir_.path() / "v.db").string(), k, 1, OpenMode::kCreate);
    ASSERT_TRUE(db.ok());
    db_ = std::move(*db);
    ASSERT_EQ(sync(), 205);
    ASSERT_TRUE(db_->write([](Connection& c) -> absl::Status {
                     TableRow t{"t1", "Table One", "UTC", {{2, 600, 90}}, {}};
                     auto r = upsert_table(c, t, 1);
                     if (!r.ok()) return r.status();
                     TableRow t2{"t2", "Table Two", "UTC", {{4, 600, 90}}, {}};
                     return upsert_table(c, t2, 1).status();
                   })
                    .ok());
  }

  int sync() {
    return *db_->write([](Connection& c) { return sync_default_vocabularies(c); });
  }

  std::vector<VocabularyRow> list(VocabularyQuery q) {
    return *db_->read([&](Connection& c) { return list_vocabulary(c, q); });
  }

  absl::Status exec(const std::string& sql) {
    return db_->write([&](Connection& c) { return c.exec(sql); });
  }

  // Adds "Vanished Program" (study flag GONE) to `table` in a transaction
  // that then rolls back, running `look` on its connection before it does.
  void add_then_roll_back(const std::string& table, const std::function<void(Connection&)>& look) {
    ASSERT_TRUE(db_->write([&](Connection& c) -> absl::Status {
                     Transaction tx(c, Transaction::Kind::kWrite);
                     if (!tx.status().ok()) return tx.status();
                     const VocabularyRow gone{"study_flag", "GONE", "Vanished Program", "", "",
                                              table,        false};
                     auto u = upsert_table_vocabulary(c, table, gone);
                     if (!u.ok()) return u.status();
                     look(c);
                     return absl::OkStatus();  // not committed
                   })
                    .ok());
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(VocabularyTest, DefaultsMatchTheDomainVocabularies) {
  std::map<std::string, int> counts;
  for (const auto& row : list({})) ++counts[row.kind];
  EXPECT_EQ(counts["risk_category"], 27);
  EXPECT_EQ(counts["risk_factor"], 89);
  EXPECT_EQ(counts["sector"], 20);
  EXPECT_EQ(counts["legal_authority"], 6);
  EXPECT_EQ(counts.size(), vocabulary_kinds().size());
  auto factors = list(of_kind("risk_factor"));
  EXPECT_EQ(factors.front().code, "ALC-USE");
  EXPECT_EQ(factors.front().parent, "ALC");
  auto services = list(of_kind("service"));
  EXPECT_EQ(services.size(), 16u);  // services.csv has quoted fields
}

TEST_F(VocabularyTest, SyncIsIdempotentRestoresLabelsAndRetiresDroppedCodes) {
  EXPECT_EQ(sync(), 0);
  ASSERT_TRUE(exec("UPDATE vocabulary SET label = 'x' WHERE kind = 'gender' AND code = 'F'").ok());
  EXPECT_EQ(sync(), 1);
  EXPECT_EQ(list(of_kind("gender")).front().label, "Female");
  ASSERT_TRUE(
      exec("INSERT INTO vocabulary (kind, code, label) VALUES ('gender', 'OLD', 'Old')").ok());
  EXPECT_EQ(sync(), 1);
  EXPECT_EQ(list(of_kind("gender")).size(), 4u);  // retired codes are hidden...
  VocabularyQuery all = of_kind("gender");
  all.include_retired = true;
  auto with_retired = list(all);
  ASSERT_EQ(with_retired.size(), 5u);  // ...but never deleted
  EXPECT_TRUE(with_retired.back().retired);
  EXPECT_EQ(sync(), 0);
}

TEST_F(VocabularyTest, TablesAddTheirOwnCodesButCannotRedefineDefaults) {
  VocabularyRow flag{"study_flag", "FLOOD", "Flood related", "", "", "t1", false};
  auto upsert = [&](const std::string& table, const VocabularyRow& row) {
    return db_->write([&](Connection& c) { return upsert_table_vocabulary(c, table, row); });
  };
  EXPECT_EQ(*upsert("t1", flag), Upsert::kCreated);
  EXPECT_EQ(*upsert("t1", flag), Upsert::kUnchanged);
  flag.label = "Flood displacement";
  EXPECT_EQ(*upsert("t1", flag), Upsert::kUpdated);
  VocabularyRow clash{"study_flag", "OPIOIDS", "Mine", "", "", "t1", false};
  EXPECT_EQ(upsert("t1", clash).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(upsert("nope", flag).status().code(), absl::StatusCode::kNotFound);

  VocabularyQuery t1 = of_kind("study_flag");
  t1.table_codes = {"t1"};
  EXPECT_EQ(list(t1).back().code, "FLOOD");
  VocabularyQuery t2 = of_kind("study_flag");
  t2.table_codes = {"t2"};
  for (const auto& row : list(t2)) EXPECT_NE(row.code, "FLOOD");

  auto has = [&](const std::string& kind, const std::string& code, const std::string& table) {
    return *db_->read([&](Connection& c) { return vocabulary_has(c, kind, code, table); });
  };
  EXPECT_TRUE(has("sector", "POLICE", ""));
  EXPECT_FALSE(has("sector", "WIZARDS", ""));
  EXPECT_TRUE(has("study_flag", "FLOOD", "t1"));
  EXPECT_FALSE(has("study_flag", "FLOOD", "t2"));
}

// The live entries are read once per connection and kept while the
// reference data stay unchanged: a code's check then costs no query, and
// any change (a new code, a retired one, a table's code changed, a change
// rolled back) is seen by the next check.
TEST_F(VocabularyTest, LiveEntriesAreKeptUntilTheReferenceDataChange) {
  std::uint64_t steps = 0;
  auto has = [&](const std::string& kind, const std::string& code, const std::string& table) {
    return *db_->write([&](Connection& c) {
      const std::uint64_t before = c.statement_steps();
      auto out = vocabulary_has(c, kind, code, table);
      steps = c.statement_steps() - before;
      return out;
    });
  };
  EXPECT_TRUE(has("risk_factor", "ALC-USE", "t1"));
  const std::uint64_t read_steps = steps;
  EXPECT_TRUE(has("risk_factor", "ALC-USE", ""));
  EXPECT_FALSE(has("risk_factor", "alc-use", "t1"));
  EXPECT_FALSE(has("gender", "ALC-USE", "t1"));
  EXPECT_LT(steps * 20, read_steps) << "kept: " << steps << " steps, read: " << read_steps;

  VocabularyRow flag{"study_flag", "FLOOD", "Flood related", "", "", "t1", false};
  ASSERT_TRUE(
      db_->write([&](Connection& c) { return upsert_table_vocabulary(c, "t1", flag); }).ok());
  EXPECT_TRUE(has("study_flag", "FLOOD", "t1"));
  EXPECT_FALSE(has("study_flag", "FLOOD", "t2"));
  EXPECT_FALSE(has("study_flag", "FLOOD", ""));
  ASSERT_TRUE(exec("UPDATE situation_tables SET code = 't9' WHERE code = 't1'").ok());
  EXPECT_FALSE(has("study_flag", "FLOOD", "t1"));
  EXPECT_TRUE(has("study_flag", "FLOOD", "t9"));
  ASSERT_TRUE(exec("UPDATE vocabulary SET retired = 1 WHERE code = 'ALC-USE'").ok());
  EXPECT_FALSE(has("risk_factor", "ALC-USE", "t9"));

  // Read inside a transaction that then rolls back: the next check, on the
  // same connection, does not see the code.
  ASSERT_NO_FATAL_FAILURE(add_then_roll_back("t9", [](Connection& c) {
    auto seen = vocabulary_has(c, "study_flag", "GONE", "t9");
    ASSERT_TRUE(seen.ok()) << seen.status();
    EXPECT_TRUE(*seen);
  }));
  EXPECT_FALSE(has("study_flag", "GONE", "t9"));
  EXPECT_TRUE(has("study_flag", "FLOOD", "t9"));
}

// The scanner's allowed phrases are read once per connection and kept while
// the reference data stay unchanged; any change, a rename included, is seen
// by the next call, and a change rolled back leaves nothing of itself.
TEST_F(VocabularyTest, AllowedPhrasesAreKeptUntilTheReferenceDataChange) {
  std::uint64_t steps = 0;
  const domain::DeidAllowList* last = nullptr;
  auto phrases = [&](const std::string& table) {
    return *db_->write([&](Connection& c) -> absl::StatusOr<std::vector<std::string>> {
      const std::uint64_t before = c.statement_steps();
      auto out = deid_allow_list(c, {table});
      steps = c.statement_steps() - before;
      if (!out.ok()) return out.status();
      last = out->get();
      return (*out)->phrases();
    });
  };
  auto holds = [](const std::vector<std::string>& v, const std::string& phrase) {
    return std::find(v.begin(), v.end(), phrase) != v.end();
  };
  const auto first = phrases("t1");
  const std::uint64_t read_steps = steps;
  const domain::DeidAllowList* const made = last;
  EXPECT_TRUE(holds(first, "Table One"));
  EXPECT_EQ(phrases("t1"), first);
  EXPECT_LT(steps * 20, read_steps) << "kept: " << steps << " steps, read: " << read_steps;
  EXPECT_EQ(last, made) << "a kept list is shared, not made again";

  VocabularyRow flag{"study_flag", "FLOOD", "Flood related", "", "", "t1", false};
  ASSERT_TRUE(
      db_->write([&](Connection& c) { return upsert_table_vocabulary(c, "t1", flag); }).ok());
  EXPECT_TRUE(holds(phrases("t1"), "Flood related"));
  EXPECT_FALSE(holds(phrases("t2"), "Flood related"));
  ASSERT_TRUE(exec("UPDATE situation_tables SET name = 'Riverside Hub' WHERE code = 't1'").ok());
  EXPECT_TRUE(holds(phrases("t1"), "Riverside Hub"));
  EXPECT_FALSE(holds(phrases("t1"), "Table One"));

  // Read inside a transaction that then rolls back: the next call, on the
  // same connection, does not see the label.
  ASSERT_NO_FATAL_FAILURE(add_then_roll_back("t1", [&](Connection& c) {
    auto seen = deid_allow_list(c, {"t1"});
    ASSERT_TRUE(seen.ok()) << seen.status();
    EXPECT_TRUE(holds((*seen)->phrases(), "Vanished Program"));
  }));
  EXPECT_FALSE(holds(phrases("t1"), "Vanished Program"));
  EXPECT_TRUE(holds(phrases("t1"), "Flood related"));
}

}  // namespace
}  // namespace hubtable::store
