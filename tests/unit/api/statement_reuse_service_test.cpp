// Issue 20: no SQL is compiled on the request path. Once each kind of
// request has run, running it again compiles nothing: every statement comes
// from its connection's cache (store::Connection::prepare).

#include <algorithm>
#include <cstdint>

#include "tests/unit/api/filter_fixture.h"

namespace hubtable::api {
namespace {

TEST_F(FilterTest, RequestsRunAgainCompileNoStatement) {
  const std::string id = accepted();
  ASSERT_EQ(identify(id, {person(kCanaryName)}).status().code(), v1::OK);
  ASSERT_EQ(join("rep.mh", id).status().code(), v1::OK);
  ASSERT_EQ(assign(id, "mh").status().code(), v1::OK);
  ASSERT_EQ(check_in("rep.mh").status().code(), v1::OK);
  // The load generator's mix, and a lead's work on the situation.
  auto requests = [&] {
    EXPECT_EQ(show("rep.police", id).status().code(), v1::OK);
    EXPECT_EQ(list("rep.police").status().code(), v1::OK);
    EXPECT_EQ(agenda("rep.mh").status().code(), v1::OK);
    EXPECT_EQ(reveal("rep.mh", id).status().code(), v1::OK);
    EXPECT_FALSE(submit_ok().empty());  // a late addition to the open meeting
    EXPECT_EQ(plan("rep.mh", id, "a note").status().code(), v1::OK);
  };
  requests();
  const std::uint64_t compiled = deployment_.db->statements_compiled();
  ASSERT_GT(compiled, 0u);
  requests();
  requests();
  EXPECT_EQ(deployment_.db->statements_compiled(), compiled);
}

// A late addition costs the same whatever the open meeting's agenda already
// holds: no statement on a submission's path visits every item. Counted in
// SQLite's virtual-machine steps, the fewest of four submissions (the audit
// tree completes a different number of parents for each event).
TEST_F(FilterTest, ALateAdditionCostsTheSameWhateverTheAgendaHolds) {
  accepted();  // the meeting is open: each submission joins its agenda
  auto steps = [&] {
    std::uint64_t fewest = UINT64_MAX;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t before = deployment_.db->statement_steps();
      EXPECT_FALSE(submit_ok().empty());
      fewest = std::min(fewest, deployment_.db->statement_steps() - before);
    }
    return fewest;
  };
  const std::uint64_t few_items = steps();
  for (int i = 0; i < 300; ++i) ASSERT_FALSE(submit_ok().empty());
  const std::uint64_t many_items = steps();
  ASSERT_GT(few_items, 0u);
  EXPECT_LE(many_items, few_items + few_items / 20)
      << "steps per submission with 6 agenda items: " << few_items << ", with 306: " << many_items;
}

}  // namespace
}  // namespace hubtable::api
