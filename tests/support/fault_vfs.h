#pragma once
// A SQLite VFS for tests that passes everything to the default VFS, except
// what a test arms it to fail: every write, as a full disk does
// (SQLITE_FULL). Registered as the default VFS only while a FaultVfs::Scope
// lives, so only connections opened then go through it.

namespace hubtable::testing {

class FaultVfs {
 public:
  /// While alive, new connections open through the fault VFS.
  class Scope {
   public:
    Scope();
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
  };

  /// Thread-safe: from now on, every write through the fault VFS fails with
  /// SQLITE_FULL (or succeeds again).
  static void set_disk_full(bool full);
};

}  // namespace hubtable::testing
