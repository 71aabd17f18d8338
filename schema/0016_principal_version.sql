-- A new random token each time something a session's check reads changes
-- (issue 20): the session itself (its revocation), its account, the account's
-- agency, roles and tables, its certificates. Every request checks its
-- session, and the server keeps what it read of each one while the token
-- stays put (api/session_cache.h), whichever process made the change:
-- `hubtabled apply` disables accounts and changes roles from outside the
-- server. Random, not a count, as reference_version's (0012).
--
-- Refreshing a session's last use (sessions.last_seen_us) leaves the token
-- alone: the server that refreshes it keeps the new time itself, and no
-- other process does.
CREATE TABLE principal_version (
  id    INTEGER PRIMARY KEY CHECK (id = 1),
  token INTEGER NOT NULL
);
INSERT INTO principal_version (id, token) VALUES (1, random());

CREATE TRIGGER sessions_changed
  AFTER UPDATE OF token_hash, user_id, thumbprint, created_us, revoked_us ON sessions
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER sessions_deleted AFTER DELETE ON sessions
BEGIN UPDATE principal_version SET token = random(); END;

CREATE TRIGGER users_inserted AFTER INSERT ON users
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER users_updated AFTER UPDATE ON users
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER users_deleted AFTER DELETE ON users
BEGIN UPDATE principal_version SET token = random(); END;

CREATE TRIGGER role_grants_inserted AFTER INSERT ON role_grants
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER role_grants_updated AFTER UPDATE ON role_grants
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER role_grants_deleted AFTER DELETE ON role_grants
BEGIN UPDATE principal_version SET token = random(); END;

CREATE TRIGGER certificates_inserted AFTER INSERT ON certificates
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER certificates_updated AFTER UPDATE ON certificates
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER certificates_deleted AFTER DELETE ON certificates
BEGIN UPDATE principal_version SET token = random(); END;

-- A session's check reads the agency's code and name, and each of its
-- tables' code, name and time zone; a new agency or table is in no session's
-- check until a user or a role names it (which changes the token).
CREATE TRIGGER agencies_updated_for_sessions AFTER UPDATE ON agencies
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER agencies_deleted_for_sessions AFTER DELETE ON agencies
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER situation_tables_updated_for_sessions AFTER UPDATE ON situation_tables
BEGIN UPDATE principal_version SET token = random(); END;
CREATE TRIGGER situation_tables_deleted_for_sessions AFTER DELETE ON situation_tables
BEGIN UPDATE principal_version SET token = random(); END;
