#include "crypto/log_verifier.h"

#include <algorithm>
#include <array>
#include <utility>

namespace hubtable::crypto {

namespace {
std::string n(std::uint64_t v) { return std::to_string(v); }
}  // namespace

std::string describe_positions(const LogVerifier::Problem& p) {
  if (p.first == p.last) return "event " + n(p.first);
  return "events " + n(p.first) + ".." + n(p.last);
}

LogVerifier::LogVerifier(AuditKeyChain keys, std::vector<SignedCheckpoint> checkpoints,
                         std::optional<SignedCheckpoint> saved)
    : keys_(std::move(keys)), saved_(std::move(saved)) {
  if (const auto& p = keys_.problem()) {
    fail(p->tree_size, p->tree_size, p->what);
    return;
  }
  for (auto& c : checkpoints) add_checkpoint(std::move(c));
  if (saved_ && !keys_.verify(*saved_)) {
    fail(0, 0, "the saved checkpoint is not signed by this audit key");
    return;
  }
  check_reached();  // a saved checkpoint of the empty tree
}

void LogVerifier::add_checkpoint(SignedCheckpoint c) {
  const std::uint64_t size = c.checkpoint.tree_size;
  const std::uint64_t floor =
      checkpoints_.empty() ? tree_.size() : checkpoints_.back().checkpoint.tree_size;
  if (size <= floor) {
    fail(size, size, "the checkpoints are not in increasing tree-size order");
    return;
  }
  checkpoints_.push_back(std::move(c));
}

void LogVerifier::fail(std::uint64_t first, std::uint64_t last, std::string what) {
  if (!problem_) problem_ = Problem{first, last, std::move(what)};
}

bool LogVerifier::add(std::uint64_t seq, const Digest& leaf,
                      const merkle::CompactRange::NodeSink& nodes) {
  if (problem_) return false;
  const std::uint64_t expected = tree_.size() + 1;
  if (seq != expected) {
    if (seq > expected) {
      fail(expected, seq - 1,
           "missing: the log jumps from event " + n(expected - 1) + " to " + n(seq));
    } else {
      fail(expected, expected,
           "out of order: event " + n(seq) + " is stored where " + n(expected) + " belongs");
    }
    return false;
  }
  tree_.append(leaf, nodes);
  check_reached();
  return !problem_;
}

void LogVerifier::check_reached() {
  const std::uint64_t size = tree_.size();
  if (next_ < checkpoints_.size() && checkpoints_[next_].checkpoint.tree_size == size) {
    const SignedCheckpoint& c = checkpoints_[next_];
    if (!keys_.verify(c)) {
      fail(size, size,
           "the checkpoint of tree size " + n(size) + " is not signed by this audit key");
      return;
    }
    if (c.checkpoint.root != tree_.root()) {
      fail(signed_size_ + 1, size,
           "changed: the events do not hash to the root signed at tree size " + n(size));
      return;
    }
    ++verified_;
    if (c.checkpoint.rotation) ++rotations_;
    signed_size_ = size;
    ++next_;
  }
  if (saved_ && saved_->checkpoint.tree_size == size) {
    if (saved_->checkpoint.root != tree_.root()) {
      fail(1, size,
           "rewritten: the first " + n(size) +
               " events do not match the saved checkpoint (the log was rolled back and "
               "continued, or rewritten)");
      return;
    }
    saved_checked_ = true;
  }
}

void LogVerifier::finish() {
  if (problem_) return;
  const std::uint64_t size = tree_.size();
  if (next_ < checkpoints_.size()) {
    const std::uint64_t claimed = checkpoints_.back().checkpoint.tree_size;
    fail(size + 1, claimed,
         "missing: the log ends at event " + n(size) + " but a signed checkpoint covers " +
             n(claimed) + " events");
    return;
  }
  // Every rotation the keys followed must be one of the log's checkpoints.
  const std::vector<std::uint64_t> rotated = keys_.rotation_sizes();
  const auto in_log = static_cast<std::uint64_t>(
      std::count_if(rotated.begin(), rotated.end(), [&](std::uint64_t r) { return r <= size; }));
  if (rotations_ != in_log) {
    fail(1, size, "missing: a key rotation is not among the log's checkpoints");
    return;
  }
  if (saved_ && saved_->checkpoint.tree_size > size) {
    const std::uint64_t claimed = saved_->checkpoint.tree_size;
    fail(size + 1, claimed,
         "missing: the log ends at event " + n(size) + " but the saved checkpoint covers " +
             n(claimed) + " events (truncated, or an older copy restored)");
  }
}

namespace {
constexpr std::array<std::string_view, 8> kProblemClasses = {
    "changed", "missing", "out of order", "moved", "rewritten", "unsigned", "unreadable", "other"};
}  // namespace

std::string_view problem_class(std::string_view what) {
  for (auto c : kProblemClasses) {
    if (what.starts_with(c) && (what.size() == c.size() || what[c.size()] == ':')) return c;
  }
  if (what.find("is not signed") != std::string_view::npos) return "unsigned";
  if (what.find("not a readable") != std::string_view::npos) return "unreadable";
  return "other";
}

bool is_problem_class(std::string_view word) {
  return std::find(kProblemClasses.begin(), kProblemClasses.end(), word) != kProblemClasses.end();
}

}  // namespace hubtable::crypto
