/**
 * The Dungeon Master: the rules of Distributed Dungeon as pure functions.
 *
 * ## Model
 * - A **world** is a JSON file (`api-server/worlds/<id>.json`) validated by `parseWorld` /
 *   `loadWorlds()`; errors name the room and field. The bundled world is `crypt-of-dawn`.
 * - A **session** is a `GameState`: plain JSON, world included, safe to store and deep-compare.
 *   It carries its own random state (`rngState`, mulberry32), so every function below is a pure
 *   function of (state, input): the same inputs give the same state and events.
 * - Every function returns a `RuleResult` `{ state, events, accepted, reason?, message? }`. The
 *   input state is never mutated. A refused action (`accepted: false`) returns the same state
 *   and one private `system.error` event with `data.code` = `reason`.
 * - **Events** are `{ type, data, version?, characterId? }` with types from contracts'
 *   `EVENT_TYPES` (plus `corpse.created`). State changes carry `version` (= `state.version`
 *   after that event, +1 per event, no gaps) and go on the session channel of their prefix
 *   (`topicOfEventType`). Events with `characterId` are private (`character:{id}`) and carry no
 *   version. Events caused by an action carry `data.actorId` and `data.clientActionId`.
 *   → Publish versioned events with *their* version so clients can reconcile against
 *     `characterView(state, id).version`; private events should not take a version number.
 *
 * ## API
 * - `createSession(world, sessionId, seed)` → `system.session_created`.
 * - `joinCharacter(state, { characterId, name, class, level })` — at the entrance; joining again
 *   (container restart) keeps the character as it was. `leaveCharacter(state, id)`.
 * - `applyAction(state, action, rng?)` — one contracts `Action`. It runs the whole consequence:
 *   the action, the next turn, and monster turns (built-in AI) until a character is up again.
 * - `timeoutAction(state, id)` → the `combat.defend` a character takes when its turn clock runs
 *   out (null if not its turn); `applyTimeout(state, id)` applies it (`combat.defend` with
 *   `timedOut: true`). The clock lives outside: after every result, `waitingCharacters(state)`
 *   says whose turn it is in each fight (also announced by a `combat.turn` event).
 * - `monsterTurn`, `advanceTurn`, `settleMonsters`: the building blocks `applyAction` runs.
 * - Views: `characterView(state, id)` (registration `gameState`, what the SDK consumes),
 *   `sessionView(state)`, `publicRoom(state, roomId)`. Their shapes are contracts' game-view.ts
 *   (`CharacterGameViewSchema`, `RoomViewSchema`, …). Hidden things never leave the engine.
 * - Log: `SessionLog` (append-only `{seq, command, version, accepted, events}`),
 *   `applyCommand(world, state, command)`, `replay(world, seed, log)` → the same final state.
 * - `DungeonMaster` — an in-memory session holder with the api-server's `GameEngine` method
 *   shapes (createSession / join / leave / handleAction / getState / timeout), a turn clock
 *   and a log per session; storage and publishing plug in through its options. Commands of a
 *   session run one at a time; a session it does not hold is replayed from `store.load`. When a
 *   character is newly up it adds the private, unversioned turn prompt `combat.your_turn`
 *   `{ characterId, roomId, round, version, timeoutMs }` after the events that led to it (not
 *   logged: it is derived from the state). The api-server's adapter is
 *   `src/engine/dungeon-master-engine.ts`.
 *
 * ## Rules in brief
 * Combat per room: entering a room with monsters starts a fight (d20 + bonus initiative).
 * Attacks are d20 + bonus ≥ AC (defending +2); natural 20 hits and doubles the dice, natural 1
 * misses. 0 hp is death: `combat.death` then `corpse.created { roomId, corpseOf, ownerId, items }`
 * (the item-container service makes the corpse; owner = the dead character, or the killer of a
 * monster). Spells cost mana (`magic-missile` auto-hits, `fire-bolt`/`sacred-flame` roll,
 * `heal`). Flee: d20 + initiative ≥ 10 → back to the previous room. Monsters pick targets by
 * tactic and cowards flee when hurt. Moving: cautious moves roll d20 + perception against each
 * armed trap (spotted → avoided; otherwise it goes off, once). Search finds discoveries (items,
 * hidden exits). NPCs answer by topic; topics can require other topics (a dialogue tree).
 * Rest (3 per session, not in a fight) restores half hp and all mana.
 *
 * Items (items.ts, catalogue.ts): the world's `items` catalogue says what an item is. What a
 * character carries and wears lives in the item tables (PostgreSQL), not in the state: the engine
 * reads it before an action and passes it as `ItemInputs` (recorded in the log with the action,
 * so replay reads no database); the rules take their numbers from it (equipped weapon → attack
 * bonus and damage dice, armour and shield → AC) and return `items` intents (grant, consume,
 * equip, unequip, unlock) that the engine applies in the log entry's transaction. In a fight an
 * item action is the character's turn.
 *
 * The session ends in
 * `victory` when every boss is dead or `defeat` when every present character is
 * (`system.session_closed`).
 */
export { parseDice, rollDice, isDice, DiceError, type DiceRoll, type DiceSpec } from './dice.ts';
export { createRng, scriptedRng, seedFromString, type Rng } from './rng.ts';
export { parseWorld, World, WorldValidationError, type WorldIssue, type WorldInput, type WorldItem } from './world.ts';
export { loadWorldFile, loadWorlds, BUNDLED_WORLDS_DIR } from './world-files.ts';
export { CLASSES, SPELLS, type ClassName } from './classes.ts';
export { createSession, endSession, joinCharacter, leaveCharacter, type JoiningCharacter } from './session.ts';
export { applyAction, applyTimeout, timeoutAction, monsterTurn, advanceTurn, settleMonsters, waitingCharacters } from './rules.ts';
export { decideMonsterAction, type MonsterDecision } from './monster-ai.ts';
export { characterView, sessionView, publicRoom, type SessionView } from './view.ts';
export { SessionLog, replay, applyCommand, ReplayDivergence, type Command, type LogEntry } from './log.ts';
export { AnswerTicket, DungeonMaster, StoreConflictError, TURN_PROMPT, type CommandEffects, type EarlyAnswer, type DungeonMasterOptions, type SessionStore, type StoredSession, type UnsavedEntry } from './dungeon-master.ts';
export type { GameState, GameEvent, RuleResult, RejectReason, CharacterState, MonsterState, Encounter, ItemInputs, ItemIntent } from './state.ts';
export { CatalogueItem, catalogueEntry, slotOf, stackMetadata } from './catalogue.ts';
export { equippedStats } from './equipment-stats.ts';
