import type { GameState } from '../types.ts';

// What the runtime is told (RuntimeSettings), what it keeps on disk (SavedCharacter), and the
// logger it writes to: shared by the runtime's parts.

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
}

export const quietLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined };

export interface RuntimeSettings {
  characterId: string;
  registryUrl: string;
  apiKey: string;
  /** This container's own URL, as the registry should reach it. */
  endpoint: string;
  dataDir: string;
  port: number;
  host?: string;
  /** `redis` (default), `websocket`, or `auto` (Redis, else the WebSocket gateway). */
  transport?: 'redis' | 'websocket' | 'auto';
  /** Least time between two exploration decisions. */
  actIntervalMs?: number;
  /** A hook that takes longer than this is abandoned (the game then defends for us). */
  decisionTimeoutMs?: number;
  heartbeatMs?: number;
  snapshotMs?: number;
  keepSnapshots?: number;
  /** Ask for the saved session again on restart (default true). */
  rejoinSession?: boolean;
  /** The session to ask for on the first registration (else the registry picks one). */
  sessionId?: string;
}

export type ResolvedSettings = Required<Omit<RuntimeSettings, 'host' | 'sessionId'>> & { host?: string; sessionId?: string };

export function resolveSettings(settings: RuntimeSettings): ResolvedSettings {
  return {
    transport: 'redis',
    actIntervalMs: 750,
    decisionTimeoutMs: 5000,
    heartbeatMs: 15_000,
    snapshotMs: 60_000,
    keepSnapshots: 5,
    rejoinSession: true,
    ...settings,
  };
}

/** What the runtime keeps under the data directory. */
export interface SavedCharacter {
  characterId: string;
  sessionId: string | null;
  memory: Record<string, unknown>;
  view: GameState | null;
  looted: string[];
  registeredAt: string | null;
}

export function emptySave(characterId: string): SavedCharacter {
  return { characterId, sessionId: null, memory: {}, view: null, looted: [], registeredAt: null };
}
