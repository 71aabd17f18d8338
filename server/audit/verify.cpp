#include "audit/verify.h"

#include <pthread.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
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

// One event as read: its sequence number, where its bytes are in the batch,
// and its leaf in the stored tree.
struct ReadEvent {
  std::uint64_t seq = 0;
  std::size_t offset = 0;
  std::size_t size = 0;
  bool stored = false;                 // the stored tree has a leaf at its index
  std::optional<crypto::Digest> leaf;  // that leaf, when it is a digest's size
};

// Events read in order, copied out of SQLite's pages.
struct Batch {
  std::vector<std::uint8_t> bytes;
  std::vector<ReadEvent> events;
  absl::Status status;  // the read that ended the batch failed: the walk ends with it
  bool end = false;     // nothing to read after this batch

  crypto::ByteView bytes_of(const ReadEvent& e) const {
    return crypto::ByteView(bytes).subspan(e.offset, e.size);
  }
};

// The reading side: two cursors in step, the events and the stored leaves
// (level 0), on one connection and so in one snapshot.
class LogReader {
 public:
  static absl::StatusOr<LogReader> open(store::Connection& c, std::size_t batch_events) {
    auto events = c.prepare(kStoredEventsSql);
    if (!events.ok()) return events.status();
    auto leaves = c.prepare(kStoredLeavesSql);
    if (!leaves.ok()) return leaves.status();
    LogReader r(std::move(*events), std::move(*leaves), std::max<std::size_t>(batch_events, 1));
    if (auto s = r.next_leaf(); !s.ok()) return s;
    return r;
  }

  // Replaces `b`'s contents with the next events.
  void fill(Batch& b) {
    b.bytes.clear();
    b.events.clear();
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
        return;
      }
      ReadEvent& e = b.events.emplace_back();
      e.seq = static_cast<std::uint64_t>(events_.integer(0));
      const crypto::ByteView bytes = events_.blob_view(1);
      e.offset = b.bytes.size();
      e.size = bytes.size();
      b.bytes.insert(b.bytes.end(), bytes.begin(), bytes.end());
      // An event out of sequence ends the walk there (the checker names
      // it), so nothing after it is read, nor a leaf looked for.
      if (e.seq != ++expected_) {
        b.end = true;
        return;
      }
      if (auto s = find_leaf(e); !s.ok()) {
        b.status = s;
        return;
      }
    }
  }

 private:
  LogReader(store::Statement events, store::Statement leaves, std::size_t batch_events)
      : events_(std::move(events)), leaves_(std::move(leaves)), batch_events_(batch_events) {}

  absl::Status next_leaf() {
    auto row = leaves_.step();
    if (!row.ok()) return row.status();
    leaves_left_ = *row;
    return absl::OkStatus();
  }

  absl::Status find_leaf(ReadEvent& e) {
    const std::uint64_t index = crypto::merkle::leaf_index(e.seq);
    while (leaves_left_ && static_cast<std::uint64_t>(leaves_.integer(0)) < index) {
      if (auto s = next_leaf(); !s.ok()) return s;
    }
    if (leaves_left_ && static_cast<std::uint64_t>(leaves_.integer(0)) == index) {
      e.stored = true;
      e.leaf = crypto::to_array<std::tuple_size_v<crypto::Digest>>(leaves_.blob_view(1));
    }
    return absl::OkStatus();
  }

  store::Statement events_;
  store::Statement leaves_;
  std::size_t batch_events_;
  bool leaves_left_ = true;
  std::uint64_t expected_ = 0;  // the sequence number the last event should have had
};

// Hashes and checks a batch's events in order. Returns whether the walk
// goes on: false once a problem is found, or at the log's end; the failed
// read that ended the batch, if it did.
absl::StatusOr<bool> check(const Batch& b, crypto::LogVerifier& v) {
  for (const ReadEvent& e : b.events) {
    const crypto::ByteView bytes = b.bytes_of(e);
    const crypto::Digest leaf = crypto::merkle::leaf_hash(bytes);
    if (e.seq != v.size() + 1) {  // a gap or a repeat: the verifier names it
      v.add(e.seq, leaf);
      return false;
    }
    if (auto problem = wire::audit_event_problem(e.seq, bytes.data(), bytes.size())) {
      v.fail(e.seq, e.seq, *problem);
      return false;
    }
    if (e.leaf != leaf) {
      v.fail(e.seq, e.seq,
             "changed: event " + std::to_string(e.seq) +
                 (e.stored ? " does not match its leaf in the stored tree"
                           : " has no leaf in the stored tree"));
      return false;
    }
    if (!v.add(e.seq, leaf)) return false;
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

absl::Status walk_on_one_thread(LogReader& reader, crypto::LogVerifier& v) {
  Batch b;
  for (;;) {
    reader.fill(b);
    auto more = check(b, v);
    if (!more.ok()) return more.status();
    if (!*more) return absl::OkStatus();
  }
}

absl::Status walk_reading_ahead(LogReader& reader, crypto::LogVerifier& v) {
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
    more = check(*b, v);
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
  if (v.ok()) {
    auto reader = LogReader::open(c, options.batch_events);
    if (!reader.ok()) return reader.status();
    const absl::Status walked =
        options.read_ahead ? walk_reading_ahead(*reader, v) : walk_on_one_thread(*reader, v);
    if (!walked.ok()) return walked;
  }
  v.finish();
  return v;
}

}  // namespace hubtable::audit
