#pragma once
// How the server's process asks glibc's allocator to behave, set before
// anything is allocated.

#include <string>

namespace hubtable::config {

/// The tunable the server runs with: per-thread caches of at most two freed
/// blocks of each size, where glibc's default is seven.
inline constexpr const char* kAllocatorTunable = "glibc.malloc.tcache_count=2";

/// GLIBC_TUNABLES as it should be, given its value now (`current`, null
/// when unset): unchanged when it already sets tcache_count (the operator's
/// choice, or this process before its re-execution), else with
/// kAllocatorTunable appended to whatever else it sets.
std::string tunables_with_allocator(const char* current);

/// Re-executes this program (same arguments, same process id) with
/// tunables_with_allocator() in its environment, unless that is the
/// environment it already has; returns only when it does not re-execute, or
/// could not (then the server runs with the allocator's defaults and says so
/// on standard error).
///
/// Why: glibc gives each thread a cache of up to seven freed blocks of each
/// size up to 1 KiB, kept out of the heap's free lists, so neither free()
/// nor malloc_trim() hands back the pages they sit in. After thousands of
/// connections close, each cached block is wherever those connections'
/// memory was, and pins a page of its own: 2,000 connections that had come
/// and gone left the server 5-22% above its size before them. With no cache
/// at all every malloc and free takes the arena's lock and its bins, about
/// a tenth of a request's CPU time at thousands of requests a second; two
/// blocks keep nearly all of that speed, and issue 19's soak still ends
/// within its 10% (1.00 and 1.05 of the size before; none gave 0.96 and
/// 0.97 on another day: docs/BENCHMARKS.md, issue 20). The tunable is read
/// only when the program starts, so it must be in the environment before
/// exec. The systemd unit sets it already.
void run_with_allocator_tunables(char** argv);

}  // namespace hubtable::config
