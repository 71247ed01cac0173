-- Up Migration
-- Credentials end with their grounds (issue 11 items 2, 3, 9, 12).

-- The Character's spec as the operator sent it when minting: registrations must match it.
-- NULL only for keys minted before specs were recorded; those are refused until re-minted.
ALTER TABLE api_keys ADD COLUMN spec jsonb CHECK (spec IS NULL OR jsonb_typeof(spec) = 'object');

-- The character's credential generation: every registration and every revocation starts a new
-- one; tokens carry the generation they were issued for, so older tokens stop working at once.
ALTER TABLE characters ADD COLUMN credential_generation integer NOT NULL DEFAULT 0;
-- Why a character stopped being registered: deregistered, revoked, heartbeat-expired.
ALTER TABLE characters ADD COLUMN left_reason text;
-- The heartbeat sweeper looks for registered characters that have gone quiet.
CREATE INDEX characters_heartbeat_idx ON characters (last_heartbeat_at) WHERE status = 'registered';

-- Down Migration
DROP INDEX characters_heartbeat_idx;
ALTER TABLE characters DROP COLUMN left_reason;
ALTER TABLE characters DROP COLUMN credential_generation;
ALTER TABLE api_keys DROP COLUMN spec;
