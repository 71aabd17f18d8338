#include "wire/envelope_codec.h"

#include <gtest/gtest.h>

namespace hubtable::wire {
namespace {

namespace v1 = hubtable::v1;

std::string rule_for(const std::string& payload) {
  auto r = parse_request(payload);
  return r.ok() ? "ok" : rule_of(r.status());
}

TEST(EnvelopeCodec, AcceptsAKnownRequest) {
  v1::Envelope env;
  env.set_version(1);
  env.set_request_id(9);
  env.mutable_request()->mutable_whoami();
  auto r = parse_request(env.SerializeAsString());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->envelope.request_id(), 9u);
}

TEST(EnvelopeCodec, RejectsWithRuleIds) {
  EXPECT_EQ(rule_for("\xff\xff\xff"), "protocol.malformed_envelope");
  v1::Envelope env;
  env.set_version(2);
  env.mutable_request()->mutable_whoami();
  EXPECT_EQ(rule_for(env.SerializeAsString()), "protocol.version");
  env.set_version(1);
  env.mutable_response();
  EXPECT_EQ(rule_for(env.SerializeAsString()), "protocol.not_a_request");
  env.mutable_request();
  EXPECT_EQ(rule_for(env.SerializeAsString()), "protocol.unknown_request");
  // An unknown field number in the request oneof parses but has no known kind.
  std::string unknown = v1::Envelope().SerializeAsString();
  v1::Envelope with_unknown;
  with_unknown.set_version(1);
  std::string body = with_unknown.SerializeAsString();
  body += std::string("\x1a\x03\xfa\x0f\x00", 5);  // request { field 255: "" }
  EXPECT_EQ(rule_for(body), "protocol.unknown_request");
}

TEST(EnvelopeCodec, ErrorEnvelopeCarriesStatusWithoutTheRulePrefix) {
  auto r = parse_request("\xff");
  v1::Envelope e = parse_error_envelope(r.status());
  EXPECT_EQ(e.response().status().code(), v1::INVALID_ARGUMENT);
  EXPECT_EQ(e.response().status().rule(), "protocol.malformed_envelope");
  EXPECT_EQ(e.response().status().message(), "the frame does not hold an Envelope");
  EXPECT_EQ(e.request_id(), 0u);
}

// What a client reads: responses and events of this version, nothing else.
TEST(EnvelopeCodec, AClientAcceptsResponsesAndEventsOnly) {
  v1::Envelope env;
  env.set_version(1);
  env.set_request_id(4);
  env.mutable_response()->mutable_status()->set_code(v1::OK);
  auto r = parse_server_envelope(env.SerializeAsString());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->request_id(), 4u);
  env.mutable_event()->set_kind("situation.decided");
  EXPECT_TRUE(parse_server_envelope(env.SerializeAsString()).ok());

  EXPECT_EQ(parse_server_envelope("\xff\xff\xff").status().code(), absl::StatusCode::kDataLoss);
  env.mutable_request()->mutable_whoami();
  EXPECT_EQ(parse_server_envelope(env.SerializeAsString()).status().code(),
            absl::StatusCode::kDataLoss);
  env.mutable_response();
  env.set_version(2);
  auto other = parse_server_envelope(env.SerializeAsString());
  EXPECT_EQ(other.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(other.status().message().find("version 2"), std::string::npos) << other.status();
}

}  // namespace
}  // namespace hubtable::wire
