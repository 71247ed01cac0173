-- Up Migration
-- Many replicas (issue 11): an action is applied if and only if it is reported, and a session
-- has one owner at a time.

-- Events leave through this outbox, written in the transaction that made the change; a relay
-- publishes them to Redis in id order and marks them. `event_id` is the envelope's id, stable
-- across re-publishing, so subscribers can drop a duplicate.
CREATE TABLE event_outbox (
  id            bigserial PRIMARY KEY,
  event_id      uuid NOT NULL UNIQUE,
  session_id    text NOT NULL,
  channel       text NOT NULL,
  envelope      jsonb NOT NULL CHECK (jsonb_typeof(envelope) = 'object'),
  -- The engine's state version (published through the versioned script), null for the others.
  version       integer CHECK (version IS NULL OR version >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz
);
CREATE INDEX event_outbox_pending_idx ON event_outbox (id) WHERE published_at IS NULL;
CREATE INDEX event_outbox_published_idx ON event_outbox (published_at) WHERE published_at IS NOT NULL;

-- clientActionId is idempotent: the first answer is stored with the action and given again.
ALTER TABLE actions
  ADD COLUMN reason  text,
  ADD COLUMN version integer;
CREATE UNIQUE INDEX actions_client_action_idx ON actions (character_id, client_action_id) WHERE client_action_id IS NOT NULL;

-- One owner per session: a lease with a fencing token. The token rises whenever the lease
-- changes hands; every log entry is written only while the writer's token is the current one.
-- Expiry is judged by this database's clock, the one clock all replicas share.
CREATE TABLE session_owners (
  session_id  text PRIMARY KEY,
  owner_id    text NOT NULL,
  owner_url   text NOT NULL,
  token       bigint NOT NULL CHECK (token > 0),
  expires_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_owners_expiry_idx ON session_owners (expires_at);

-- The state after log entry `seq`, so a new owner replays only the entries after it.
CREATE TABLE game_session_snapshots (
  session_id   text PRIMARY KEY REFERENCES game_session_runs (session_id),
  seq          integer NOT NULL CHECK (seq >= 0),
  state        jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE IF EXISTS game_session_snapshots;
DROP TABLE IF EXISTS session_owners;
DROP INDEX IF EXISTS actions_client_action_idx;
ALTER TABLE actions DROP COLUMN IF EXISTS reason, DROP COLUMN IF EXISTS version;
DROP TABLE IF EXISTS event_outbox;
