#include "audit/log_store.h"

#include <limits>
#include <string>

namespace hubtable::audit {

namespace merkle = crypto::merkle;

namespace {

crypto::Digest to_digest(const crypto::Bytes& b) {
  return crypto::to_array<32>(b).value_or(crypto::Digest{});
}

absl::Status insert_node(store::Statement& ins, const merkle::NodeId& id, const crypto::Digest& h) {
  ins.reset();
  ins.bind(1, std::int64_t{id.level})
      .bind(2, static_cast<std::int64_t>(id.index))
      .bind(3, crypto::ByteView(h));
  return ins.run();
}

std::string node_name(const merkle::NodeId& id) {
  return std::to_string(id.level) + "/" + std::to_string(id.index);
}

constexpr const char* kCheckpointColumns =
    "SELECT tree_size, time_us, origin, root_hash, key_id, signature, previous_key, next_key, "
    "next_signature FROM audit_checkpoints ";

crypto::SignedCheckpoint read_checkpoint(const store::Statement& s) {
  crypto::SignedCheckpoint cp;
  cp.checkpoint.tree_size = static_cast<std::uint64_t>(s.integer(0));
  cp.checkpoint.time_us = s.integer(1);
  cp.checkpoint.origin = s.text(2);
  cp.checkpoint.root = to_digest(s.blob(3));
  const crypto::Bytes id = s.blob(4);
  cp.key_id = crypto::to_array<4>(id).value_or(crypto::KeyId{});
  cp.signature = s.blob(5);
  if (!s.is_null(6)) {
    cp.checkpoint.rotation = crypto::KeyRotation{s.blob(6), s.blob(7)};
    const crypto::Bytes next = s.blob(8);
    crypto::NoteSignature sig;
    if (next.size() > sig.key_id.size()) {
      std::copy_n(next.begin(), sig.key_id.size(), sig.key_id.begin());
      sig.signature.assign(next.begin() + static_cast<std::ptrdiff_t>(sig.key_id.size()),
                           next.end());
    }
    cp.next_signature = std::move(sig);
  }
  return cp;
}

absl::StatusOr<std::vector<crypto::SignedCheckpoint>> query_checkpoints(
    store::Connection& c, const std::string& tail, std::initializer_list<std::int64_t> args = {}) {
  auto s = c.prepare(kCheckpointColumns + tail);
  if (!s.ok()) return s.status();
  int n = 0;
  for (const std::int64_t arg : args) s->bind(++n, arg);
  std::vector<crypto::SignedCheckpoint> out;
  if (auto st =
          s->for_each_row([&](const store::Statement& r) { out.push_back(read_checkpoint(r)); });
      !st.ok()) {
    return st;
  }
  return out;
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> first_of(
    absl::StatusOr<std::vector<crypto::SignedCheckpoint>> list) {
  if (!list.ok()) return list.status();
  if (list->empty()) return std::nullopt;
  return std::move(list->front());
}

}  // namespace

std::optional<crypto::Digest> StoredNodes::get(const merkle::NodeId& id) {
  if (!stmt_) {
    auto s =
        c_.prepare("SELECT hash FROM audit_nodes WHERE last_seq = (?2 + 1) << ?1 AND level = ?1");
    if (!s.ok()) return std::nullopt;
    stmt_.emplace(std::move(*s));
  }
  stmt_->reset();
  stmt_->bind(1, std::int64_t{id.level}).bind(2, static_cast<std::int64_t>(id.index));
  auto row = stmt_->step();
  if (!row.ok() || !*row) return std::nullopt;
  const crypto::Bytes b = stmt_->blob(0);
  if (b.size() != crypto::Digest{}.size()) return std::nullopt;
  return to_digest(b);
}

absl::Status add_leaf(store::Connection& c, std::uint64_t seq, crypto::ByteView event) {
  if (seq == 0) return absl::InvalidArgumentError("audit: sequence numbers start at 1");
  StoredNodes nodes(c);
  const std::uint64_t index = crypto::merkle::leaf_index(seq);
  if (index > 0 && !nodes.get({0, index - 1})) {
    return absl::DataLossError("audit: the tree lacks event " + std::to_string(index) +
                               "; run catch_up_tree");
  }
  auto ins = c.prepare(
      "INSERT INTO audit_nodes (last_seq, level, idx, hash) VALUES ((?2 + 1) << ?1, ?1, ?2, ?3)");
  if (!ins.ok()) return ins.status();
  merkle::NodeId id{0, index};
  crypto::Digest h = merkle::leaf_hash(event);
  if (auto s = insert_node(*ins, id, h); !s.ok()) return s;
  while ((id.index & 1U) != 0) {
    const merkle::NodeId left{id.level, id.index - 1};
    auto sibling = nodes.get(left);
    if (!sibling) return absl::DataLossError("audit: the tree lacks node " + node_name(left));
    h = merkle::node_hash(*sibling, h);
    id = {id.level + 1, id.index >> 1};
    if (auto s = insert_node(*ins, id, h); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::uint64_t> tree_size(store::Connection& c) {
  auto s = c.prepare(
      "SELECT COALESCE((SELECT last_seq FROM audit_nodes WHERE level = 0 ORDER BY last_seq DESC "
      "LIMIT 1), 0)");
  if (!s.ok()) return s.status();
  auto row = s->step();
  if (!row.ok()) return row.status();
  return static_cast<std::uint64_t>(s->integer(0));
}

absl::StatusOr<std::uint64_t> catch_up_tree(store::Connection& c) {
  auto size = tree_size(c);
  if (!size.ok()) return size.status();
  auto s = c.prepare("SELECT seq, event FROM audit_events WHERE seq > ?1 ORDER BY seq");
  if (!s.ok()) return s.status();
  s->bind(1, static_cast<std::int64_t>(*size));
  std::uint64_t added = 0;
  for (;;) {
    auto row = s->step();
    if (!row.ok()) return row.status();
    if (!*row) return added;
    const crypto::Bytes bytes = s->blob(1);
    if (auto st = add_leaf(c, static_cast<std::uint64_t>(s->integer(0)), bytes); !st.ok()) {
      return st;
    }
    ++added;
  }
}

absl::StatusOr<crypto::Digest> stored_root(store::Connection& c, std::uint64_t size) {
  StoredNodes nodes(c);
  return merkle::range_hash(0, size, nodes.lookup());
}

absl::Status store_checkpoint(store::Connection& c, const crypto::SignedCheckpoint& cp) {
  auto s = c.prepare(
      "INSERT INTO audit_checkpoints (tree_size, time_us, origin, root_hash, key_id, signature, "
      "previous_key, next_key, next_signature) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
  if (!s.ok()) return s.status();
  s->bind(1, static_cast<std::int64_t>(cp.checkpoint.tree_size))
      .bind(2, cp.checkpoint.time_us)
      .bind(3, cp.checkpoint.origin)
      .bind(4, crypto::ByteView(cp.checkpoint.root))
      .bind(5, crypto::ByteView(cp.key_id))
      .bind(6, crypto::ByteView(cp.signature));
  if (cp.checkpoint.rotation && cp.next_signature) {
    crypto::Bytes next(cp.next_signature->key_id.begin(), cp.next_signature->key_id.end());
    next.insert(next.end(), cp.next_signature->signature.begin(),
                cp.next_signature->signature.end());
    s->bind(7, crypto::ByteView(cp.checkpoint.rotation->previous_key))
        .bind(8, crypto::ByteView(cp.checkpoint.rotation->next_key))
        .bind(9, crypto::ByteView(next));
  }
  return s->run();
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> latest_checkpoint(store::Connection& c) {
  return first_of(query_checkpoints(c, "ORDER BY tree_size DESC LIMIT 1"));
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> checkpoint_at(store::Connection& c,
                                                                      std::uint64_t size) {
  return first_of(query_checkpoints(c, "WHERE tree_size = ?1", {static_cast<std::int64_t>(size)}));
}

absl::StatusOr<std::vector<crypto::SignedCheckpoint>> all_checkpoints(store::Connection& c) {
  return query_checkpoints(c, "ORDER BY tree_size");
}

absl::StatusOr<std::vector<crypto::SignedCheckpoint>> checkpoints_between(
    store::Connection& c, std::uint64_t after, std::optional<std::uint64_t> through) {
  const std::int64_t last =
      through ? static_cast<std::int64_t>(*through) : std::numeric_limits<std::int64_t>::max();
  return query_checkpoints(c, "WHERE tree_size > ?1 AND tree_size <= ?2 ORDER BY tree_size",
                           {static_cast<std::int64_t>(after), last});
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> earliest_checkpoint(store::Connection& c) {
  return first_of(query_checkpoints(c, "ORDER BY tree_size LIMIT 1"));
}

absl::StatusOr<std::optional<crypto::SignedCheckpoint>> last_key_rotation(store::Connection& c) {
  return first_of(
      query_checkpoints(c, "WHERE next_key IS NOT NULL ORDER BY tree_size DESC LIMIT 1"));
}

absl::StatusOr<std::vector<crypto::SignedCheckpoint>> key_rotations(store::Connection& c) {
  return query_checkpoints(c, "WHERE next_key IS NOT NULL ORDER BY tree_size");
}

}  // namespace hubtable::audit
