// The allocator tunable the server adds to its environment before it
// re-executes itself.

#include "config/allocator.h"

#include <gtest/gtest.h>

namespace hubtable::config {
namespace {

TEST(AllocatorTunables, AddedWhenUnset) {
  EXPECT_EQ(tunables_with_allocator(nullptr), "glibc.malloc.tcache_count=2");
  EXPECT_EQ(tunables_with_allocator(""), "glibc.malloc.tcache_count=2");
}

TEST(AllocatorTunables, AppendedToTheOperatorsOtherTunables) {
  EXPECT_EQ(tunables_with_allocator("glibc.malloc.arena_max=2"),
            "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=2");
}

TEST(AllocatorTunables, AnOperatorsOwnTcacheCountIsKept) {
  EXPECT_EQ(tunables_with_allocator("glibc.malloc.tcache_count=7"), "glibc.malloc.tcache_count=7");
  EXPECT_EQ(tunables_with_allocator("glibc.malloc.arena_max=1:glibc.malloc.tcache_count=3"),
            "glibc.malloc.arena_max=1:glibc.malloc.tcache_count=3");
}

TEST(AllocatorTunables, TheServersOwnSettingIsStable) {
  // What the re-executed server finds is what it would set: no second exec.
  const std::string once = tunables_with_allocator("glibc.malloc.arena_max=2");
  EXPECT_EQ(tunables_with_allocator(once.c_str()), once);
}

}  // namespace
}  // namespace hubtable::config
