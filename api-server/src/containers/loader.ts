// EnvironmentalContainerLoader (seed 004): a room JSON file may carry a `container` block (one
// object, or an array for rooms with several). At world load each becomes a row in `containers`,
// keyed by metadata.source_key = room:{session}:{room}:{id} under a unique index, so loading the
// same world again (restart, second replica) finds the existing rows and keeps their contents.
import { RoomContainerDefinitionSchema, type RoomContainerDefinition } from '@distributed-dungeon/contracts';
import type pg from 'pg';
import { writeAudit } from './audit.ts';
import { assertContainerCoppaCompliant } from './coppa.ts';
import type { Queryable } from './db.ts';
import { ContainerValidationError } from './errors.ts';
import { META, type ContainerRecord } from './model.ts';
import { createContainerIfAbsent } from './persistence.ts';
import { systemClock, type Clock } from './ports.ts';

export interface RoomJson {
  id: string;
  container?: unknown;
  [key: string]: unknown;
}

export function roomContainerKey(sessionId: string | null, roomId: string, containerId: string): string {
  return `room:${sessionId ?? '*'}:${roomId}:${containerId}`;
}

/** Parses (and COPPA-checks) the optional container block(s) of one room. Pure. */
export function loadContainerFromRoomJson(room: RoomJson): RoomContainerDefinition[] {
  if (typeof room?.id !== 'string' || room.id.length === 0) throw new ContainerValidationError('room json needs a string id', { field: 'id' });
  if (room.container === undefined || room.container === null) return [];
  const blocks = Array.isArray(room.container) ? room.container : [room.container];
  const defs = blocks.map((block, i) => {
    const parsed = RoomContainerDefinitionSchema.safeParse(block);
    const base = Array.isArray(room.container) ? `container[${i}]` : 'container';
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = [base, ...(issue?.path ?? []).map(String)].join('.');
      throw new ContainerValidationError(`room ${room.id}: ${field}: ${issue?.message ?? 'invalid'}`, { field, room_id: room.id });
    }
    assertContainerCoppaCompliant(parsed.data);
    return parsed.data;
  });
  const ids = new Set<string>();
  for (const d of defs) {
    if (ids.has(d.id)) throw new ContainerValidationError(`room ${room.id}: two containers with id ${d.id}`, { field: 'container.id', room_id: room.id });
    ids.add(d.id);
  }
  return defs;
}

export async function migrateRoomContainerToPostgresql(
  db: Queryable,
  where: { sessionId: string | null; roomId: string },
  def: RoomContainerDefinition,
): Promise<{ container: ContainerRecord; created: boolean }> {
  const metadata: Record<string, unknown> & { source_key: string } = {
    ...def.metadata,
    source_key: roomContainerKey(where.sessionId, where.roomId, def.id),
    [META.kind]: 'room',
  };
  if (def.name) metadata[META.name] = def.name;
  if (where.sessionId) metadata[META.gameSession] = where.sessionId;
  return createContainerIfAbsent(db, {
    source_type: 'environment',
    room_id: where.roomId,
    lock_state: def.lock_state,
    capacity_slots: def.capacity_slots,
    weight_limit: def.weight_limit ?? null,
    allowed_roles: def.allowed_roles,
    items: def.items,
    metadata,
  });
}

export class EnvironmentalContainerLoader {
  readonly pool: pg.Pool;
  readonly clock: Clock;
  constructor(deps: { pool: pg.Pool; clock?: Clock }) {
    this.pool = deps.pool;
    this.clock = deps.clock ?? systemClock;
  }

  /** Loads every room's containers for a session's world (or for all sessions with null). */
  async loadWorld(sessionId: string | null, rooms: readonly RoomJson[]): Promise<{ created: number; existing: number; containers: ContainerRecord[] }> {
    // Parse everything first: a bad room stops the load before anything is written.
    const plan = rooms.flatMap((room) => loadContainerFromRoomJson(room).map((def) => ({ roomId: room.id, def })));
    let created = 0;
    const containers: ContainerRecord[] = [];
    for (const { roomId, def } of plan) {
      const r = await migrateRoomContainerToPostgresql(this.pool, { sessionId, roomId }, def);
      containers.push(r.container);
      if (r.created) {
        created++;
        await writeAudit(this.pool, {
          occurredAt: this.clock.now(),
          actorId: null,
          actorName: 'world-loader',
          containerId: r.container.container_id,
          sessionId,
          operation: 'load_room_container',
          outcome: 'success',
          details: { room_id: roomId, source_key: r.container.metadata.source_key },
        });
      }
    }
    return { created, existing: plan.length - created, containers };
  }
}
