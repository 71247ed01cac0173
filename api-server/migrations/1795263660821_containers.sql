-- Up Migration
-- Item containers (seed 004). The `containers` table is the seed's, column for column; what the
-- mutation guard, the corpse timers and the world loader need lives in separate tables and in
-- extra constraints/indexes below, so the seed's definition stays recognisable.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE TABLE containers (
    container_instance_id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    source_type TEXT NOT NULL,
    owner_id UUID NULL,
    room_id TEXT NULL,
    entity_id UUID NULL,
    lock_state TEXT NOT NULL DEFAULT 'unlocked',
    capacity_slots INTEGER NOT NULL CHECK (capacity_slots >= 1 AND capacity_slots <= 20),
    weight_limit INTEGER NULL,
    decay_at TIMESTAMPTZ NULL,
    allowed_roles JSONB NOT NULL DEFAULT '[]'::jsonb,
    items JSONB NOT NULL DEFAULT '[]'::jsonb,
    metadata JSONB NOT NULL DEFAULT '{}'::jsonb,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE INDEX idx_containers_room ON containers(room_id);
CREATE INDEX idx_containers_entity ON containers(entity_id);
CREATE INDEX idx_containers_owner ON containers(owner_id);

-- Integrity the seed states in prose (source types, lock states, required columns per type).
ALTER TABLE containers
    ADD CONSTRAINT containers_source_type_valid CHECK (source_type IN ('environment', 'equipment', 'corpse')),
    ADD CONSTRAINT containers_lock_state_valid CHECK (lock_state IN ('unlocked', 'locked', 'sealed')),
    ADD CONSTRAINT containers_weight_limit_valid CHECK (weight_limit IS NULL OR weight_limit >= 0),
    ADD CONSTRAINT containers_items_is_array CHECK (jsonb_typeof(items) = 'array'),
    ADD CONSTRAINT containers_metadata_is_object CHECK (jsonb_typeof(metadata) = 'object'),
    ADD CONSTRAINT containers_roles_is_array CHECK (jsonb_typeof(allowed_roles) = 'array'),
    ADD CONSTRAINT containers_environment_has_room CHECK (source_type <> 'environment' OR room_id IS NOT NULL),
    ADD CONSTRAINT containers_corpse_has_room_owner CHECK (source_type <> 'corpse' OR (room_id IS NOT NULL AND owner_id IS NOT NULL));

-- The world loader's idempotency key (room + container id) and the floor containers' key.
CREATE UNIQUE INDEX idx_containers_source_key ON containers ((metadata->>'source_key')) WHERE metadata ? 'source_key';
-- The decay sweeper's scan.
CREATE INDEX idx_containers_decay ON containers(decay_at) WHERE source_type = 'corpse' AND decay_at IS NOT NULL;

-- A character's own inventory, in the same database so a transfer is one transaction.
CREATE TABLE character_inventories (
    character_id TEXT PRIMARY KEY,
    capacity_slots INTEGER NOT NULL DEFAULT 20 CHECK (capacity_slots >= 1 AND capacity_slots <= 200),
    weight_limit INTEGER NULL CHECK (weight_limit IS NULL OR weight_limit >= 0),
    items JSONB NOT NULL DEFAULT '[]'::jsonb CHECK (jsonb_typeof(items) = 'array'),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Mutation tokens handed out by open; only a hash is stored.
CREATE TABLE container_mutation_tokens (
    token_hash TEXT PRIMARY KEY,
    container_id UUID NOT NULL REFERENCES containers(container_instance_id) ON DELETE CASCADE,
    character_id TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_container_tokens_container ON container_mutation_tokens(container_id);
CREATE INDEX idx_container_tokens_expiry ON container_mutation_tokens(expires_at);

-- Idempotency: one row per (character, key), written in the transaction that made the change.
CREATE TABLE container_mutations (
    character_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    operation TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (character_id, idempotency_key)
);
CREATE INDEX idx_container_mutations_created ON container_mutations(created_at);

-- Audit trail (seed 004, Security and Compliance). Generic enough for other resources.
CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor_id TEXT NULL,
    actor_name TEXT NULL,
    resource_type TEXT NOT NULL,
    resource_id TEXT NULL,
    operation TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'error')),
    security_level TEXT NOT NULL CHECK (security_level IN ('low', 'medium', 'high', 'critical')),
    compliance_flags JSONB NOT NULL DEFAULT '[]'::jsonb,
    details JSONB NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX idx_audit_log_resource ON audit_log(resource_type, resource_id);
CREATE INDEX idx_audit_log_actor ON audit_log(actor_id);
CREATE INDEX idx_audit_log_time ON audit_log(occurred_at);

-- Down Migration
DROP TABLE IF EXISTS audit_log;
DROP TABLE IF EXISTS container_mutations;
DROP TABLE IF EXISTS container_mutation_tokens;
DROP TABLE IF EXISTS character_inventories;
DROP TABLE IF EXISTS containers;
