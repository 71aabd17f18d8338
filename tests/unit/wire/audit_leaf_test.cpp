#include "wire/audit_leaf.h"

#include <google/protobuf/stubs/logging.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "hubtable/v1/audit.pb.h"

namespace hubtable::wire {
namespace {

hubtable::v1::AuditEvent full_event(std::uint64_t seq) {
  hubtable::v1::AuditEvent e;
  e.set_sequence(seq);
  e.set_time_us(1'790'000'000'000'000);
  e.set_action("situation.reveal");
  e.set_outcome(hubtable::v1::AUDIT_OK);
  e.set_rule("record.identified");
  e.set_table("riverside");
  e.set_situation("7K2M9-X4Q1D");
  e.add_data_elements("identity");
  e.set_filter_stage(3);
  e.set_request_id(77);
  auto* a = e.mutable_actor();
  a->set_user_id(12);
  a->set_username("rep.rps.okafor");
  a->set_agency("rps");
  a->set_role(hubtable::v1::REP);
  a->set_remote_address("192.0.2.10");
  e.mutable_report()->add_tables("riverside");
  auto* r = e.add_rejected();
  r->set_rule("limits.frame_size");
  r->set_count(3);
  return e;
}

std::optional<std::uint64_t> parsed_sequence(const std::string& bytes) {
  hubtable::v1::AuditEvent e;
  if (!e.ParseFromString(bytes)) return std::nullopt;
  return e.sequence();
}

std::optional<std::uint64_t> walked_sequence(const std::string& bytes) {
  return audit_event_sequence(bytes.data(), bytes.size());
}

TEST(AuditLeaf, ReadsTheSequenceAProtobufParseReads) {
  for (std::uint64_t seq : {std::uint64_t{1}, std::uint64_t{127}, std::uint64_t{128},
                            std::uint64_t{1} << 35, ~std::uint64_t{0}}) {
    const std::string bytes = full_event(seq).SerializeAsString();
    EXPECT_EQ(walked_sequence(bytes), seq);
    EXPECT_EQ(audit_event_problem(seq, bytes.data(), bytes.size()), std::nullopt);
  }
  // An empty message is a readable event 0 (which no log position is).
  EXPECT_EQ(walked_sequence(""), 0U);
  EXPECT_NE(audit_event_problem(1, "", 0), std::nullopt);
}

TEST(AuditLeaf, TheLastSequenceWinsAsInAParse) {
  const std::string bytes = full_event(5).SerializeAsString() + full_event(9).SerializeAsString();
  ASSERT_EQ(parsed_sequence(bytes), 9U);
  EXPECT_EQ(walked_sequence(bytes), 9U);
  EXPECT_EQ(*audit_event_problem(5, bytes.data(), bytes.size()),
            "moved: the event stored at 5 says it is event 9");
}

TEST(AuditLeaf, AgreesWithAParseOnEveryCut) {
  const std::string bytes = full_event(300).SerializeAsString();
  int unreadable = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const std::string cut = bytes.substr(0, n);
    EXPECT_EQ(walked_sequence(cut), parsed_sequence(cut)) << "cut at " << n;
    if (!walked_sequence(cut)) ++unreadable;
  }
  EXPECT_GT(unreadable, 0);
}

TEST(AuditLeaf, NamesBytesThatAreNoMessage) {
  const std::string cases[] = {
      std::string("\x00", 1),      // field number 0
      std::string("\x0f\x01", 2),  // wire type 7
      std::string("\x22\x05"
                  "ab",
                  4),              // a string longer than what follows
      std::string("\x08\x80", 2),  // a cut varint
      std::string("\x0c", 1),      // an end of group never opened
  };
  for (const std::string& bytes : cases) {
    EXPECT_EQ(walked_sequence(bytes), std::nullopt);
    EXPECT_EQ(*audit_event_problem(4, bytes.data(), bytes.size()),
              "event 4 is not a readable audit event");
  }
}

// Whatever a parse accepts, the walk accepts with the same sequence. (The
// walk accepts more: a string that is not UTF-8, a nested message's inner
// bytes; those are proven unchanged by the tree, not by this check.)
TEST(AuditLeaf, AcceptsEveryEventAParseAcceptsWithTheSameSequence) {
  const google::protobuf::LogSilencer quiet;  // a parse logs every string that is not UTF-8
  const std::string original = full_event(4242).SerializeAsString();
  std::mt19937 rng(20261205);
  int parsed = 0;
  int rejected = 0;
  for (int i = 0; i < 20'000; ++i) {
    std::string bytes = original;
    const int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      bytes[rng() % bytes.size()] = static_cast<char>(rng() & 0xff);
    }
    const auto want = parsed_sequence(bytes);
    const auto got = walked_sequence(bytes);
    if (want) {
      ++parsed;
      ASSERT_EQ(got, want) << "mutation " << i;
    }
    if (!got) ++rejected;
  }
  EXPECT_GT(parsed, 1'000);
  EXPECT_GT(rejected, 1'000);
}

}  // namespace
}  // namespace hubtable::wire
