#pragma once
// A SQLite VFS for tests that passes everything to the default VFS, except
// the faults a test arms:
//
// - a full disk: every write fails with SQLITE_FULL until cleared;
// - the Nth write, sync or open (counted over every file from the moment
//   the fault is armed) fails with the code the unix VFS gives for EIO or
//   ENOSPC, once or from then on;
// - a power loss at the Nth sync: that sync and every write, sync, truncate,
//   delete and open after it fail, as on a machine that has stopped; then,
//   with every connection closed, restore_power() puts each file back as it
//   was at its last sync (every write not yet synced is dropped, what a
//   power loss does and kill -9 does not), and brings back every file
//   deleted since its directory was last synced (a rollback journal whose
//   deletion committed a transaction comes back hot, and rolls it back).
//   A directory counts as synced when a file in it is deleted with SQLite's
//   dirSync flag; a file created is taken as durable at once.
//
// Registered as the default VFS only while a FaultVfs::Scope lives, so only
// connections opened then go through it. Thread-safe.

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

  /// From now on, every write through the fault VFS fails with
  /// SQLITE_FULL (or succeeds again).
  static void set_disk_full(bool full);

  enum class Op { kWrite, kSync, kOpen };
  /// The `nth` operation `op` from now (1-based) fails with `sqlite_error`;
  /// with `persist`, so does every one after it until clear().
  static void fail(Op op, int nth, int sqlite_error, bool persist);
  /// The power goes at the `nth` sync from now (1-based).
  static void cut_power_at_sync(int nth);
  static bool power_is_off();
  /// With every connection closed: drops every write not synced, and the
  /// power comes back.
  static void restore_power();
  /// No fault armed; the counts start again.
  static void clear();

  /// Operations since the last fail(), cut_power_at_sync() or clear().
  struct Counts {
    int writes = 0;
    int syncs = 0;
    int opens = 0;
  };
  static Counts counts();
  /// How many operations the armed fault failed.
  static int fired();
};

}  // namespace hubtable::testing
