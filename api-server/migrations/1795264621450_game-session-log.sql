-- Up Migration
-- The Dungeon Master's session log: every command applied to a session, in order, with the
-- events it produced and the session version after it. A session is its world, its seed and
-- this log: `replay(world, seed, log)` rebuilds its state (after a restart, on another replica).
CREATE TABLE game_session_runs (
  session_id  text PRIMARY KEY,
  world_id    text NOT NULL,
  seed        bigint NOT NULL CHECK (seed >= 0 AND seed < 4294967296),
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE game_session_log (
  session_id   text NOT NULL REFERENCES game_session_runs (session_id),
  seq          integer NOT NULL CHECK (seq >= 0),
  command      jsonb NOT NULL,
  version      integer NOT NULL CHECK (version >= 0),
  accepted     boolean NOT NULL,
  events       jsonb NOT NULL CHECK (jsonb_typeof(events) = 'array'),
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, seq)
);

-- Append-only: a log entry is never changed or removed once written.
CREATE FUNCTION game_session_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'game_session_log is append-only (% refused)', TG_OP;
END;
$$;
CREATE TRIGGER game_session_log_append_only BEFORE UPDATE OR DELETE ON game_session_log
  FOR EACH ROW EXECUTE FUNCTION game_session_log_append_only();

-- Down Migration
DROP TRIGGER IF EXISTS game_session_log_append_only ON game_session_log;
DROP FUNCTION IF EXISTS game_session_log_append_only();
DROP TABLE IF EXISTS game_session_log;
DROP TABLE IF EXISTS game_session_runs;
