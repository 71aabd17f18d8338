-- The checkpoints that rotated the audit key (issue 20). Every page of the
-- log that `hubtable audit verify` reads names them, and finding them read
-- every checkpoint: one every 256 events, so about 4,000 rows for each page
-- of a log of 10^6 events. They are few: this index holds only them.
CREATE INDEX audit_checkpoints_rotations ON audit_checkpoints (tree_size)
  WHERE next_key IS NOT NULL;
