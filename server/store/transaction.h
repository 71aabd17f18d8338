#pragma once
// RAII transaction: rolls back unless commit() succeeded. On a connection
// inside a group (Database::write_together) the group's transaction is
// already open: commit() does nothing (the group's COMMIT makes the work
// durable), and a rollback asks the group to undo this caller's work alone.

#include "absl/status/status.h"
#include "store/connection.h"

namespace hubtable::store {

class Transaction {
 public:
  enum class Kind { kRead, kWrite };
  /// Begins a transaction; check status() before use. A write transaction
  /// takes the write lock at once (BEGIN IMMEDIATE) so it cannot deadlock.
  Transaction(Connection& conn, Kind kind);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  const absl::Status& status() const { return begin_status_; }
  Connection& connection() { return conn_; }
  absl::Status commit();

 private:
  Connection& conn_;
  absl::Status begin_status_;
  bool open_ = false;
  bool grouped_ = false;
};

}  // namespace hubtable::store
