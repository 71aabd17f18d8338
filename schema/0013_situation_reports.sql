-- One reporting row per situation (issue 20): everything a report reads of
-- a situation, its codes, assisting agencies and intervention outcome
-- included, clustered by table and submission time. A summary of a
-- province's ten years is one pass over this table: it no longer reads the
-- child tables whole and matches their millions of rows to situations by id.
--
-- situation_report_source defines the row from the situation and its child
-- rows. Only an accepted situation (open or closed) describes anyone: the
-- codes of one awaiting a decision have not passed Filter 2, and reports do
-- not read them, so its row holds none (and writing them costs a submission
-- no more than a lookup). The triggers below make a situation's row again from it whenever one
-- of its sources changes, whichever statement changed it, so the reporting
-- row cannot drift from what it summarises (the service tests compare the
-- two after every test). A list of codes is separated by char(31), which no code
-- holds; agency ids by ','. NULL: none.
CREATE VIEW situation_report_source AS
SELECT s.table_id, s.submitted_us, s.id, s.state, s.situation_type, s.age_band, s.gender,
  s.originating_agency_id, s.decided_us, s.rejection_reason, s.intervened_us, s.lead_agency_id,
  s.ack_due_us, s.acked_us, s.intervention_due_us, s.closed_us, s.closure_reason,
  CASE WHEN s.state IN ('ACCEPTED', 'CLOSED') THEN
    (SELECT outcome FROM interventions WHERE situation_id = s.id) END AS outcome,
  CASE WHEN s.state IN ('ACCEPTED', 'CLOSED') THEN
    (SELECT group_concat(code, char(31)) FROM situation_codes
      WHERE situation_id = s.id AND kind = 'risk_factor') END AS risk_factors,
  CASE WHEN s.state IN ('ACCEPTED', 'CLOSED') THEN
    (SELECT group_concat(code, char(31)) FROM situation_codes
      WHERE situation_id = s.id AND kind = 'protective_factor') END AS protective_factors,
  CASE WHEN s.state IN ('ACCEPTED', 'CLOSED') THEN
    (SELECT group_concat(code, char(31)) FROM situation_codes
      WHERE situation_id = s.id AND kind = 'study_flag') END AS study_flags,
  CASE WHEN s.state IN ('ACCEPTED', 'CLOSED') THEN
    (SELECT group_concat(code, char(31)) FROM closure_codes
      WHERE situation_id = s.id AND kind = 'service') END AS services,
  CASE WHEN s.state IN ('ACCEPTED', 'CLOSED') THEN
    (SELECT group_concat(code, char(31)) FROM closure_codes
      WHERE situation_id = s.id AND kind = 'protective_factor') END AS closure_protective_factors,
  CASE WHEN s.state IN ('ACCEPTED', 'CLOSED') THEN
    (SELECT group_concat(agency_id, ',') FROM situation_agencies
      WHERE situation_id = s.id AND role = 'ASSISTING') END AS assisting_agencies
FROM situations s;

CREATE TABLE situation_reports (
  table_id                   INTEGER NOT NULL,
  submitted_us               INTEGER NOT NULL,
  id                         TEXT NOT NULL,
  state                      TEXT NOT NULL,
  situation_type             TEXT NOT NULL,
  age_band                   TEXT,
  gender                     TEXT,
  originating_agency_id      INTEGER NOT NULL,
  decided_us                 INTEGER,
  rejection_reason           TEXT,
  intervened_us              INTEGER,
  lead_agency_id             INTEGER,
  ack_due_us                 INTEGER,
  acked_us                   INTEGER,
  intervention_due_us        INTEGER,
  closed_us                  INTEGER,
  closure_reason             TEXT,
  outcome                    TEXT,
  risk_factors               TEXT,
  protective_factors         TEXT,
  study_flags                TEXT,
  services                   TEXT,
  closure_protective_factors TEXT,
  assisting_agencies         TEXT,
  PRIMARY KEY (table_id, submitted_us, id)
) WITHOUT ROWID;

INSERT INTO situation_reports SELECT * FROM situation_report_source ORDER BY 1, 2, 3;

-- Makes a situation's reporting row again: `INSERT INTO
-- situation_report_refresh (id) VALUES (...)`. Plain statements, not INSERT
-- OR REPLACE: the conflict policy of the statement that fired a trigger
-- (INSERT OR IGNORE INTO situation_codes...) overrides the trigger's own.
CREATE VIEW situation_report_refresh AS SELECT id FROM situations WHERE 0;
CREATE TRIGGER situation_report_refreshed INSTEAD OF INSERT ON situation_report_refresh
BEGIN
  DELETE FROM situation_reports WHERE id = NEW.id
    AND table_id = (SELECT table_id FROM situations WHERE id = NEW.id)
    AND submitted_us = (SELECT submitted_us FROM situations WHERE id = NEW.id);
  INSERT INTO situation_reports SELECT * FROM situation_report_source WHERE id = NEW.id;
END;

-- The situation itself: its row made again when a column the report reads
-- changes (not its narrative, notes or last update), the old one removed
-- under its old key.
CREATE TRIGGER situation_reports_situation_inserted AFTER INSERT ON situations
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (NEW.id);
END;
CREATE TRIGGER situation_reports_situation_updated AFTER UPDATE OF
  id, table_id, submitted_us, state, situation_type, age_band, gender, originating_agency_id,
  decided_us, rejection_reason, intervened_us, lead_agency_id, ack_due_us, acked_us,
  intervention_due_us, closed_us, closure_reason ON situations
BEGIN
  DELETE FROM situation_reports
    WHERE table_id = OLD.table_id AND submitted_us = OLD.submitted_us AND id = OLD.id;
  INSERT INTO situation_report_refresh (id) VALUES (NEW.id);
END;
CREATE TRIGGER situation_reports_situation_deleted AFTER DELETE ON situations
BEGIN
  DELETE FROM situation_reports
    WHERE table_id = OLD.table_id AND submitted_us = OLD.submitted_us AND id = OLD.id;
END;

-- A child row of an accepted situation added, changed or removed: its
-- situation's row made again (a child whose situation is gone makes
-- nothing).
CREATE TRIGGER situation_reports_code_inserted AFTER INSERT ON situation_codes
  WHEN (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (NEW.situation_id);
END;
CREATE TRIGGER situation_reports_code_updated AFTER UPDATE ON situation_codes
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
    OR (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
  INSERT INTO situation_report_refresh (id) SELECT NEW.situation_id
    WHERE NEW.situation_id IS NOT OLD.situation_id;
END;
CREATE TRIGGER situation_reports_code_deleted AFTER DELETE ON situation_codes
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
END;
CREATE TRIGGER situation_reports_closure_code_inserted AFTER INSERT ON closure_codes
  WHEN (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (NEW.situation_id);
END;
CREATE TRIGGER situation_reports_closure_code_updated AFTER UPDATE ON closure_codes
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
    OR (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
  INSERT INTO situation_report_refresh (id) SELECT NEW.situation_id
    WHERE NEW.situation_id IS NOT OLD.situation_id;
END;
CREATE TRIGGER situation_reports_closure_code_deleted AFTER DELETE ON closure_codes
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
END;
CREATE TRIGGER situation_reports_agency_inserted AFTER INSERT ON situation_agencies
  WHEN (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (NEW.situation_id);
END;
CREATE TRIGGER situation_reports_agency_updated AFTER UPDATE ON situation_agencies
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
    OR (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
  INSERT INTO situation_report_refresh (id) SELECT NEW.situation_id
    WHERE NEW.situation_id IS NOT OLD.situation_id;
END;
CREATE TRIGGER situation_reports_agency_deleted AFTER DELETE ON situation_agencies
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
END;
CREATE TRIGGER situation_reports_intervention_inserted AFTER INSERT ON interventions
  WHEN (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (NEW.situation_id);
END;
CREATE TRIGGER situation_reports_intervention_updated AFTER UPDATE ON interventions
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
    OR (SELECT state FROM situations WHERE id = NEW.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
  INSERT INTO situation_report_refresh (id) SELECT NEW.situation_id
    WHERE NEW.situation_id IS NOT OLD.situation_id;
END;
CREATE TRIGGER situation_reports_intervention_deleted AFTER DELETE ON interventions
  WHEN (SELECT state FROM situations WHERE id = OLD.situation_id) IN ('ACCEPTED', 'CLOSED')
BEGIN
  INSERT INTO situation_report_refresh (id) VALUES (OLD.situation_id);
END;

-- Reports read situation_reports now; 0007's covering index served them.
DROP INDEX situations_report;
