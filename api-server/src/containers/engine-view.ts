// Reading the game engine's views (game/view.ts shapes, as `GameEngine.getState` returns them)
// for what the container system needs: where a character stands, whether it is alive, whether a
// fight is going on in its room, and who is in a room. Pure, so each reading is unit tested on
// the real views; the engine stays the one owner of these facts.
import type { CharacterLocation } from './ports.ts';

interface ViewFacts {
  location: CharacterLocation | null;
  alive: boolean;
  inCombat: boolean;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** A character's own view (`characterView`); a session view (the character is not in it) gives no location. */
export function factsFromCharacterView(sessionId: string, view: unknown): ViewFacts {
  const me = isRecord(view) && isRecord(view.me) ? view.me : null;
  const room = isRecord(view) && isRecord(view.room) ? view.room : null;
  // A character that left the game (or whose session the game master closed) stands nowhere.
  const roomId = me?.present === false ? undefined : (me?.roomId ?? room?.id);
  return {
    location: typeof roomId === 'string' ? { sessionId, roomId } : null,
    alive: me?.alive !== false,
    inCombat: isRecord(view) && isRecord(view.combat),
  };
}

/** The characters present in one room of a session view (`sessionView`: `rooms[].characters`). */
export function charactersInRoomOfView(view: unknown, roomId: string): string[] {
  const rooms = isRecord(view) && Array.isArray(view.rooms) ? view.rooms : [];
  const room = rooms.find((r): r is Record<string, unknown> => isRecord(r) && r.id === roomId);
  const chars = room && Array.isArray(room.characters) ? room.characters : [];
  return chars.filter((c): c is string => typeof c === 'string');
}
