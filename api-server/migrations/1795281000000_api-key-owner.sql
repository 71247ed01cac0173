-- Up Migration
-- The Kubernetes UID of the Character a key was minted for (issue 11 item 6). A mint for the same
-- character id on behalf of another UID is refused while the key is live, so a Character that
-- manages to share another's id can never take its key over. NULL: minted without an owner.
ALTER TABLE api_keys ADD COLUMN owner_uid text;

-- Down Migration
ALTER TABLE api_keys DROP COLUMN owner_uid;
