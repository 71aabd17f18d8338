// The connection caps, and the peak the server reads to know when closed
// connections' memory can go back to the system.

#include "net/connection_manager.h"

#include <gtest/gtest.h>

namespace hubtable::net {
namespace {

TEST(ConnectionManager, CapsConnectionsInAllAndPerAddress) {
  ConnectionManager m(3, 2);
  EXPECT_TRUE(m.try_admit("10.0.0.1"));
  EXPECT_TRUE(m.try_admit("10.0.0.1"));
  EXPECT_FALSE(m.try_admit("10.0.0.1"));  // the address's cap
  EXPECT_TRUE(m.try_admit("10.0.0.2"));
  EXPECT_FALSE(m.try_admit("10.0.0.3"));  // the server's cap
  EXPECT_EQ(m.size(), 3u);
  m.release(nullptr, "10.0.0.1");
  EXPECT_TRUE(m.try_admit("10.0.0.3"));
  EXPECT_EQ(m.size(), 3u);
}

TEST(ConnectionManager, ThePeakIsTheMostOpenSinceItWasLastTaken) {
  ConnectionManager m(100, 100);
  EXPECT_EQ(m.take_peak(), 0u);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(m.try_admit("10.0.0.1"));
  for (int i = 0; i < 4; ++i) m.release(nullptr, "10.0.0.1");
  EXPECT_EQ(m.size(), 1u);
  EXPECT_EQ(m.take_peak(), 5u);
  // Taken: it starts again from the one still open.
  EXPECT_EQ(m.take_peak(), 1u);
  ASSERT_TRUE(m.try_admit("10.0.0.1"));
  m.release(nullptr, "10.0.0.1");
  EXPECT_EQ(m.take_peak(), 2u);
}

}  // namespace
}  // namespace hubtable::net
