-- Up Migration
-- A snapshot is read back into the rules, which iterate the state's maps in insertion order;
-- jsonb sorts object keys (by length, then bytes), json keeps the text as written. Snapshots
-- stored as jsonb are dropped: a new owner then replays the whole log, and writes a new one.
DELETE FROM game_session_snapshots;
ALTER TABLE game_session_snapshots ALTER COLUMN state TYPE json USING state::json;

-- Down Migration
ALTER TABLE game_session_snapshots ALTER COLUMN state TYPE jsonb USING state::jsonb;
