-- Up Migration
-- Registrations claim a seat with one conditional statement on the session's row instead of a
-- global lock and a count over every session: the row carries its registered-member count, kept
-- true by a trigger on `characters`, so every path that registers, moves, deregisters or expires a
-- character (now or later) keeps it in step without remembering to.
ALTER TABLE sessions ADD COLUMN members integer NOT NULL DEFAULT 0 CHECK (members >= 0);

UPDATE sessions s SET members = c.n
  FROM (SELECT session_id, count(*) AS n FROM characters WHERE status = 'registered' AND session_id IS NOT NULL GROUP BY session_id) c
 WHERE c.session_id = s.id;

CREATE FUNCTION sessions_count_members() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_seat text := NULL;
  new_seat text := NULL;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'registered' THEN old_seat := OLD.session_id; END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'registered' THEN new_seat := NEW.session_id; END IF;
  IF old_seat IS NOT DISTINCT FROM new_seat THEN RETURN NULL; END IF;
  IF old_seat IS NOT NULL THEN UPDATE sessions SET members = members - 1 WHERE id = old_seat; END IF;
  IF new_seat IS NOT NULL THEN UPDATE sessions SET members = members + 1 WHERE id = new_seat; END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER characters_count_members
  AFTER INSERT OR DELETE OR UPDATE OF status, session_id ON characters
  FOR EACH ROW EXECUTE FUNCTION sessions_count_members();

-- Down Migration
DROP TRIGGER characters_count_members ON characters;
DROP FUNCTION sessions_count_members();
ALTER TABLE sessions DROP COLUMN members;
