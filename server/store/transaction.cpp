#include "store/transaction.h"

namespace hubtable::store {

Transaction::Transaction(Connection& conn, Kind kind) : conn_(conn) {
  begin_status_ = conn_.exec(kind == Kind::kWrite ? "BEGIN IMMEDIATE" : "BEGIN");
  open_ = begin_status_.ok();
}

Transaction::~Transaction() {
  if (open_) (void)conn_.exec("ROLLBACK");
}

absl::Status Transaction::commit() {
  if (!open_) return absl::FailedPreconditionError("transaction is not open");
  absl::Status s = conn_.exec("COMMIT");
  if (s.ok()) {
    open_ = false;
  } else {
    conn_.set_commit_failed(true);
  }
  return s;
}

}  // namespace hubtable::store
