// Who hears what (seed 004, WebSocket events): opened is private to the opener; updated and
// closed go to everyone in the room; decayed goes to the room the corpse lay in. Equipment
// containers live on a character, not in a room, so their updates go privately to the wearer.
// Events are sent after the transaction commits; a bus failure is logged and never undoes a
// committed change (clients resynchronise by opening the container again).
import type { ContainerEvent, InventoryStack } from '@distributed-dungeon/contracts';
import { diffItems, isEmptyDiff } from './diff.ts';
import { META, metaString, type ContainerRecord } from './model.ts';
import type { CharacterLocation, ContainerLogger, ContainerEventPort } from './ports.ts';

export type Delivery =
  | { to: 'character'; characterId: string; sessionId?: string; event: ContainerEvent }
  | { to: 'room'; sessionId: string; roomId: string; event: ContainerEvent };

/** Room broadcast for containers in a room, private to `fallbackCharacterId` otherwise. */
export function deliveryFor(
  c: ContainerRecord,
  event: ContainerEvent,
  fallbackCharacterId: string | null,
  actorLocation: CharacterLocation | null = null,
): Delivery | null {
  if (c.source_type !== 'equipment' && c.room_id) {
    const sessionId = metaString(c, META.gameSession) ?? actorLocation?.sessionId ?? null;
    if (sessionId) return { to: 'room', sessionId, roomId: c.room_id, event };
  }
  if (!fallbackCharacterId) return null;
  return actorLocation
    ? { to: 'character', characterId: fallbackCharacterId, sessionId: actorLocation.sessionId, event }
    : { to: 'character', characterId: fallbackCharacterId, event };
}

export function updatedEvent(containerId: string, before: readonly InventoryStack[], after: readonly InventoryStack[]): ContainerEvent | null {
  const diff = diffItems(before, after);
  if (isEmptyDiff(diff)) return null;
  return { type: 'container.updated', data: { container_id: containerId, diff: { items: diff } } };
}

export async function deliver(publisher: ContainerEventPort, logger: ContainerLogger, deliveries: readonly (Delivery | null)[]): Promise<void> {
  for (const d of deliveries) {
    if (!d) continue;
    try {
      if (d.to === 'character') await publisher.publishToCharacter(d.characterId, d.event, d.sessionId);
      else await publisher.publishToRoom(d.sessionId, d.roomId, d.event);
    } catch (err) {
      logger.error({ err, type: d.event.type }, 'container event could not be published');
    }
  }
}
