// Where items go when nothing else can hold them: the room's floor, a chain of public
// environment containers keyed `floor:{session}:{room}:{n}` and created on first use. Decay and
// overflow both spill here, so no item is ever destroyed by the container system.
import type { InventoryStack } from '@distributed-dungeon/contracts';
import { CONTAINER_MAX_SLOTS } from '@distributed-dungeon/contracts';
import type { Queryable } from './db.ts';
import { META, type ContainerRecord } from './model.ts';
import { createContainerIfAbsent, getContainer, updateContainerItems } from './persistence.ts';
import { fitStacks } from './stacking.ts';

const MAX_FLOOR_CONTAINERS = 500;

function floorKey(sessionId: string | null, roomId: string, n: number): string {
  return `floor:${sessionId ?? '-'}:${roomId}:${n}`;
}

interface FloorChange {
  container: ContainerRecord;
  before: InventoryStack[];
}

/** Puts every stack on the room's floor (in the caller's transaction), creating floor containers as needed. */
export async function spillToFloor(
  db: Queryable,
  where: { sessionId: string | null; roomId: string },
  stacks: readonly InventoryStack[],
  now: Date,
): Promise<FloorChange[]> {
  const changes: FloorChange[] = [];
  let left = [...stacks];
  for (let n = 0; left.length > 0; n++) {
    if (n >= MAX_FLOOR_CONTAINERS) throw new Error(`room ${where.roomId} has no floor space left`);
    const key = floorKey(where.sessionId, where.roomId, n);
    const metadata: Record<string, unknown> = { [META.sourceKey]: key, [META.kind]: 'floor', [META.name]: 'Floor' };
    if (where.sessionId) metadata[META.gameSession] = where.sessionId;
    const { container: made } = await createContainerIfAbsent(db, {
      source_type: 'environment',
      room_id: where.roomId,
      capacity_slots: CONTAINER_MAX_SLOTS,
      metadata: metadata as { source_key: string },
    });
    const floor = await getContainer(db, made.container_id, { forUpdate: true });
    if (!floor) continue;
    const fit = fitStacks(floor.items, left, floor);
    if (fit.fitted.length === 0) continue;
    await updateContainerItems(db, floor.container_id, fit.items, now);
    changes.push({ container: { ...floor, items: fit.items, updated_at: now }, before: floor.items });
    left = fit.overflow;
  }
  return changes;
}
