// Container persistence (seed 004 `container_persistence`): CRUD over the `containers` table with
// `pg`. Every write path validates metadata for COPPA, so nothing stores personal data by a side
// door. Functions take any Queryable so they run on the pool or inside a caller's transaction.
import {
  CONTAINER_MAX_SLOTS,
  CONTAINER_MIN_SLOTS,
  ContainerLockStateSchema,
  ContainerSourceTypeSchema,
  InventoryStackSchema,
  type ContainerLockState,
  type ContainerSourceType,
  type InventoryStack,
  type InventoryStackInput,
} from '@distributed-dungeon/contracts';
import { z } from 'zod';
import { assertContainerCoppaCompliant } from './coppa.ts';
import type { Queryable } from './db.ts';
import { ContainerValidationError } from './errors.ts';
import { isUuid } from './ids.ts';
import type { ContainerRecord } from './model.ts';

interface NewContainer {
  container_id?: string;
  source_type: ContainerSourceType;
  owner_id?: string | null;
  room_id?: string | null;
  entity_id?: string | null;
  lock_state?: ContainerLockState;
  capacity_slots: number;
  weight_limit?: number | null;
  decay_at?: Date | null;
  allowed_roles?: string[];
  items?: InventoryStackInput[];
  metadata?: Record<string, unknown>;
}

type ContainerPatch = Partial<Omit<NewContainer, 'container_id' | 'items'>> & { items?: InventoryStackInput[] };

const NewContainerSchema = z.object({
  container_id: z.uuid().optional(),
  source_type: ContainerSourceTypeSchema,
  owner_id: z.uuid().nullable().default(null),
  room_id: z.string().min(1).max(200).nullable().default(null),
  entity_id: z.uuid().nullable().default(null),
  lock_state: ContainerLockStateSchema.default('unlocked'),
  capacity_slots: z.number().int().min(CONTAINER_MIN_SLOTS).max(CONTAINER_MAX_SLOTS),
  weight_limit: z.number().int().min(0).nullable().default(null),
  decay_at: z.date().nullable().default(null),
  allowed_roles: z.array(z.string().min(1).max(64)).default([]),
  items: z.array(InventoryStackSchema).default([]),
  metadata: z.record(z.string(), z.unknown()).default({}),
});

export const COLUMNS = `container_instance_id, source_type, owner_id, room_id, entity_id, lock_state, capacity_slots,
  weight_limit, decay_at, allowed_roles, items, metadata, created_at, updated_at`;

/** A row as PostgreSQL returns it: the record, under the seed's column name for the id. */
export type Row = Omit<ContainerRecord, 'container_id'> & { container_instance_id: string };

/** The values of an INSERT's column list from source_type to metadata, in that order. */
function insertParams(c: ReturnType<typeof parseNew>): unknown[] {
  return [
    c.source_type, c.owner_id, c.room_id, c.entity_id, c.lock_state, c.capacity_slots, c.weight_limit, c.decay_at,
    JSON.stringify(c.allowed_roles), JSON.stringify(c.items), JSON.stringify(c.metadata),
  ];
}

export function fromRow(r: Row): ContainerRecord {
  return {
    container_id: r.container_instance_id,
    source_type: r.source_type,
    owner_id: r.owner_id,
    room_id: r.room_id,
    entity_id: r.entity_id,
    lock_state: r.lock_state,
    capacity_slots: r.capacity_slots,
    weight_limit: r.weight_limit,
    decay_at: r.decay_at,
    allowed_roles: r.allowed_roles,
    items: r.items,
    metadata: r.metadata,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

function parseNew(input: NewContainer): z.infer<typeof NewContainerSchema> {
  const parsed = NewContainerSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'container';
    throw new ContainerValidationError(`${field}: ${issue?.message ?? 'invalid'}`, { field });
  }
  const c = parsed.data;
  if (c.source_type === 'environment' && !c.room_id) throw new ContainerValidationError('environment containers need room_id', { field: 'room_id' });
  if (c.source_type === 'equipment' && !c.entity_id && !c.owner_id) {
    throw new ContainerValidationError('equipment containers need entity_id', { field: 'entity_id' });
  }
  if (c.source_type === 'corpse' && (!c.room_id || !c.owner_id)) {
    throw new ContainerValidationError('corpse containers need room_id and owner_id', { field: c.room_id ? 'owner_id' : 'room_id' });
  }
  assertContainerCoppaCompliant(c);
  return c;
}

export async function createContainer(db: Queryable, input: NewContainer): Promise<ContainerRecord> {
  const c = parseNew(input);
  const { rows } = await db.query<Row>(
    `INSERT INTO containers (container_instance_id, source_type, owner_id, room_id, entity_id, lock_state, capacity_slots,
       weight_limit, decay_at, allowed_roles, items, metadata)
     VALUES (COALESCE($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     RETURNING ${COLUMNS}`,
    [c.container_id ?? null, ...insertParams(c)],
  );
  return fromRow(rows[0]!);
}

/**
 * Inserts unless a container with the same metadata.source_key exists; returns the stored one
 * either way. Safe for concurrent callers (unique index on source_key).
 */
export async function createContainerIfAbsent(db: Queryable, input: NewContainer & { metadata: { source_key: string } }): Promise<{ container: ContainerRecord; created: boolean }> {
  const c = parseNew(input);
  const { rows } = await db.query<Row>(
    `INSERT INTO containers (source_type, owner_id, room_id, entity_id, lock_state, capacity_slots,
       weight_limit, decay_at, allowed_roles, items, metadata)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     ON CONFLICT ((metadata->>'source_key')) WHERE metadata ? 'source_key' DO NOTHING
     RETURNING ${COLUMNS}`,
    insertParams(c),
  );
  if (rows[0]) return { container: fromRow(rows[0]), created: true };
  const existing = await getContainerBySourceKey(db, input.metadata.source_key);
  if (!existing) throw new Error(`container with source_key ${input.metadata.source_key} vanished during creation`);
  return { container: existing, created: false };
}

export async function getContainer(db: Queryable, containerId: string, opts: { forUpdate?: boolean } = {}): Promise<ContainerRecord | null> {
  if (!isUuid(containerId)) return null;
  // Named (prepared once per connection): every transfer and loot-all reads its container here.
  const { rows } = await db.query<Row>({
    name: opts.forUpdate ? 'containers.get-for-update' : 'containers.get',
    text: `SELECT ${COLUMNS} FROM containers WHERE container_instance_id = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    values: [containerId],
  });
  return rows[0] ? fromRow(rows[0]) : null;
}

async function getContainerBySourceKey(db: Queryable, sourceKey: string, opts: { forUpdate?: boolean } = {}): Promise<ContainerRecord | null> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM containers WHERE metadata ? 'source_key' AND metadata->>'source_key' = $1${opts.forUpdate ? ' FOR UPDATE' : ''}`,
    [sourceKey],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Containers in a room; with a game session, only those of that session (or of none). */
export async function getContainersByRoomId(db: Queryable, roomId: string, opts: { gameSession?: string } = {}): Promise<ContainerRecord[]> {
  const { rows } = opts.gameSession
    ? await db.query<Row>(
        `SELECT ${COLUMNS} FROM containers WHERE room_id = $1
           AND (NOT metadata ? 'game_session' OR metadata->>'game_session' = $2) ORDER BY created_at, container_instance_id`,
        [roomId, opts.gameSession],
      )
    : await db.query<Row>(`SELECT ${COLUMNS} FROM containers WHERE room_id = $1 ORDER BY created_at, container_instance_id`, [roomId]);
  return rows.map(fromRow);
}

export async function getContainersByEntityId(db: Queryable, entityId: string): Promise<ContainerRecord[]> {
  if (!isUuid(entityId)) return [];
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM containers WHERE entity_id = $1 ORDER BY created_at, container_instance_id`,
    [entityId],
  );
  return rows.map(fromRow);
}

/**
 * Corpses whose decay_at has passed. With `skipLocked` (inside a transaction) the rows are
 * locked and rows another sweeper holds are skipped, so replicas share the work without overlap.
 */
export async function getDecayedContainers(db: Queryable, now: Date, opts: { limit?: number; skipLocked?: boolean } = {}): Promise<ContainerRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM containers
      WHERE source_type = 'corpse' AND decay_at IS NOT NULL AND decay_at <= $1
      ORDER BY decay_at, container_instance_id
      LIMIT $2${opts.skipLocked ? ' FOR UPDATE SKIP LOCKED' : ''}`,
    [now, opts.limit ?? 100],
  );
  return rows.map(fromRow);
}

export async function updateContainer(db: Queryable, containerId: string, patch: ContainerPatch, now?: Date): Promise<ContainerRecord | null> {
  const current = await getContainer(db, containerId);
  if (!current) return null;
  const next = parseNew({ ...current, ...patch, container_id: containerId });
  const { rows } = await db.query<Row>(
    `UPDATE containers SET source_type = $2, owner_id = $3, room_id = $4, entity_id = $5, lock_state = $6, capacity_slots = $7,
       weight_limit = $8, decay_at = $9, allowed_roles = $10, items = $11, metadata = $12, updated_at = COALESCE($13, now())
     WHERE container_instance_id = $1 RETURNING ${COLUMNS}`,
    [
      containerId,
      next.source_type,
      next.owner_id,
      next.room_id,
      next.entity_id,
      next.lock_state,
      next.capacity_slots,
      next.weight_limit,
      next.decay_at,
      JSON.stringify(next.allowed_roles),
      JSON.stringify(next.items),
      JSON.stringify(next.metadata),
      now ?? null,
    ],
  );
  return rows[0] ? fromRow(rows[0]) : null;
}

/** Hot path for transfers: writes only the items of a row the caller already locked. */
export async function updateContainerItems(db: Queryable, containerId: string, items: readonly InventoryStack[], now: Date): Promise<void> {
  await db.query(`UPDATE containers SET items = $2, updated_at = $3 WHERE container_instance_id = $1`, [containerId, JSON.stringify(items), now]);
}

export async function deleteContainer(db: Queryable, containerId: string): Promise<boolean> {
  if (!isUuid(containerId)) return false;
  const { rowCount } = await db.query(`DELETE FROM containers WHERE container_instance_id = $1`, [containerId]);
  return (rowCount ?? 0) > 0;
}

/** The seed's PersistenceLayer wrappers: the functions above bound to one pool. */
export class ContainerPersistence {
  readonly db: Queryable;
  constructor(db: Queryable) {
    this.db = db;
  }
  createContainer(input: NewContainer): Promise<ContainerRecord> {
    return createContainer(this.db, input);
  }
  getContainer(containerId: string): Promise<ContainerRecord | null> {
    return getContainer(this.db, containerId);
  }
  getContainersByRoomId(roomId: string, opts: { gameSession?: string } = {}): Promise<ContainerRecord[]> {
    return getContainersByRoomId(this.db, roomId, opts);
  }
  getContainersByEntityId(entityId: string): Promise<ContainerRecord[]> {
    return getContainersByEntityId(this.db, entityId);
  }
  getDecayedContainers(now: Date, opts: { limit?: number } = {}): Promise<ContainerRecord[]> {
    return getDecayedContainers(this.db, now, opts);
  }
  updateContainer(containerId: string, patch: ContainerPatch, now?: Date): Promise<ContainerRecord | null> {
    return updateContainer(this.db, containerId, patch, now);
  }
  deleteContainer(containerId: string): Promise<boolean> {
    return deleteContainer(this.db, containerId);
  }
}

/** Every container of a game session (rooms, floors, corpses), for the game master's tools. */
export async function getContainersBySession(db: Queryable, sessionId: string): Promise<ContainerRecord[]> {
  const { rows } = await db.query<Row>(
    `SELECT ${COLUMNS} FROM containers WHERE metadata->>'game_session' = $1 ORDER BY room_id NULLS LAST, created_at, container_instance_id`,
    [sessionId],
  );
  return rows.map(fromRow);
}
