-- Up Migration
-- What a character wears (issue 12): one item per slot, next to character_inventories so that
-- equipping moves an item between two rows of one database in one transaction. A worn backpack's
-- stack keeps its inner_container (the equipment container holding its contents).
CREATE TABLE character_equipment (
    character_id TEXT NOT NULL,
    slot TEXT NOT NULL CHECK (slot IN ('weapon', 'armor', 'shield', 'back', 'belt')),
    item JSONB NOT NULL CHECK (jsonb_typeof(item) = 'object'),
    equipped_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (character_id, slot)
);

-- Down Migration
DROP TABLE IF EXISTS character_equipment;
