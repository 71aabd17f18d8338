-- Indexes for statements on every request's path, each of which visited
-- every row of its table (issue 20; the test
-- FilterTest.ALateAdditionCostsTheSameWhateverTheAgendaHolds counts the
-- steps).
--
-- Where a meeting's planned time ends, the largest start_offset_seconds +
-- time_box_seconds of its items, is read on every late addition (each
-- situation submitted while the table sits): with this index, one entry.
CREATE INDEX agenda_items_end ON agenda_items(meeting_id, start_offset_seconds + time_box_seconds);

-- A code checked against its vocabulary (every code of every submission and
-- update), whether a default or the table's own: the partial indexes of
-- 0002 serve only a query that names one of the two.
CREATE INDEX vocabulary_kind_code ON vocabulary(kind, code);

-- A new random token each time the reference data a submission is checked
-- against changes: vocabulary entries, agency and table names (the scanner's
-- allowed phrases). A connection keeps what it derived from them while the
-- token stays put (store/vocabulary.cpp), whichever process made the change.
-- Random, not a count: a change rolled back and another made after it must
-- not bring back a token already seen.
CREATE TABLE reference_version (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  token INTEGER NOT NULL
);
INSERT INTO reference_version (id, token) VALUES (1, random());
CREATE TRIGGER vocabulary_inserted AFTER INSERT ON vocabulary
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER vocabulary_updated AFTER UPDATE ON vocabulary
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER vocabulary_deleted AFTER DELETE ON vocabulary
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER agencies_inserted AFTER INSERT ON agencies
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER agencies_renamed AFTER UPDATE OF name ON agencies
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER agencies_deleted AFTER DELETE ON agencies
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER situation_tables_inserted AFTER INSERT ON situation_tables
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER situation_tables_renamed AFTER UPDATE OF name ON situation_tables
BEGIN UPDATE reference_version SET token = random(); END;
CREATE TRIGGER situation_tables_deleted AFTER DELETE ON situation_tables
BEGIN UPDATE reference_version SET token = random(); END;
