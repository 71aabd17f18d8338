-- Running for years (issue 18): the audit signing key can be rotated. The
-- checkpoint that rotates it names the previous and the next public key (raw
-- Ed25519, 32 bytes each) and carries the next key's signature (its key id
-- and signature, 4 + 64 bytes) beside the previous key's. NULL on every other
-- checkpoint.
ALTER TABLE audit_checkpoints ADD COLUMN previous_key BLOB;
ALTER TABLE audit_checkpoints ADD COLUMN next_key BLOB;
ALTER TABLE audit_checkpoints ADD COLUMN next_signature BLOB;
