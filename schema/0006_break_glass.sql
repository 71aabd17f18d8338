-- Break-glass reveals by privacy officers (issue 5). The written
-- justification is sealed under a key derived from the master key (not the
-- situation's data key: the reason for an access outlives the data), bound
-- to the situation, the officer and the time. The audit event and its alert
-- carry only this row's id. Append-only, like the audit log it supports.
CREATE TABLE break_glass (
  id           INTEGER PRIMARY KEY,
  situation_id TEXT NOT NULL,
  user_id      INTEGER NOT NULL REFERENCES users(id),
  created_us   INTEGER NOT NULL,
  sealed       BLOB NOT NULL
);

CREATE TRIGGER break_glass_no_update BEFORE UPDATE ON break_glass
BEGIN
  SELECT RAISE(ABORT, 'break_glass is append-only');
END;

CREATE TRIGGER break_glass_no_delete BEFORE DELETE ON break_glass
BEGIN
  SELECT RAISE(ABORT, 'break_glass is append-only');
END;
