#include "store/transaction.h"

namespace hubtable::store {
Transaction::Transaction(Connection& conn, Kind kind) : conn_(conn), grouped_(conn.grouped()) {
  if (!grouped_)
    begin_status_ = run_statement(conn_, kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = begin_status_.ok();
}

Transaction::~Transaction() {
  if (!open_) return;
  if (grouped_) {
    conn_.set_rollback_wanted(true);  // Database::commit_group undoes it
  } else {
    (void)run_statement(conn_, "ROLLBACK");
  }
}

absl::Status Transaction::commit() {
  if (!open_) return absl::FailedPreconditionError("transaction is not open");
  if (grouped_) {
    open_ = false;
    return absl::OkStatus();
  }
  absl::Status s = run_statement(conn_, "COMMIT");
  if (s.ok()) {
    open_ = false;
  } else {
    conn_.set_commit_failed(true);
  }
  return s;
}

}  // namespace hubtable::store
