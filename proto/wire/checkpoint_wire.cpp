#include "wire/checkpoint_wire.h"

namespace hubtable::wire {

namespace {
void set(std::string* field, crypto::ByteView bytes) {
  field->assign(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}
}  // namespace

void to_wire(const crypto::SignedCheckpoint& c, hubtable::v1::SignedCheckpoint& out) {
  out.set_origin(c.checkpoint.origin);
  out.set_tree_size(c.checkpoint.tree_size);
  set(out.mutable_root_hash(), c.checkpoint.root);
  out.set_time_us(c.checkpoint.time_us);
  set(out.mutable_key_id(), c.key_id);
  set(out.mutable_signature(), c.signature);
  if (c.checkpoint.rotation && c.next_signature) {
    auto* r = out.mutable_rotation();
    set(r->mutable_previous_key(), c.checkpoint.rotation->previous_key);
    set(r->mutable_next_key(), c.checkpoint.rotation->next_key);
    set(r->mutable_next_key_id(), c.next_signature->key_id);
    set(r->mutable_next_signature(), c.next_signature->signature);
  }
}

absl::StatusOr<crypto::SignedCheckpoint> from_wire(const hubtable::v1::SignedCheckpoint& c) {
  crypto::SignedCheckpoint out;
  out.checkpoint.origin = c.origin();
  out.checkpoint.tree_size = c.tree_size();
  out.checkpoint.time_us = c.time_us();
  auto root = crypto::to_array<32>(c.root_hash());
  auto key_id = crypto::to_array<4>(c.key_id());
  if (!root || !key_id) return absl::DataLossError("the server sent a malformed checkpoint");
  out.checkpoint.root = *root;
  out.key_id = *key_id;
  out.signature.assign(c.signature().begin(), c.signature().end());
  if (c.has_rotation()) {
    const auto& r = c.rotation();
    auto next_id = crypto::to_array<4>(r.next_key_id());
    if (!next_id) return absl::DataLossError("the server sent a malformed key rotation");
    out.checkpoint.rotation =
        crypto::KeyRotation{crypto::Bytes(r.previous_key().begin(), r.previous_key().end()),
                            crypto::Bytes(r.next_key().begin(), r.next_key().end())};
    out.next_signature = crypto::NoteSignature{
        *next_id, crypto::Bytes(r.next_signature().begin(), r.next_signature().end())};
  }
  return out;
}

}  // namespace hubtable::wire
