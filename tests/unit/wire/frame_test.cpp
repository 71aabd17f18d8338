#include "wire/frame.h"

#include <gtest/gtest.h>

namespace hubtable::wire {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

TEST(Frame, EncodesBigEndianLength) {
  const std::string f = encode_frame("abc");
  ASSERT_EQ(f.size(), 7u);
  EXPECT_EQ(f.substr(0, 4), std::string("\0\0\0\3", 4));
  EXPECT_EQ(f.substr(4), "abc");
  EXPECT_EQ(encode_frame(std::string(0x01020304 & 0xffff, 'x')).substr(0, 4),
            std::string("\0\0\x03\x04", 4));
}

TEST(Frame, DecodesOneByteAtATime) {
  const std::string stream = encode_frame("hello") + encode_frame("") + encode_frame("world!");
  FrameDecoder d(64);
  std::vector<std::string> frames;
  for (char c : stream) {
    std::string one(1, c);
    auto r = d.feed(bytes(one));
    EXPECT_EQ(r.consumed, 1u);
    if (r.status == FrameDecoder::Status::kFrame) frames.push_back(d.take_frame());
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"hello", "", "world!"}));
  EXPECT_FALSE(d.in_frame());
}

TEST(Frame, DecodesSeveralFramesFromOneChunkAndReportsPartialFrames) {
  const std::string stream = encode_frame("one") + encode_frame("two") + encode_frame("thr");
  FrameDecoder d(64);
  const std::string cut = stream.substr(0, stream.size() - 2);
  auto all = bytes(cut);
  std::vector<std::string> frames;
  while (!all.empty()) {
    auto r = d.feed(all);
    all = all.subspan(r.consumed);
    if (r.status == FrameDecoder::Status::kFrame) frames.push_back(d.take_frame());
  }
  EXPECT_EQ(frames, (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(d.in_frame());  // "thr" is cut off
}

TEST(Frame, RejectsOversizeBeforeReadingThePayload) {
  FrameDecoder d(1024);
  const std::string header("\x7f\xff\xff\xff", 4);
  auto r = d.feed(bytes(header + "trailing"));
  EXPECT_EQ(r.status, FrameDecoder::Status::kTooLarge);
  EXPECT_EQ(r.consumed, 4u);
  EXPECT_EQ(d.declared_length(), 0x7fffffffu);
  EXPECT_EQ(d.feed(bytes("more")).status, FrameDecoder::Status::kTooLarge);
}

TEST(Frame, AcceptsExactlyTheLimit) {
  FrameDecoder d(5);
  auto r = d.feed(bytes(encode_frame("12345")));
  EXPECT_EQ(r.status, FrameDecoder::Status::kFrame);
  EXPECT_EQ(d.take_frame(), "12345");
  EXPECT_EQ(d.feed(bytes(encode_frame("123456"))).status, FrameDecoder::Status::kTooLarge);
}

}  // namespace
}  // namespace hubtable::wire
