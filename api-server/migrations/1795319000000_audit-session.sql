-- Up Migration
-- The game session an audit entry belongs to, so the game master can read one session's trail
-- (GET /api/gm/audit?session=...) even after its corpses decayed and their rows are gone.
ALTER TABLE audit_log ADD COLUMN session_id TEXT NULL;
CREATE INDEX idx_audit_log_session ON audit_log(session_id, occurred_at);

-- Down Migration
DROP INDEX IF EXISTS idx_audit_log_session;
ALTER TABLE audit_log DROP COLUMN IF EXISTS session_id;
