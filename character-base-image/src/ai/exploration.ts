import type { ActionDraft, Direction, GameState } from '../types.ts';

// Exploration AI: where to go next outside a fight. It remembers the rooms it has seen (the
// memory is plain JSON: CharacterBase persists it under /data) and walks to the nearest exit it
// has not taken, leaving the boss for last unless it is `bold`.

export interface ExplorationAIOptions {
  /** Cautious moves roll to spot traps. */
  cautious?: boolean;
  /** Search every new room once before moving on. */
  thorough?: boolean;
  /** Rest when hp falls below this fraction (and rests are left). Default 0.5. */
  restBelow?: number;
  /** Room ids to avoid until everything else was seen (e.g. the boss room, if known). */
  saveForLast?: string[];
  /**
   * `together` (default): the sturdiest party member (most max hp) leads and waits for the
   * others (up to `waitTurns` decisions); the others walk to wherever it is. `alone`: no party.
   */
  party?: 'together' | 'alone';
  waitTurns?: number;
}

export interface ExplorationMemory {
  /** Room id → its exits as last seen. */
  rooms: Record<string, Partial<Record<Direction, string>>>;
  searched: string[];
  /** Rooms left alone (a fight we fled from): avoid for a while. */
  avoid: string[];
  /** Decisions spent waiting for the party to catch up. */
  waited?: number;
}

export class ExplorationAI {
  readonly options: Required<ExplorationAIOptions>;
  memory: ExplorationMemory = { rooms: {}, searched: [], avoid: [] };

  constructor(options: ExplorationAIOptions = {}) {
    this.options = {
      cautious: options.cautious ?? true,
      thorough: options.thorough ?? false,
      restBelow: options.restBelow ?? 0.5,
      saveForLast: options.saveForLast ?? [],
      party: options.party ?? 'together',
      waitTurns: options.waitTurns ?? 20,
    };
  }

  remember(gameState: GameState): void {
    const room = gameState.room;
    if (room?.id) this.memory.rooms[room.id] = { ...room.exits };
  }

  decideExploration(gameState: GameState): (ActionDraft & { characterId: string }) | null {
    const s = gameState;
    if (!s.me?.alive || s.status !== 'active' || s.combat) return null;
    this.remember(s);
    const withId = (a: ActionDraft) => ({ ...a, characterId: s.characterId }) as ActionDraft & { characterId: string };
    if (s.me.maxHp > 0 && s.me.hp / s.me.maxHp < this.options.restBelow && (s.me.restsLeft ?? 0) > 0) return withId({ type: 'rest' });
    if (this.options.party === 'together') {
      const mates = (s.party ?? []).filter((p) => p.alive && p.present);
      const leader = [...mates].sort((a, b) => b.maxHp - a.maxHp || a.id.localeCompare(b.id))[0];
      if (leader && leader.id !== s.characterId && leader.roomId !== s.me.roomId) {
        const step = this.pathTo(s, leader.roomId);
        if (step) return withId({ type: 'exploration.move', direction: step, cautious: this.options.cautious });
      }
    }
    if (this.options.thorough && !this.memory.searched.includes(s.room.id)) {
      this.memory.searched.push(s.room.id);
      return withId({ type: 'exploration.search' });
    }
    if (this.options.party === 'together') {
      const mates = (s.party ?? []).filter((p) => p.alive && p.present);
      const leader = [...mates].sort((a, b) => b.maxHp - a.maxHp || a.id.localeCompare(b.id))[0];
      // With the leader: it chooses the way, the others follow it.
      if (leader && leader.id !== s.characterId && leader.roomId === s.me.roomId) return null;
      if (leader?.id === s.characterId && mates.some((p) => p.roomId !== s.me.roomId) && (this.memory.waited ?? 0) < this.options.waitTurns) {
        this.memory.waited = (this.memory.waited ?? 0) + 1;
        return null;
      }
    }
    const direction = this.nextDirection(s);
    if (!direction) return null;
    this.memory.waited = 0;
    return withId({ type: 'exploration.move', direction, cautious: this.options.cautious });
  }

  /** The first step on the shortest known way to a room (null when no way is known). */
  pathTo(s: GameState, target: string): Direction | null {
    const seen = new Set([s.room.id]);
    const queue: { room: string; first: Direction | null }[] = [{ room: s.room.id, first: null }];
    while (queue.length > 0) {
      const { room, first } = queue.shift()!;
      const exits = (room === s.room.id ? s.room.exits : this.memory.rooms[room]) ?? {};
      for (const [dir, to] of Object.entries(exits) as [Direction, string][]) {
        if (seen.has(to)) continue;
        const step = first ?? dir;
        if (to === target) return step;
        seen.add(to);
        queue.push({ room: to, first: step });
      }
    }
    return null;
  }

  /** Breadth-first over remembered rooms: the first step towards the nearest unexplored exit. */
  nextDirection(s: GameState): Direction | null {
    const known = this.memory.rooms;
    const last = new Set(this.options.saveForLast);
    const start = s.room.id;
    const seen = new Set([start]);
    const queue: { room: string; first: Direction | null }[] = [{ room: start, first: null }];
    let fallback: Direction | null = null;
    while (queue.length > 0) {
      const { room, first } = queue.shift()!;
      const exits = (room === start ? s.room.exits : known[room]) ?? {};
      for (const [dir, to] of Object.entries(exits) as [Direction, string][]) {
        if (seen.has(to)) continue;
        seen.add(to);
        const step = first ?? dir;
        if (!(to in known)) {
          if (!last.has(to) && !this.memory.avoid.includes(to)) return step;
          fallback ??= step;
        }
        queue.push({ room: to, first: step });
      }
    }
    return fallback;
  }
}
