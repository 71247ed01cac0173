// The api-server as a library: start it in-process (tests, e2e) or extend it with modules.
export { loadConfig, ConfigError, type Config, type SigningKey } from './config/config.ts';
export { start, type StartOptions, type RunningServer } from './server.ts';
export type { AppContext } from './context.ts';
export type { ApiModule, ModuleContext } from './http/module.ts';
export { AppError, appError, validationError, CATALOGUE, type ErrorCode, type FieldError } from './http/errors.ts';
export type { Authenticators, Principal } from './http/auth.ts';
export type { CharacterPrincipal } from './http/tokens.ts';
export { parse } from './http/validate.ts';
export { withTransaction, type Pool, type PoolClient } from './db/pool.ts';
export type { Queryable } from './db/queryable.ts';
export { MIGRATIONS_DIR, migrate } from './db/migrate.ts';
export type {
  GameEngine,
  GameEngineDeps,
  GameEngineFactory,
  GameEvent,
  EventSink,
  ActionDecision,
  JoinResult,
  JoiningCharacter,
} from './engine/game-engine.ts';
export { RecordOnlyEngine, recordOnlyEngine } from './engine/record-only-engine.ts';
export { DungeonMasterEngine, dungeonMasterEngine, defaultGameEngine, type DungeonMasterEngineOptions } from './engine/dungeon-master-engine.ts';
export { DEFAULT_MODULES } from './modules.ts';
/** Rebuilding a session from its log (tests and tools that check a session replays to the same state). */
export { replay, ReplayDivergence } from './game/log.ts';
export { loadWholeLog } from './engine/session-log.ts';
export type { OpenApiOperation } from './ops/openapi.ts';
