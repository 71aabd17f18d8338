-- Vocabularies: the defaults (synced from schema/vocab/*.csv on every start)
-- and the entries a table adds through `apply`. Codes are stable and never
-- deleted (records refer to them); labels may change; a default that leaves
-- the CSVs is marked retired.

CREATE TABLE vocabulary (
  id       INTEGER PRIMARY KEY,
  kind     TEXT NOT NULL,
  code     TEXT NOT NULL,
  label    TEXT NOT NULL,
  parent   TEXT NOT NULL DEFAULT '',   -- risk_factor: its risk_category code
  details  TEXT NOT NULL DEFAULT '',   -- "key=value" lines
  table_id INTEGER REFERENCES situation_tables(id) ON DELETE CASCADE,  -- NULL: a default
  retired  INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX vocabulary_default ON vocabulary(kind, code) WHERE table_id IS NULL;
CREATE UNIQUE INDEX vocabulary_table ON vocabulary(kind, code, table_id) WHERE table_id IS NOT NULL;
