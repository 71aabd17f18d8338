-- The alert rules (api/alerts.cpp) count, inside the writer's transaction,
-- one person's reveals or access refusals within a window, every time that
-- person reveals or is refused. They read every event of the person in the
-- window (up to 10,000, each a lookup in the log), so a person busy with
-- other requests made each of their reveals cost that many reads, and held
-- the one writer, and everyone's writes, while it did. These indexes hold
-- only the events each rule counts, with what it reads of them, so a check
-- reads as many entries as the rule's threshold whatever else the person did.
--
-- `access_refusal` is a copy for querying, as the other columns are: 1 when
-- the event refused permission or authentication (domain::is_access_refusal).
-- Events appended before this migration keep 0; a person's refusals of the
-- last 15 minutes before an upgrade are not counted after it.
ALTER TABLE audit_events ADD COLUMN access_refusal INTEGER NOT NULL DEFAULT 0;

-- Each holds every column its query names, the constant ones of its
-- condition included: SQLite 3.15 reads the table row for any column an
-- index lacks, and would then prefer audit_events_user (user_id, seq),
-- which holds all of the person's events. 'situation.reveal' with outcome 1
-- (AUDIT_OK).
CREATE INDEX audit_events_user_reveals
  ON audit_events(user_id, seq, time_us, situation, action, outcome)
  WHERE action = 'situation.reveal' AND outcome = 1;
CREATE INDEX audit_events_user_refusals ON audit_events(user_id, seq, time_us, access_refusal)
  WHERE access_refusal = 1;
