// The request table declares every request kind once (api/request_table.h).

#include <set>

#include "tests/unit/api/service_fixture.h"

namespace hubtable::api {
namespace {

namespace pb = google::protobuf;

const pb::OneofDescriptor& kinds() { return *v1::Request::descriptor()->FindOneofByName("kind"); }

TEST_F(ServiceTest, EveryRequestKindHasExactlyOneRow) {
  const RequestTable& table = service_.requests();
  std::set<int> rows;
  for (const Route& r : table.rows()) {
    EXPECT_TRUE(rows.insert(static_cast<int>(r.kind)).second) << "two rows for kind " << r.kind;
  }
  const pb::OneofDescriptor& oneof = kinds();
  for (int i = 0; i < oneof.field_count(); ++i) {
    const pb::FieldDescriptor* f = oneof.field(i);
    const Route* route = table.find(static_cast<Route::Kind>(f->number()));
    ASSERT_NE(route, nullptr) << f->name() << " has no row in the request table";
    EXPECT_EQ(static_cast<int>(route->kind), f->number()) << f->name();
  }
  EXPECT_EQ(rows.size(), static_cast<std::size_t>(oneof.field_count()))
      << "a row names a kind the protocol does not have";
  EXPECT_EQ(table.find(v1::Request::KIND_NOT_SET), nullptr);
}

TEST_F(ServiceTest, EveryRowsRequestHasTheFieldItsSubjectIsReadFrom) {
  for (const Route& r : service_.requests().rows()) {
    const pb::FieldDescriptor* kind = v1::Request::descriptor()->FindFieldByNumber(r.kind);
    ASSERT_NE(kind, nullptr);
    const std::string field = subject_field(r.subject);
    if (field.empty()) continue;
    const pb::FieldDescriptor* f = kind->message_type()->FindFieldByName(field);
    if (f == nullptr && r.subject == Subject::kCallerTables) continue;  // optional: every table
    ASSERT_NE(f, nullptr) << kind->name() << " has no field `" << field << "` for its subject";
    if (field == "ref") {
      EXPECT_EQ(f->message_type(), v1::MeetingRef::descriptor()) << kind->name();
    } else if (field == "scope") {
      EXPECT_EQ(f->message_type(), v1::ReportScope::descriptor()) << kind->name();
    } else {
      EXPECT_EQ(f->type(), pb::FieldDescriptor::TYPE_STRING) << kind->name();
    }
  }
}

TEST_F(ServiceTest, EveryRowButLoginNamesAnActionAndAHandler) {
  for (const Route& r : service_.requests().rows()) {
    const bool login = r.kind == v1::Request::kLogin;
    EXPECT_EQ(r.run == Run::kBeforeSession, login) << r.kind;
    EXPECT_EQ(r.action.has_value(), !login) << r.kind;
    EXPECT_EQ(static_cast<bool>(r.handler), !login) << r.kind;
    EXPECT_EQ(static_cast<bool>(r.before_session), login) << r.kind;
  }
}

TEST_F(ServiceTest, EveryPolicyActionIsReachedThroughTheTable) {
  // The rows' own actions, and the ones their requests pick.
  std::set<domain::Action> reached;
  for (const Route& r : service_.requests().rows()) {
    if (r.action) reached.insert(*r.action);
  }
  v1::Request reveal;
  reveal.mutable_reveal_situation()->set_break_glass_justification("the reason");
  v1::Request plan_read;
  plan_read.mutable_plan_situation();
  v1::Request open_data;
  open_data.mutable_report_summary()->set_public_view(true);
  for (const v1::Request* r : {&reveal, &plan_read, &open_data}) {
    const Route* route = service_.requests().find(r->kind_case());
    ASSERT_NE(route, nullptr);
    reached.insert(route->variant(*r).action);
  }
  EXPECT_EQ(service_.requests().find(reveal.kind_case())->variant(reveal).run, Run::kWrite)
      << "break-glass writes its sealed justification";
  for (domain::Action a : domain::all_actions()) {
    EXPECT_TRUE(reached.count(a)) << domain::action_name(a) << " is reached by no request";
  }
}

}  // namespace
}  // namespace hubtable::api
