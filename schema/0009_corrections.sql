-- No dead ends (issue 16): decisions corrected at the meeting that made
-- them, rejections held until that meeting closes, records amended with a
-- trail, and the events a person missed kept for them to replay.

-- A rejection's de-identified content waits here until its meeting closes
-- (or the chair erases it at once), so that a mistaken rejection can be
-- corrected. The situation row itself keeps the rejection's minimum.
CREATE TABLE held_rejections (
  situation_id       TEXT PRIMARY KEY REFERENCES situations(id) ON DELETE CASCADE,
  meeting_id         TEXT NOT NULL REFERENCES meetings(id),
  age_band           TEXT NOT NULL,
  gender             TEXT NOT NULL,
  narrative          TEXT NOT NULL,
  codes              TEXT NOT NULL DEFAULT ''  -- "kind:code" lines
);
CREATE INDEX held_rejections_meeting ON held_rejections(meeting_id);

-- Corrections of a decision, for the audit's trail and the minutes.
CREATE TABLE decision_corrections (
  id           INTEGER PRIMARY KEY,
  situation_id TEXT NOT NULL REFERENCES situations(id) ON DELETE CASCADE,
  meeting_id   TEXT NOT NULL REFERENCES meetings(id),
  from_state   TEXT NOT NULL,
  from_reason  TEXT NOT NULL DEFAULT '',
  to_state     TEXT NOT NULL,
  to_reason    TEXT NOT NULL DEFAULT '',
  corrected_by INTEGER NOT NULL REFERENCES users(id),
  corrected_us INTEGER NOT NULL
);
CREATE INDEX decision_corrections_meeting ON decision_corrections(meeting_id, id);

-- Amendments keep when and how often, never the earlier values.
ALTER TABLE situations ADD COLUMN amended_us INTEGER;
ALTER TABLE situations ADD COLUMN amendments INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interventions ADD COLUMN amended_us INTEGER;
ALTER TABLE interventions ADD COLUMN amendments INTEGER NOT NULL DEFAULT 0;

-- Live events, kept for the people who were not watching: `watch` replays
-- what a person's roles let them hear since their cursor. De-identified
-- by construction (ids, codes, one line of text a handler wrote).
CREATE TABLE pushed_events (
  seq           INTEGER PRIMARY KEY,
  time_us       INTEGER NOT NULL,
  kind          TEXT NOT NULL,
  table_code    TEXT NOT NULL,
  situation_id  TEXT NOT NULL DEFAULT '',
  agency        TEXT NOT NULL DEFAULT '',
  message       TEXT NOT NULL,
  -- The audience, as the event hub matches it (api/event_hub.h).
  agencies      TEXT NOT NULL DEFAULT '',  -- codes, comma-separated
  chairs        INTEGER NOT NULL DEFAULT 0,
  all_reps      INTEGER NOT NULL DEFAULT 0,
  privacy_officers INTEGER NOT NULL DEFAULT 0,
  every_table   INTEGER NOT NULL DEFAULT 0,
  except_user   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX pushed_events_time ON pushed_events(time_us);
CREATE TABLE watch_cursors (
  user_id  INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  last_seq INTEGER NOT NULL
);
