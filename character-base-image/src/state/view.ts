import { TURN_PROMPT, type ActionDraft, type GameEvent, type GameState } from '../types.ts';
import { reduceEvent } from './reduce.ts';

// The character's local view of the game: the authoritative state (from the registration
// snapshot and the versioned events after it) plus its own actions applied optimistically
// until the game confirms or refuses them.
//
// Ordering: version v+1 is applied at once; later versions wait in a buffer until the gap
// fills; older ones are dropped. A gap that stays open (`gapTimeoutMs`) or a buffer that grows
// too long asks for a fresh snapshot through `onResync`, and `reset(snapshot)` replays whatever
// the buffer holds beyond it. Unversioned events (private notes) apply immediately, except the
// turn prompt: it names the version it was sent at and is applied when the state gets there
// (at once when it already is; dropped when the state moved past it, whose own events say whose
// turn it is).

export type ApplyOutcome = 'applied' | 'stale' | 'buffered' | 'unversioned';

export interface LocalViewOptions {
  onResync?: (reason: string) => void;
  /** How long a gap may stay open before asking for a snapshot. */
  gapTimeoutMs?: number;
  /** Most events held while waiting for a gap to fill. */
  maxBuffered?: number;
  /** An optimistic action with no answer after this long is dropped (and a resync asked). */
  pendingTtlMs?: number;
  now?: () => number;
}

interface Pending {
  clientActionId: string;
  action: ActionDraft;
  at: number;
  /** The version the game said the action's effects end at (its answer); kept until reached. */
  confirmedAt?: number;
}

export class LocalView {
  #base: GameState | null = null;
  readonly #buffer = new Map<number, GameEvent>();
  /** Turn prompts waiting for the state to reach their version. */
  #prompts: GameEvent[] = [];
  #pending: Pending[] = [];
  #gapTimer: NodeJS.Timeout | null = null;
  readonly #opts: Required<LocalViewOptions>;

  constructor(options: LocalViewOptions = {}) {
    this.#opts = {
      onResync: options.onResync ?? (() => undefined),
      gapTimeoutMs: options.gapTimeoutMs ?? 2000,
      maxBuffered: options.maxBuffered ?? 256,
      pendingTtlMs: options.pendingTtlMs ?? 10_000,
      now: options.now ?? Date.now,
    };
  }

  get version(): number {
    return this.#base?.version ?? -1;
  }

  get ready(): boolean {
    return this.#base !== null;
  }

  /** The authoritative state, without optimistic updates. */
  get confirmed(): GameState | null {
    return this.#base && structuredClone(this.#base);
  }

  /** What the character should act on: the authoritative state plus its pending actions. */
  get state(): GameState | null {
    if (!this.#base) return null;
    const s = structuredClone(this.#base);
    for (const p of this.#pending) predict(s, p.action);
    s.pending = this.#pending.map((p) => p.clientActionId);
    return s;
  }

  /** Takes an authoritative snapshot (registration, resync), then whatever was buffered after it. */
  reset(snapshot: GameState): void {
    if (this.#base && snapshot.version < this.#base.version) return; // an older snapshot than we have
    const containers = this.#base?.containers;
    this.#base = structuredClone(snapshot);
    if (containers && !this.#base.containers) this.#base.containers = containers;
    for (const v of [...this.#buffer.keys()]) if (v <= snapshot.version) this.#buffer.delete(v);
    // The snapshot says whose turn it is at its version: prompts up to it are spent.
    this.#prompts = this.#prompts.filter((p) => (p.data as { version: number }).version > snapshot.version);
    this.#settleConfirmed();
    this.#drain();
  }

  applyEvent(event: GameEvent): ApplyOutcome {
    if (event.version === undefined && event.type === TURN_PROMPT) return this.#prompt(event);
    if (event.version === undefined) {
      if (this.#base) reduceEvent(this.#base, event);
      this.#settlePending(event);
      return 'unversioned';
    }
    if (!this.#base || event.version > this.#base.version + 1) {
      if (this.#base && event.version <= this.#base.version) return 'stale';
      this.#buffer.set(event.version, event);
      if (this.#buffer.size > this.#opts.maxBuffered) this.#resync('too many events out of order');
      else this.#armGapTimer();
      return 'buffered';
    }
    if (event.version <= this.#base.version) return 'stale';
    this.#apply(event);
    this.#drain();
    return 'applied';
  }

  /** Records an action just sent; the view shows its expected effect until the game answers. */
  applyOptimistic(clientActionId: string, action: ActionDraft): void {
    this.#pending.push({ clientActionId, action, at: this.#opts.now() });
  }

  /**
   * The game accepted the action; its events end at `version` (the answer's). The prediction is
   * kept until the state has caught up with all of them, so a turn is never taken for open
   * again between the first of its events and the last.
   */
  confirmAction(clientActionId: string, version?: number): void {
    const p = this.#pending.find((x) => x.clientActionId === clientActionId);
    if (!p) return;
    if (version === undefined || (this.#base && this.#base.version >= version)) this.rejectAction(clientActionId);
    else p.confirmedAt = version;
  }

  /** The game refused the action (or it failed to send): its optimistic effect is undone. */
  rejectAction(clientActionId: string): void {
    this.#pending = this.#pending.filter((p) => p.clientActionId !== clientActionId);
  }

  /** Drops optimistic actions nobody answered; returns how many. */
  expirePending(): number {
    const cutoff = this.#opts.now() - this.#opts.pendingTtlMs;
    const before = this.#pending.length;
    this.#pending = this.#pending.filter((p) => p.at >= cutoff);
    const dropped = before - this.#pending.length;
    if (dropped > 0) this.#resync('an action was never answered');
    return dropped;
  }

  close(): void {
    if (this.#gapTimer) clearTimeout(this.#gapTimer);
    this.#gapTimer = null;
  }

  #apply(event: GameEvent): void {
    const base = this.#base!;
    reduceEvent(base, event);
    base.version = event.version!;
    this.#settlePending(event);
    this.#settleConfirmed();
    this.#releasePrompts();
  }

  #prompt(event: GameEvent): ApplyOutcome {
    const at = (event.data as { version?: unknown })?.version;
    if (typeof at !== 'number') {
      if (this.#base) reduceEvent(this.#base, event);
      return 'unversioned';
    }
    if (this.#base && at < this.#base.version) return 'stale';
    if (this.#base && at === this.#base.version) {
      reduceEvent(this.#base, event);
      return 'unversioned';
    }
    this.#prompts.push(event);
    this.#armGapTimer();
    return 'buffered';
  }

  /** Applies the prompts sent at the version the state is now at; drops older ones. */
  #releasePrompts(): void {
    const base = this.#base;
    if (!base || this.#prompts.length === 0) return;
    const due = this.#prompts.filter((p) => (p.data as { version: number }).version === base.version);
    this.#prompts = this.#prompts.filter((p) => (p.data as { version: number }).version > base.version);
    for (const p of due) reduceEvent(base, p);
  }

  #drain(): void {
    const base = this.#base;
    if (!base) return;
    for (let next = this.#buffer.get(base.version + 1); next; next = this.#buffer.get(base.version + 1)) {
      this.#buffer.delete(next.version!);
      this.#apply(next);
    }
    for (const v of [...this.#buffer.keys()]) if (v <= base.version) this.#buffer.delete(v);
    if (this.#buffer.size === 0 && this.#prompts.length === 0 && this.#gapTimer) {
      clearTimeout(this.#gapTimer);
      this.#gapTimer = null;
    }
  }

  /**
   * A private answer to one of our actions (a refusal, a look) settles it. A state change it
   * caused does not: more may follow, and the action's answer says which version ends them.
   */
  #settlePending(event: GameEvent): void {
    if (event.version !== undefined) return;
    const id = (event.data as { clientActionId?: unknown })?.clientActionId;
    if (typeof id === 'string') this.rejectAction(id);
  }

  #settleConfirmed(): void {
    const v = this.#base?.version ?? -1;
    this.#pending = this.#pending.filter((p) => p.confirmedAt === undefined || p.confirmedAt > v);
  }

  #armGapTimer(): void {
    if (this.#gapTimer) return;
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = null;
      if (this.#buffer.size > 0 || this.#prompts.length > 0) this.#resync(`missing version ${this.version + 1}`);
    }, this.#opts.gapTimeoutMs);
    this.#gapTimer.unref?.();
  }

  #resync(reason: string): void {
    this.#opts.onResync(reason);
  }
}

/** The expected effect of our own action, shown until the authoritative events arrive. */
function predict(s: GameState, action: ActionDraft): void {
  switch (action.type) {
    case 'exploration.move': {
      const to = s.room.exits[action.direction];
      if (to) {
        s.me.previousRoomId = s.me.roomId;
        s.me.roomId = to;
      }
      return;
    }
    case 'combat.defend':
      s.me.defending = true;
      if (s.combat) s.combat.myTurn = false;
      return;
    case 'combat.attack':
    case 'combat.cast':
    case 'combat.flee':
      // The turn is spent: never act twice on one turn while the answer is on its way.
      if (s.combat) s.combat.myTurn = false;
      return;
    default:
      return;
  }
}
