#pragma once
// The audit log's integrity and the privacy officer's reads: signed
// checkpoints, consistency and inclusion proofs, the log page by page so a
// client can recompute the tree, queries, and a situation's disclosure
// register. Every read filters through the one reader policy
// (domain::audit_reader).

#include "api/work.h"
#include "audit/checkpointer.h"
#include "config/limits.h"

namespace hubtable::api {

class AuditHandlers {
 public:
  AuditHandlers(const audit::Checkpointer& checkpointer, const config::Limits& limits)
      : checkpointer_(checkpointer), limits_(limits) {}

  absl::StatusOr<domain::Decision> checkpoint(Work& w);
  absl::StatusOr<domain::Decision> log(Work& w);
  absl::StatusOr<domain::Decision> proof(Work& w);
  absl::StatusOr<domain::Decision> query(Work& w);
  absl::StatusOr<domain::Decision> disclosures(Work& w);

 private:
  const audit::Checkpointer& checkpointer_;  // the signing key's public half
  const config::Limits& limits_;             // an answer's byte budget
};

}  // namespace hubtable::api
