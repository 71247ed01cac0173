// The wire contracts of Distributed Dungeon, written once in zod and imported by the api-server,
// the operator and the character SDK.
export * from './character.ts';
export * from './registry.ts';
export * from './abilities.ts';
export * from './actions.ts';
export * from './events.ts';
export * from './containers.ts';
export * from './game-view.ts';
export * from './portability.ts';
export * from './canonical-json.ts';
export * from './backoff.ts';
