-- Up Migration
-- A move's stored answer is kept as compact JSON text (containers/stored-result.ts): jsonb's
-- binary form of its small arrays and numbers is about twice the text, and the row is written
-- on every transfer while the container's row lock is held. NULL until the move is written.
ALTER TABLE container_mutations ALTER COLUMN result DROP NOT NULL;
ALTER TABLE container_mutations ALTER COLUMN result TYPE TEXT USING result::text;

-- Down Migration
ALTER TABLE container_mutations ALTER COLUMN result TYPE JSONB USING coalesce(result, 'null')::jsonb;
ALTER TABLE container_mutations ALTER COLUMN result SET NOT NULL;
