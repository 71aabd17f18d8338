-- Meetings, attendance, frozen agendas and de-identified situations
-- (Filters 1 and 2). No column here ever holds a direct identifier: the
-- narrative and notes are scanned before they are stored, and identities
-- (Filter 3) live elsewhere, sealed.

CREATE TABLE meetings (
  id                 TEXT PRIMARY KEY,   -- "<table>-YYYYMMDD-HHMM", local start
  table_id           INTEGER NOT NULL REFERENCES situation_tables(id) ON DELETE CASCADE,
  scheduled_start_us INTEGER NOT NULL,
  duration_minutes   INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
  unscheduled        INTEGER NOT NULL DEFAULT 0,
  opened_us          INTEGER NOT NULL,
  opened_by          INTEGER NOT NULL REFERENCES users(id),
  closed_us          INTEGER,
  closed_by          INTEGER REFERENCES users(id),
  agenda_frozen_us   INTEGER NOT NULL,
  available_seconds  INTEGER NOT NULL
);
-- At most one open meeting per table.
CREATE UNIQUE INDEX meetings_one_open ON meetings(table_id) WHERE closed_us IS NULL;
CREATE INDEX meetings_table_start ON meetings(table_id, scheduled_start_us);

-- One row per person per meeting; the agency is the one they held at check-in.
CREATE TABLE attendance (
  meeting_id          TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  user_id             INTEGER NOT NULL REFERENCES users(id),
  agency_id           INTEGER REFERENCES agencies(id),
  role                TEXT NOT NULL CHECK (role IN ('CHAIR', 'REP', 'PRIVACY_OFFICER', 'GUEST')),
  presents_for_agency INTEGER NOT NULL DEFAULT 0,  -- holds REP at this table for agency_id
  checked_in_us       INTEGER NOT NULL,
  PRIMARY KEY (meeting_id, user_id)
);

CREATE TABLE situations (
  id                    TEXT PRIMARY KEY,  -- opaque, random
  table_id              INTEGER NOT NULL REFERENCES situation_tables(id),
  originating_agency_id INTEGER NOT NULL REFERENCES agencies(id),
  submitted_by          INTEGER NOT NULL REFERENCES users(id),
  submitted_us          INTEGER NOT NULL,
  filter1_attested_us   INTEGER NOT NULL,
  state                 TEXT NOT NULL CHECK (state IN
                          ('AWAITING_DECISION', 'ACCEPTED', 'REJECTED', 'WITHDRAWN', 'CLOSED')),
  situation_type        TEXT NOT NULL,
  -- Cleared (NULL) when a situation is rejected or withdrawn.
  age_band              TEXT,
  gender                TEXT,
  narrative             TEXT,
  decision_note         TEXT,
  decided_us            INTEGER,
  decided_meeting_id    TEXT REFERENCES meetings(id),
  decided_by            INTEGER REFERENCES users(id),
  rejection_reason      TEXT,
  withdrawn_us          INTEGER,
  intervened_us         INTEGER,  -- Filter 4: first intervention recorded
  CHECK ((state IN ('REJECTED', 'WITHDRAWN')) =
         (narrative IS NULL AND age_band IS NULL AND gender IS NULL AND decision_note IS NULL))
);
CREATE INDEX situations_table_state ON situations(table_id, state, submitted_us);

-- Risk factors, protective factors and study flags of a situation. Deleted
-- when it is rejected or withdrawn.
CREATE TABLE situation_codes (
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  kind         TEXT NOT NULL CHECK (kind IN ('risk_factor', 'protective_factor', 'study_flag')),
  code         TEXT NOT NULL,
  PRIMARY KEY (situation_id, kind, code)
);

-- The agenda frozen when a meeting opens, plus late additions.
CREATE TABLE agenda_items (
  meeting_id           TEXT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
  position             INTEGER NOT NULL,
  situation_id         TEXT NOT NULL REFERENCES situations(id),
  section              TEXT NOT NULL CHECK (section IN ('NEW', 'RETURNING', 'OVERDUE')),
  time_box_seconds     INTEGER NOT NULL,
  start_offset_seconds INTEGER NOT NULL,
  late                 INTEGER NOT NULL DEFAULT 0,
  beyond_time          INTEGER NOT NULL DEFAULT 0,
  outcome              TEXT NOT NULL DEFAULT '' CHECK (outcome IN ('', 'ACCEPTED', 'REJECTED', 'WITHDRAWN')),
  PRIMARY KEY (meeting_id, position),
  UNIQUE (meeting_id, situation_id)
);
