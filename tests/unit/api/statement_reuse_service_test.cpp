// Issue 20: no SQL is compiled on the request path. Once each kind of
// request has run, running it again compiles nothing: every statement comes
// from its connection's cache (store::Connection::prepare).

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

}  // namespace
}  // namespace hubtable::api
