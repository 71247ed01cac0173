-- Up Migration
-- Humans in the web client (issue 13): game masters sign in with the admin token, players through
-- a one-time link the operator writes into a Secret in the player's namespace. Only hashes of
-- session ids and link codes are stored, so a database dump signs nobody in.

CREATE TABLE human_sessions (
  id_hash      text PRIMARY KEY,
  kind         text NOT NULL CHECK (kind IN ('game_master', 'player')),
  -- The one character a player session may see and act as; NULL for a game master.
  character_id text CHECK ((kind = 'player') = (character_id IS NOT NULL)),
  csrf_token   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL
);
CREATE INDEX human_sessions_character_idx ON human_sessions (character_id);

CREATE TABLE player_links (
  code_hash    text PRIMARY KEY,
  character_id text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz
);
CREATE INDEX player_links_character_idx ON player_links (character_id);

-- Down Migration
DROP TABLE player_links;
DROP TABLE human_sessions;
