-- Running for years (issue 18): accounts nobody uses are disabled by the
-- clock. Why an account is disabled is kept, so that `hubtabled apply`,
-- which follows its file, does not quietly re-enable one the clock
-- disabled (`hubtabled enable-account` does, on purpose).
ALTER TABLE users ADD COLUMN disabled_reason TEXT;  -- NULL: by the deployment file; 'unused'
-- A one-time password that expired unused is audited once.
ALTER TABLE users ADD COLUMN password_expiry_audited INTEGER NOT NULL DEFAULT 0;
