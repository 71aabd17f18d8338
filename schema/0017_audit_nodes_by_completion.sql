-- The audit tree's nodes keyed by the event that completes them (issue 20).
-- Keyed (level, idx), each level of the tree was a run of its own: an event
-- appended its leaf at the end of level 0's run, and each parent it
-- completed at the end of that level's run, so a commit of a few events
-- wrote a page for every level it reached (four or five, where the rest of
-- the commit writes a dozen). Keyed by the last event a node covers, then
-- its level, every node an event adds comes after every node already
-- stored: a commit's nodes share the tree's last page.
--
-- Node (level, idx) covers the events idx * 2^level + 1 .. (idx + 1) * 2^level,
-- so last_seq = (idx + 1) << level; idx is kept for the statements that name
-- a node by it (and for anyone reading the table). The leaves, level 0, are
-- still read in sequence order, along the key.
CREATE TABLE audit_nodes_by_completion (
  last_seq INTEGER NOT NULL,
  level    INTEGER NOT NULL,
  idx      INTEGER NOT NULL,
  hash     BLOB NOT NULL,
  PRIMARY KEY (last_seq, level),
  CHECK (last_seq = (idx + 1) << level)
) WITHOUT ROWID;
INSERT INTO audit_nodes_by_completion (last_seq, level, idx, hash)
  SELECT (idx + 1) << level, level, idx, hash FROM audit_nodes;
-- Dropping a table fires no trigger; its own go with it.
DROP TABLE audit_nodes;
ALTER TABLE audit_nodes_by_completion RENAME TO audit_nodes;

CREATE TRIGGER audit_nodes_no_update BEFORE UPDATE ON audit_nodes
BEGIN
  SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;

CREATE TRIGGER audit_nodes_no_delete BEFORE DELETE ON audit_nodes
BEGIN
  SELECT RAISE(ABORT, 'audit_nodes is append-only');
END;
