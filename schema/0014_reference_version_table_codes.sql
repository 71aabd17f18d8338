-- A table's code is part of what a submission is checked against: the
-- vocabulary entries a connection keeps (store/vocabulary.cpp) are found by
-- it. No statement changes a code today; should one, the token moves with
-- it as with a rename.
DROP TRIGGER situation_tables_renamed;
CREATE TRIGGER situation_tables_renamed AFTER UPDATE OF name, code ON situation_tables
BEGIN UPDATE reference_version SET token = random(); END;
