-- Up Migration
-- What the operator reports of each Character's platform status (issue 13), so game masters and
-- players see phase, Ready and conditions without the api-server reading the cluster itself.
CREATE TABLE character_platform (
  character_id text PRIMARY KEY,
  namespace    text NOT NULL,
  name         text NOT NULL,
  phase        text NOT NULL,
  ready        boolean NOT NULL,
  conditions   jsonb NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(conditions) = 'array'),
  reported_at  timestamptz NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE character_platform;
