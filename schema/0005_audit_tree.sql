-- Tamper evidence for the audit log (DESIGN.md, "Audit"; RFC 6962).
--
-- audit_nodes holds every perfect subtree of the Merkle tree over
-- audit_events: node (level, idx) is the hash over the events with sequence
-- numbers idx * 2^level + 1 .. (idx + 1) * 2^level. Level 0 is each event's
-- leaf hash, SHA-256(0x00 || event). Appending an event adds its leaf and the
-- parents it completes (one on average), so appends stay constant-time and
-- any inclusion or consistency proof takes O(log n) lookups.
CREATE TABLE audit_nodes (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  hash  BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;

-- Signed checkpoints: the tree's root at a size, signed with the audit
-- signing key (Ed25519). A checkpoint's last event is its own
-- "audit.checkpoint" event.
CREATE TABLE audit_checkpoints (
  tree_size INTEGER PRIMARY KEY,
  time_us   INTEGER NOT NULL,
  origin    TEXT NOT NULL,
  root_hash BLOB NOT NULL,
  key_id    BLOB NOT NULL,
  signature BLOB NOT NULL
);

CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE ON audit_nodes
BEGIN
  SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;
CREATE TRIGGER audit_nodes_no_delete BEFORE DELETE ON audit_nodes
BEGIN
  SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
  SELECT RAISE(ABORT, 'audit_checkpoints is append-only');
END;
