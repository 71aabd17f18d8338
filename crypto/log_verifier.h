#pragma once
// Verifies an audit log from its first event: recomputes the Merkle tree leaf
// by leaf, checks every signed checkpoint's signature and root as the tree
// reaches its size, and checks a checkpoint saved earlier by a privacy
// officer, which catches a rollback of the whole database. The server's
// `hubtabled verify-audit` and the client's `hubtable audit verify` run this
// same walk; they differ only in where the events come from.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/checkpoint.h"
#include "crypto/key_chain.h"
#include "crypto/merkle.h"

namespace hubtable::crypto {

class LogVerifier {
 public:
  /// The first thing found wrong: the events [first, last] (1-based sequence
  /// numbers; first == last when one event is named).
  struct Problem {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
    std::string what;
  };

  /// `keys`: the audit keys, followed from the one the verifying person
  /// trusts. `checkpoints`: every checkpoint the log holds, by tree size
  /// ascending. `saved`: one the verifying person kept from earlier.
  LogVerifier(AuditKeyChain keys, std::vector<SignedCheckpoint> checkpoints,
              std::optional<SignedCheckpoint> saved);
  /// For logs read page by page: checkpoints come with add_checkpoint().
  LogVerifier(AuditKeyChain keys, std::optional<SignedCheckpoint> saved)
      : LogVerifier(std::move(keys), {}, std::move(saved)) {}

  /// Adds the log's next checkpoint; its tree size must be larger than the
  /// tree so far and than the previous checkpoint's.
  void add_checkpoint(SignedCheckpoint c);

  /// Feeds the event stored at sequence `seq` by its leaf hash. Returns false
  /// once a problem has been found (later events are then ignored). `nodes`,
  /// when given, receives every node of the tree the event completes (its
  /// leaf, then each parent it closes), before any checkpoint it reaches is
  /// checked: what a walk of a stored tree compares with the stored nodes.
  bool add(std::uint64_t seq, const Digest& leaf,
           const merkle::CompactRange::NodeSink& nodes = nullptr);
  /// Records a problem the caller found in the event at `seq` (for example,
  /// bytes that name another sequence number). The first problem wins.
  void fail(std::uint64_t first, std::uint64_t last, std::string what);
  /// After the last event: checks what the checkpoints claim beyond it.
  void finish();

  const std::optional<Problem>& problem() const { return problem_; }
  bool ok() const { return !problem_.has_value(); }
  std::uint64_t size() const { return tree_.size(); }
  Digest root() const { return tree_.root(); }
  std::uint64_t checkpoints_verified() const { return verified_; }
  /// The size of the last signed checkpoint reached; events after it are
  /// not yet covered by a signature.
  std::uint64_t signed_size() const { return signed_size_; }
  bool saved_checked() const { return saved_checked_; }
  /// Key rotations reached (each checked against the tree and both keys).
  std::uint64_t rotations_verified() const { return rotations_; }

 private:
  void check_reached();

  AuditKeyChain keys_;
  std::vector<SignedCheckpoint> checkpoints_;
  std::optional<SignedCheckpoint> saved_;
  std::size_t next_ = 0;  // the next checkpoint to reach
  merkle::CompactRange tree_;
  std::optional<Problem> problem_;
  std::uint64_t verified_ = 0;
  std::uint64_t signed_size_ = 0;
  std::uint64_t rotations_ = 0;
  bool saved_checked_ = false;
};

/// "event 7" or "events 3..9".
std::string describe_positions(const LogVerifier::Problem& p);

/// The class of a problem, from its description ("changed: ..." →
/// "changed"): one of "changed", "missing", "out of order", "moved",
/// "rewritten", "unsigned", "unreadable" or "other". A client reports only
/// the class, so a report is never free text.
std::string_view problem_class(std::string_view what);
/// Whether `word` is one of those classes.
bool is_problem_class(std::string_view word);

}  // namespace hubtable::crypto
