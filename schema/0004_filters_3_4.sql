-- Filters 3 and 4: joined agencies, the sealed identity vault, lead routing,
-- deadlines, interventions, status updates, closure and crypto-shredding.
--
-- Identifying values never appear here in plaintext: each is sealed with the
-- situation's data key, whose wrapped form lives in the separate key store
-- (keys.data_keys, see store/database.cpp) with the blind index. A purge
-- deletes the wrapped key and these sealed rows (secure_delete zeroes them).

-- Per-table deadlines and retention.
ALTER TABLE situation_tables ADD COLUMN ack_hours INTEGER NOT NULL DEFAULT 4;
ALTER TABLE situation_tables ADD COLUMN intervention_hours INTEGER NOT NULL DEFAULT 48;
ALTER TABLE situation_tables ADD COLUMN retention_days INTEGER NOT NULL DEFAULT 30;

ALTER TABLE situations ADD COLUMN lead_agency_id INTEGER REFERENCES agencies(id);
ALTER TABLE situations ADD COLUMN assigned_us INTEGER;
ALTER TABLE situations ADD COLUMN assigned_by INTEGER REFERENCES users(id);
ALTER TABLE situations ADD COLUMN ack_due_us INTEGER;
ALTER TABLE situations ADD COLUMN acked_us INTEGER;
ALTER TABLE situations ADD COLUMN acked_by INTEGER REFERENCES users(id);
ALTER TABLE situations ADD COLUMN intervention_due_us INTEGER;
ALTER TABLE situations ADD COLUMN last_update_us INTEGER;
ALTER TABLE situations ADD COLUMN closed_us INTEGER;
ALTER TABLE situations ADD COLUMN closed_by INTEGER REFERENCES users(id);
ALTER TABLE situations ADD COLUMN closure_reason TEXT;
ALTER TABLE situations ADD COLUMN purge_due_us INTEGER;  -- closure + the table's retention
ALTER TABLE situations ADD COLUMN purged_us INTEGER;

-- Agencies that self-identified as having a role (Filter 3), and the lead
-- and assisting agencies the chair named among them.
CREATE TABLE situation_agencies (
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  agency_id    INTEGER NOT NULL REFERENCES agencies(id),
  joined_us    INTEGER NOT NULL,
  joined_by    INTEGER REFERENCES users(id),  -- NULL for the originating agency
  role         TEXT NOT NULL DEFAULT 'JOINED' CHECK (role IN ('JOINED', 'LEAD', 'ASSISTING')),
  PRIMARY KEY (situation_id, agency_id)
);
CREATE INDEX situation_agencies_agency ON situation_agencies(agency_id, role);

-- That a situation's people were identified, by whom, under which authority.
CREATE TABLE identities (
  situation_id    TEXT PRIMARY KEY REFERENCES situations(id) ON DELETE CASCADE,
  people          INTEGER NOT NULL CHECK (people BETWEEN 1 AND 10),
  legal_authority TEXT NOT NULL,
  identified_us   INTEGER NOT NULL,
  identified_by   INTEGER NOT NULL REFERENCES users(id),
  purged_us       INTEGER
);

-- One sealed identifying field of one person ("name", "date_of_birth", ...).
CREATE TABLE sealed_fields (
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  person       INTEGER NOT NULL,
  field        TEXT NOT NULL,
  sealed       BLOB NOT NULL,
  PRIMARY KEY (situation_id, person, field)
);

-- Filter 4 planning notes: sealed with the situation's data key.
CREATE TABLE planning_notes (
  id           INTEGER PRIMARY KEY,
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  agency_id    INTEGER NOT NULL REFERENCES agencies(id),
  author_id    INTEGER NOT NULL REFERENCES users(id),
  created_us   INTEGER NOT NULL,
  sealed       BLOB NOT NULL
);
CREATE INDEX planning_notes_situation ON planning_notes(situation_id, id);

CREATE TABLE interventions (
  situation_id TEXT PRIMARY KEY REFERENCES situations(id) ON DELETE CASCADE,
  occurred_us  INTEGER NOT NULL,
  outcome      TEXT NOT NULL,
  recorded_by  INTEGER NOT NULL REFERENCES users(id),
  recorded_us  INTEGER NOT NULL
);
CREATE TABLE intervention_agencies (
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  agency_id    INTEGER NOT NULL REFERENCES agencies(id),
  PRIMARY KEY (situation_id, agency_id)
);

-- De-identified status updates given by the lead at later meetings (scanned
-- like the narrative before they are stored).
CREATE TABLE status_updates (
  id           INTEGER PRIMARY KEY,
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  agency_id    INTEGER NOT NULL REFERENCES agencies(id),
  author_id    INTEGER NOT NULL REFERENCES users(id),
  meeting_id   TEXT REFERENCES meetings(id),
  created_us   INTEGER NOT NULL,
  text         TEXT NOT NULL
);
CREATE INDEX status_updates_situation ON status_updates(situation_id, id);

-- What closure recorded: services mobilized and protective factors.
CREATE TABLE closure_codes (
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('service', 'protective_factor')),
  code         TEXT NOT NULL,
  PRIMARY KEY (situation_id, kind, code)
);

CREATE INDEX situations_purge_due ON situations(purge_due_us) WHERE purged_us IS NULL;
