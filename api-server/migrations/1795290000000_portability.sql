-- Up Migration
-- Portable characters (seed 000: "character data portable between deployments").
-- The platform's own Ed25519 key that signs exported archives: made at first use, one row.
CREATE TABLE platform_signing_key (
  id          smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  private_key text NOT NULL,
  public_key  text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
-- Issuers whose archives the game master accepts, by key fingerprint.
CREATE TABLE trusted_issuers (
  fingerprint text PRIMARY KEY,
  name        text NOT NULL,
  public_key  text NOT NULL,
  added_at    timestamptz NOT NULL DEFAULT now()
);
-- Characters that left this platform: their items went with the archive (kept here, so a
-- retried export hands out the same one), their key was revoked.
CREATE TABLE character_exports (
  export_id    uuid PRIMARY KEY,
  character_id text NOT NULL UNIQUE,
  archive      jsonb NOT NULL,
  exported_at  timestamptz NOT NULL DEFAULT now()
);
-- Archives taken in: each at most once.
CREATE TABLE character_imports (
  export_id          uuid PRIMARY KEY,
  issuer_fingerprint text NOT NULL,
  character_id       text NOT NULL,
  imported_at        timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE character_imports;
DROP TABLE character_exports;
DROP TABLE trusted_issuers;
DROP TABLE platform_signing_key;
