-- Foundation: deployment metadata, agencies, tables, accounts, certificates,
-- sessions, login throttling and the append-only audit log.
-- Times are UTC microseconds since the Unix epoch (INTEGER).

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE agencies (
  id             INTEGER PRIMARY KEY,
  code           TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  sector         TEXT NOT NULL,
  isa_signed_on  TEXT,             -- ISO date the information-sharing agreement was signed
  isa_expires_on TEXT,             -- ISO date it ends
  created_us     INTEGER NOT NULL
);

CREATE TABLE situation_tables (
  id         INTEGER PRIMARY KEY,
  code       TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  time_zone  TEXT NOT NULL,       -- IANA name
  created_us INTEGER NOT NULL
);

CREATE TABLE table_schedules (
  table_id         INTEGER NOT NULL REFERENCES situation_tables(id) ON DELETE CASCADE,
  weekday          INTEGER NOT NULL CHECK (weekday BETWEEN 1 AND 7),  -- ISO: 1 = Monday
  start_minute     INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  duration_minutes INTEGER NOT NULL CHECK (duration_minutes BETWEEN 15 AND 480),
  PRIMARY KEY (table_id, weekday, start_minute)
);

CREATE TABLE table_agencies (
  table_id  INTEGER NOT NULL REFERENCES situation_tables(id) ON DELETE CASCADE,
  agency_id INTEGER NOT NULL REFERENCES agencies(id) ON DELETE CASCADE,
  PRIMARY KEY (table_id, agency_id)
);

CREATE TABLE users (
  id                         INTEGER PRIMARY KEY,
  username                   TEXT NOT NULL UNIQUE,
  display_name               TEXT NOT NULL,
  agency_id                  INTEGER REFERENCES agencies(id),
  password_hash              TEXT NOT NULL,      -- argon2id encoded string
  password_is_one_time       INTEGER NOT NULL DEFAULT 1,
  password_expires_us        INTEGER,            -- set for one-time passwords
  password_changed_us        INTEGER NOT NULL,
  totp_required              INTEGER NOT NULL DEFAULT 0,
  totp_secret_sealed         BLOB,               -- AES-256-GCM under the TOTP subkey
  totp_last_step             INTEGER NOT NULL DEFAULT -1,
  confidentiality_signed_on  TEXT,
  disabled_us                INTEGER,
  created_us                 INTEGER NOT NULL
);

CREATE TABLE role_grants (
  user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role     TEXT NOT NULL CHECK (role IN ('REP', 'CHAIR', 'PRIVACY_OFFICER', 'GUEST', 'ADMIN')),
  table_id INTEGER REFERENCES situation_tables(id) ON DELETE CASCADE,
  CHECK ((role = 'ADMIN') = (table_id IS NULL))
);
CREATE UNIQUE INDEX role_grants_table ON role_grants(user_id, role, table_id)
  WHERE table_id IS NOT NULL;
CREATE UNIQUE INDEX role_grants_deployment ON role_grants(user_id, role)
  WHERE table_id IS NULL;

CREATE TABLE certificates (
  thumbprint TEXT PRIMARY KEY,      -- hex SHA-256 of the DER certificate
  user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  issued_us  INTEGER NOT NULL,
  expires_us INTEGER NOT NULL,
  revoked_us INTEGER
);
CREATE INDEX certificates_user ON certificates(user_id);

CREATE TABLE sessions (
  token_hash     BLOB PRIMARY KEY,  -- SHA-256 of the 32-byte token; the token is never stored
  user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  thumbprint     TEXT NOT NULL,
  created_us     INTEGER NOT NULL,
  last_seen_us   INTEGER NOT NULL,
  revoked_us     INTEGER,
  revoked_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Failed logins for throttling. The attempted username is never stored (users
-- type passwords into it); only a known account's id and the remote address.
CREATE TABLE login_failures (
  id      INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
  address TEXT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(user_id, time_us);
CREATE INDEX login_failures_address ON login_failures(address, time_us);

-- The audit log. `event` is the deterministic protobuf serialization of
-- hubtable.v1.AuditEvent and is the record of truth; the other columns are
-- copies for querying. Append-only: the triggers below refuse changes.
CREATE TABLE audit_events (
  seq      INTEGER PRIMARY KEY,
  time_us  INTEGER NOT NULL,
  action   TEXT NOT NULL,
  outcome  INTEGER NOT NULL,
  user_id  INTEGER,
  table_code TEXT,
  situation  TEXT,
  event    BLOB NOT NULL
);
CREATE INDEX audit_events_user ON audit_events(user_id, seq);
CREATE INDEX audit_events_action ON audit_events(action, seq);

CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
