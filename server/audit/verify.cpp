#include "audit/verify.h"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "audit/log_store.h"
#include "wire/audit_leaf.h"

namespace hubtable::audit {

namespace {

// A batch also ends once its events' bytes pass this.
constexpr std::size_t kBatchBytes = std::size_t{1} << 20;

namespace merkle = crypto::merkle;

// A node of the stored tree as read: which node, and its hash when it is a
// digest's size.
struct StoredNode {
  merkle::NodeId id;
  std::optional<crypto::Digest> hash;
};

// Whether a stored node's level is one a tree of 2^64 leaves can have; only
// a tampered row's is not, and it covers no events.
bool possible(const merkle::NodeId& id) { return id.level >= 0 && id.level < 64; }

// The events a node covers, by sequence number: [first, last].
std::uint64_t first_event(const merkle::NodeId& id) {
  return possible(id) ? (id.index << id.level) + 1 : 0;
}
std::uint64_t last_event(const merkle::NodeId& id) {
  return possible(id) ? (id.index + 1) << id.level : 0;
}
// "event 7" or "events 3..9", as the verifier names positions.
std::string events_of(const merkle::NodeId& id) {
  return crypto::describe_positions({first_event(id), last_event(id), {}});
}

// One event as read: its sequence number, where its bytes are in the batch,
// and where the stored nodes it completes are (its leaf first).
struct ReadEvent {
  std::uint64_t seq = 0;
  std::size_t offset = 0;
  std::size_t size = 0;
  std::size_t nodes_begin = 0;
  std::size_t nodes_end = 0;
};

// Events read in order, copied out of SQLite's pages.
struct Batch {
  std::vector<std::uint8_t> bytes;
  std::vector<ReadEvent> events;
  std::vector<StoredNode> nodes;
  absl::Status status;  // the read that ended the batch failed: the walk ends with it
  bool end = false;     // nothing to read after this batch

  crypto::ByteView bytes_of(const ReadEvent& e) const {
    return crypto::ByteView(bytes).subspan(e.offset, e.size);
  }
  std::span<const StoredNode> nodes_of(const ReadEvent& e) const {
    return std::span(nodes).subspan(e.nodes_begin, e.nodes_end - e.nodes_begin);
  }
};

// The reading side: two cursors in step, the events and the stored tree's
// nodes, on one connection and so in one snapshot.
class LogReader {
 public:
  static absl::StatusOr<LogReader> open(store::Connection& c, std::size_t batch_events) {
    auto events = c.prepare(kStoredEventsSql);
    if (!events.ok()) return events.status();
    auto nodes = c.prepare(kStoredNodesSql);
    if (!nodes.ok()) return nodes.status();
    LogReader r(std::move(*events), std::move(*nodes), std::max<std::size_t>(batch_events, 1));
    if (auto s = r.next_node(); !s.ok()) return s;
    return r;
  }

  // Replaces `b`'s contents with the next events.
  void fill(Batch& b) {
    b.bytes.clear();
    b.events.clear();
    b.nodes.clear();
    b.status = absl::OkStatus();
    b.end = false;
    while (b.events.size() < batch_events_ && b.bytes.size() < kBatchBytes) {
      auto row = events_.step();
      if (!row.ok()) {
        b.status = row.status();
        return;
      }
      if (!*row) {
        b.end = true;
        if (nodes_left_) beyond_end_ = node_id();
        return;
      }
      ReadEvent& e = b.events.emplace_back();
      e.seq = static_cast<std::uint64_t>(events_.integer(0));
      const crypto::ByteView bytes = events_.blob_view(1);
      e.offset = b.bytes.size();
      e.size = bytes.size();
      b.bytes.insert(b.bytes.end(), bytes.begin(), bytes.end());
      // An event out of sequence ends the walk there (the checker names
      // it), so nothing after it is read, nor a node looked for.
      if (e.seq != ++expected_) {
        b.end = true;
        return;
      }
      if (auto s = find_nodes(b, e); !s.ok()) {
        b.status = s;
        return;
      }
    }
  }

  // Once every event is read: the first stored node past the last of them,
  // if there is one.
  const std::optional<merkle::NodeId>& beyond_end() const { return beyond_end_; }

 private:
  LogReader(store::Statement events, store::Statement nodes, std::size_t batch_events)
      : events_(std::move(events)), nodes_(std::move(nodes)), batch_events_(batch_events) {}

  // Steps to the next stored node and keeps the event that completes it.
  absl::Status next_node() {
    auto row = nodes_.step();
    if (!row.ok()) return row.status();
    nodes_left_ = *row;
    if (nodes_left_) node_last_seq_ = static_cast<std::uint64_t>(nodes_.integer(0));
    return absl::OkStatus();
  }
  merkle::NodeId node_id() const {
    const std::int64_t level = nodes_.integer(1);
    merkle::NodeId id{static_cast<int>(std::clamp<std::int64_t>(level, -1, 64)), 0};
    if (possible(id)) id.index = (node_last_seq_ >> id.level) - 1;
    return id;
  }

  // The stored nodes `e` completes: those keyed by its sequence number.
  absl::Status find_nodes(Batch& b, ReadEvent& e) {
    while (nodes_left_ && node_last_seq_ < e.seq) {
      if (auto s = next_node(); !s.ok()) return s;
    }
    e.nodes_begin = b.nodes.size();
    while (nodes_left_ && node_last_seq_ == e.seq) {
      StoredNode& n = b.nodes.emplace_back();
      n.id = node_id();
      const crypto::ByteView hash = nodes_.blob_view(2);
      if (hash.size() == crypto::Digest{}.size()) {
        n.hash = crypto::to_array<std::tuple_size_v<crypto::Digest>>(hash);
      }
      if (auto s = next_node(); !s.ok()) return s;
    }
    e.nodes_end = b.nodes.size();
    return absl::OkStatus();
  }

  store::Statement events_;
  store::Statement nodes_;
  std::size_t batch_events_;
  bool nodes_left_ = true;
  std::uint64_t node_last_seq_ = 0;  // of the node the cursor is on
  std::uint64_t expected_ = 0;       // the sequence number the last event should have had
  std::optional<merkle::NodeId> beyond_end_;
};

// Compares the nodes each event completes, as the verifier makes them, with
// the stored ones, and keeps the first that differs. That one is reported
// once a signed checkpoint shows the events up to it are the ones signed, or
// at the log's end: if instead the events were changed (with their stored
// leaves), the checkpoint that fails names them, which says more.
class NodeCheck {
 public:
  NodeCheck() : sink_([this](const merkle::NodeId& id, const crypto::Digest& h) { see(id, h); }) {}
  NodeCheck(const NodeCheck&) = delete;
  NodeCheck& operator=(const NodeCheck&) = delete;
  ~NodeCheck() = default;

  // The nodes event `seq` completes, as stored, and the sink to hand the
  // verifier for it.
  const merkle::CompactRange::NodeSink& event(std::uint64_t seq,
                                              std::span<const StoredNode> stored) {
    seq_ = seq;
    stored_ = stored;
    next_ = 0;
    return sink_;
  }

  // After the event's nodes are made: a stored node it does not complete.
  void done() {
    if (!first_ && next_ < stored_.size()) {
      const merkle::NodeId& extra = stored_[next_].id;
      first_ = Found{seq_,
                     {seq_, seq_,
                      "changed: the stored tree holds a node (level " +
                          std::to_string(extra.level) + ", index " + std::to_string(extra.index) +
                          ") that event " + std::to_string(seq_) + " does not complete"}};
    }
  }

  // Reports the first difference found once a checkpoint signs the events
  // up to it, or at the log's end. Returns whether it did.
  bool report(crypto::LogVerifier& v, bool at_end) {
    if (!first_ || (!at_end && v.signed_size() < first_->seq)) return false;
    v.fail(first_->problem.first, first_->problem.last, first_->problem.what);
    return true;
  }

 private:
  struct Found {
    std::uint64_t seq = 0;  // the event whose nodes differ
    crypto::LogVerifier::Problem problem;
  };

  void see(const merkle::NodeId& id, const crypto::Digest& h) {
    if (first_) return;  // one is enough; the rest go unlooked at
    if (next_ < stored_.size() && stored_[next_].id == id) {
      if (stored_[next_++].hash == h) return;
      first_ = Found{seq_,
                     {first_event(id), last_event(id),
                      "changed: the stored tree's node over " + events_of(id) +
                          " does not match them (proofs served from it would fail)"}};
      return;
    }
    first_ = Found{seq_,
                   {first_event(id), last_event(id),
                    "changed: the stored tree lacks its node over " + events_of(id)}};
  }

  merkle::CompactRange::NodeSink sink_;
  std::uint64_t seq_ = 0;
  std::span<const StoredNode> stored_;
  std::size_t next_ = 0;
  std::optional<Found> first_;
};

// Hashes and checks a batch's events in order. Returns whether the walk
// goes on: false once a problem is found, or at the log's end; the failed
// read that ended the batch, if it did.
absl::StatusOr<bool> check(const Batch& b, crypto::LogVerifier& v, NodeCheck& nodes) {
  for (const ReadEvent& e : b.events) {
    const crypto::ByteView bytes = b.bytes_of(e);
    const crypto::Digest leaf = merkle::leaf_hash(bytes);
    if (e.seq != v.size() + 1) {  // a gap or a repeat: the verifier names it
      v.add(e.seq, leaf);
      return false;
    }
    if (auto problem = wire::audit_event_problem(e.seq, bytes.data(), bytes.size())) {
      v.fail(e.seq, e.seq, *problem);
      return false;
    }
    const std::span<const StoredNode> stored = b.nodes_of(e);
    const bool has_leaf =
        !stored.empty() && stored.front().id == merkle::NodeId{0, merkle::leaf_index(e.seq)};
    if (!has_leaf || stored.front().hash != leaf) {
      v.fail(e.seq, e.seq,
             "changed: event " + std::to_string(e.seq) +
                 (has_leaf ? " does not match its leaf in the stored tree"
                           : " has no leaf in the stored tree"));
      return false;
    }
    if (!v.add(e.seq, leaf, nodes.event(e.seq, stored))) return false;
    nodes.done();
    if (nodes.report(v, false)) return false;
  }
  if (!b.status.ok()) return b.status;
  return !b.end;
}

// Hands batches from the reading thread to the checking one and back. Three
// go round: one being filled, one being checked, and one ready for either.
class Handoff {
 public:
  Handoff() {
    for (auto& b : batches_) empty_.push_back(&b);
  }

  // The reader's next batch to fill; nullptr once the checker has stopped.
  Batch* take_empty() { return take(empty_); }
  void put_full(Batch* b) { put(full_, b); }
  // The checker's next batch (the reader always sends one that ends the walk).
  Batch* take_full() { return take(full_); }
  void put_empty(Batch* b) { put(empty_, b); }
  // The checker is done: the reader stops at its next batch.
  void stop() {
    {
      const std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    ready_.notify_all();
  }

 private:
  Batch* take(std::vector<Batch*>& from) {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !from.empty() || stopped_; });
    if (stopped_) return nullptr;
    Batch* b = from.front();
    from.erase(from.begin());
    return b;
  }
  void put(std::vector<Batch*>& to, Batch* b) {
    {
      const std::lock_guard lock(mutex_);
      to.push_back(b);
    }
    ready_.notify_all();
  }

  std::array<Batch, 3> batches_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::vector<Batch*> empty_;  // in the order they are to be used
  std::vector<Batch*> full_;
  bool stopped_ = false;
};

absl::Status walk_on_one_thread(LogReader& reader, crypto::LogVerifier& v, NodeCheck& nodes) {
  Batch b;
  for (;;) {
    reader.fill(b);
    auto more = check(b, v, nodes);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
}

absl::Status walk_reading_ahead(LogReader& reader, crypto::LogVerifier& v, NodeCheck& nodes) {
  Handoff handoff;
  std::thread reading([&] {
    pthread_setname_np(pthread_self(), "audit-read");  // as top and perf show it
    while (Batch* b = handoff.take_empty()) {
      reader.fill(*b);
      const bool last = b->end || !b->status.ok();
      handoff.put_full(b);
      if (last) return;
    }
  });
  // However the checking ends, the reader stops before the walk returns:
  // the connection and the batches are this frame's.
  const absl::Cleanup joined = [&] {
    handoff.stop();
    reading.join();
  };
  absl::StatusOr<bool> more = true;
  while (more.ok() && *more) {
    Batch* b = handoff.take_full();
    more = check(*b, v, nodes);
    handoff.put_empty(b);
  }
  return more.status();
}

}  // namespace

absl::StatusOr<crypto::LogVerifier> verify_stored_log(store::Connection& c,
                                                      const crypto::CheckpointVerifier& key,
                                                      std::optional<crypto::SignedCheckpoint> saved,
                                                      const WalkOptions& options) {
  auto checkpoints = all_checkpoints(c);
  if (!checkpoints.ok()) return checkpoints.status();
  std::vector<crypto::SignedCheckpoint> rotations;
  std::copy_if(
      checkpoints->begin(), checkpoints->end(), std::back_inserter(rotations),
      [](const crypto::SignedCheckpoint& cp) { return cp.checkpoint.rotation.has_value(); });
  crypto::LogVerifier v(crypto::AuditKeyChain::follow(key, std::move(rotations)),
                        std::move(*checkpoints), std::move(saved));
  if (!v.ok()) {  // the keys or the checkpoints alone are wrong
    v.finish();
    return v;
  }
  auto reader = LogReader::open(c, options.batch_events);
  if (!reader.ok()) return reader.status();
  NodeCheck nodes;
  const absl::Status walked = options.read_ahead ? walk_reading_ahead(*reader, v, nodes)
                                                 : walk_on_one_thread(*reader, v, nodes);
  if (!walked.ok()) return walked;
  v.finish();
  if (v.ok()) nodes.report(v, true);
  // A node past the last event: the next event's own would collide with it,
  // and the server could append to its log no more.
  if (const auto& beyond = reader->beyond_end(); beyond && v.ok()) {
    v.fail(first_event(*beyond), last_event(*beyond),
           "changed: the stored tree holds a node over " + events_of(*beyond) +
               ", past the log's last event " + std::to_string(v.size()));
  }
  return v;
}

}  // namespace hubtable::audit
