-- Up Migration

-- API keys: one per character, stored as the SHA-256 of the key; the key itself is shown once.
CREATE TABLE api_keys (
  character_id text PRIMARY KEY,
  key_hash     text NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

CREATE TABLE sessions (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  world_id    text NOT NULL,
  capacity    integer NOT NULL CHECK (capacity > 0),
  status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE characters (
  character_id       text PRIMARY KEY,
  name               text NOT NULL,
  class              text NOT NULL,
  level              integer NOT NULL CHECK (level BETWEEN 1 AND 20),
  container_endpoint text NOT NULL,
  capabilities       text[] NOT NULL,
  version            text NOT NULL,
  session_id         text REFERENCES sessions (id),
  status             text NOT NULL CHECK (status IN ('registered', 'deregistered')),
  -- SHA-256 of the character's event-bus password, so Redis ACL users can be recreated after a
  -- Redis restart without the registry ever storing the password.
  bus_password_hash  text,
  registered_at      timestamptz NOT NULL DEFAULT now(),
  last_heartbeat_at  timestamptz,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX characters_session_idx ON characters (session_id) WHERE status = 'registered';

CREATE TABLE actions (
  id               uuid PRIMARY KEY,
  character_id     text NOT NULL,
  session_id       text NOT NULL REFERENCES sessions (id),
  type             text NOT NULL,
  payload          jsonb NOT NULL,
  client_action_id text,
  status           text NOT NULL CHECK (status IN ('accepted', 'rejected')),
  outcome          jsonb,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX actions_session_created_idx ON actions (session_id, created_at);
CREATE INDEX actions_character_created_idx ON actions (character_id, created_at);

-- Down Migration
DROP TABLE actions;
DROP TABLE characters;
DROP TABLE sessions;
DROP TABLE api_keys;
