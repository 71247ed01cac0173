import { z } from 'zod';
import { Direction, RoomContainerDefinitionSchema } from '@distributed-dungeon/contracts';
import { CatalogueItem } from './catalogue.ts';
import { isDice } from './dice.ts';

// The world format: rooms from a JSON file, validated once at load. Errors name the room and the
// field ("room "crypt-hall" (rooms[3]) → monsters[0].damage: ...") so a world builder can fix them.

const Id = z.string().regex(/^[a-z0-9][-a-z0-9_]{0,62}$/, 'an id of lowercase letters, digits, "-" and "_"');
const Dice = z.string().refine(isDice, 'a dice expression such as 1d6+1');

/** An item stack, in the shape of the item-container system (seed 004). */
export const WorldItem = z
  .object({
    item_id: Id,
    name: z.string().min(1).max(100),
    quantity: z.int().min(1).max(999).default(1),
    weight: z.number().nonnegative().optional(),
  })
  .strict();
export type WorldItem = z.infer<typeof WorldItem>;

export const MonsterTactic = z.enum(['weakest', 'nearest', 'strongest', 'random']);
export type MonsterTactic = z.infer<typeof MonsterTactic>;

const WorldMonster = z
  .object({
    id: Id,
    name: z.string().min(1).max(100),
    hp: z.int().min(1).max(1000),
    ac: z.int().min(1).max(30),
    attackBonus: z.int().min(-5).max(20),
    damage: Dice,
    /** What the attack is called in the log ("claws", "rusty blade"). */
    weapon: z.string().min(1).max(60).default('attack'),
    initiativeBonus: z.int().min(-5).max(10).default(0),
    /** Attacks per turn. */
    attacks: z.int().min(1).max(4).default(1),
    tactic: MonsterTactic.default('nearest'),
    /** Flees through an exit when its hit points fall to this fraction of the maximum (0 never). */
    fleeAtHp: z.number().min(0).max(1).default(0),
    boss: z.boolean().default(false),
    xp: z.int().min(0).default(10),
    loot: z.array(WorldItem).max(20).default([]),
  })
  .strict();
export type WorldMonster = z.infer<typeof WorldMonster>;

const WorldTrap = z
  .object({
    id: Id,
    name: z.string().min(1).max(100),
    description: z.string().max(500).default(''),
    /** The d20 roll (plus perception) a cautious character needs to spot it. */
    dc: z.int().min(1).max(30),
    damage: Dice,
  })
  .strict();
export type WorldTrap = z.infer<typeof WorldTrap>;

const WorldDiscovery = z
  .object({
    id: Id,
    description: z.string().min(1).max(500),
    /** The d20 roll (plus perception) a search needs. */
    dc: z.int().min(1).max(30).default(10),
    items: z.array(WorldItem).max(20).default([]),
    /** A hidden way on, opened when found. */
    revealsExit: z.object({ direction: Direction, roomId: Id }).strict().optional(),
  })
  .strict();
export type WorldDiscovery = z.infer<typeof WorldDiscovery>;

const WorldTopic = z
  .object({
    text: z.string().min(1).max(1000),
    /** Only available once this topic was heard (a dialogue tree in its simplest form). */
    requires: z.string().min(1).max(100).optional(),
    gives: z.array(WorldItem).max(10).default([]),
  })
  .strict();

export const WorldNpc = z
  .object({
    id: Id,
    name: z.string().min(1).max(100),
    description: z.string().max(500).default(''),
    greeting: z.string().min(1).max(1000),
    /** What the NPC says when asked about something it does not know. */
    unknown: z.string().min(1).max(500).default('I know nothing of that.'),
    topics: z.record(z.string().min(1).max(100), WorldTopic).default({}),
  })
  .strict();
export type WorldNpc = z.infer<typeof WorldNpc>;

/** The room JSON's optional `container` block: the item-container system's own schema (seed 004). */
const WorldContainer = RoomContainerDefinitionSchema.refine((c) => c.items.length <= c.capacity_slots, {
  message: 'more item stacks than capacity_slots',
  path: ['items'],
});
export type WorldContainer = z.infer<typeof WorldContainer>;

const WorldRoom = z
  .object({
    id: Id,
    name: z.string().min(1).max(100),
    description: z.string().min(1).max(2000),
    exits: z.partialRecord(Direction, Id).default({}),
    monsters: z.array(WorldMonster).max(20).default([]),
    traps: z.array(WorldTrap).max(10).default([]),
    discoveries: z.array(WorldDiscovery).max(10).default([]),
    npcs: z.array(WorldNpc).max(10).default([]),
    container: WorldContainer.optional(),
    /**
     * How the room's container opens when it is not unlocked: `dc` is the lock-picking check a
     * rogue makes (absent: it cannot be picked); `sealedUntil` names the world event that opens
     * a sealed one (keys open locked containers: the key item's `opens` lists this room).
     */
    containerLock: z
      .object({ dc: z.int().min(1).max(30).optional(), sealedUntil: z.enum(['boss_defeated']).optional() })
      .strict()
      .optional(),
  })
  .strict();
export type WorldRoom = z.infer<typeof WorldRoom>;

export const World = z
  .object({
    id: Id,
    name: z.string().min(1).max(100),
    description: z.string().max(2000).default(''),
    entrance: Id,
    /** The room whose boss monsters end the session when they die. */
    bossRoom: Id,
    rooms: z.array(WorldRoom).min(1).max(500),
    /** The item catalogue: what an item does when equipped or used, its weight and stack size. */
    items: z.array(CatalogueItem).max(500).default([]),
  })
  .strict();
export type World = z.infer<typeof World>;
export type WorldInput = z.input<typeof World>;

export interface WorldIssue {
  /** The room the problem is in, when it is in one. */
  roomId?: string;
  /** Dotted path inside the room (or the world). */
  field: string;
  message: string;
}

export class WorldValidationError extends Error {
  readonly worldId: string | undefined;
  readonly issues: WorldIssue[];
  constructor(worldId: string | undefined, issues: WorldIssue[], source?: string) {
    const where = source ?? (worldId ? `world "${worldId}"` : 'world');
    super(`${where} is invalid:\n${issues.map((i) => `  - ${formatIssue(i)}`).join('\n')}`);
    this.name = 'WorldValidationError';
    this.worldId = worldId;
    this.issues = issues;
  }
}

function formatIssue(issue: WorldIssue): string {
  return issue.roomId ? `room "${issue.roomId}" → ${issue.field}: ${issue.message}` : `${issue.field}: ${issue.message}`;
}

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out || '(root)';
}

/** Parses and cross-checks a world; throws WorldValidationError listing every problem. */
export function parseWorld(input: unknown, source?: string): World {
  const parsed = World.safeParse(input);
  const raw = input as { id?: unknown; rooms?: unknown; items?: unknown } | null;
  const rawRooms = Array.isArray(raw?.rooms) ? (raw.rooms as { id?: unknown }[]) : [];
  const rawItems = Array.isArray((raw as { items?: unknown } | null)?.items) ? ((raw as { items: unknown[] }).items as { id?: unknown }[]) : [];
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue): WorldIssue => {
      const [head, index, ...rest] = issue.path;
      if (head === 'rooms' && typeof index === 'number') {
        const id = rawRooms[index]?.id;
        return {
          roomId: typeof id === 'string' ? id : `#${index}`,
          field: pathText(rest),
          message: issue.message,
        };
      }
      if (head === 'items' && typeof index === 'number') {
        const id = rawItems[index]?.id;
        return { field: `item "${typeof id === 'string' ? id : `#${index}`}" (items[${index}])${rest.length ? ` → ${pathText(rest)}` : ''}`, message: issue.message };
      }
      return { field: pathText(issue.path), message: issue.message };
    });
    throw new WorldValidationError(typeof raw?.id === 'string' ? raw.id : undefined, issues, source);
  }
  const world = parsed.data;
  const issues = crossCheck(world);
  if (issues.length > 0) throw new WorldValidationError(world.id, issues, source);
  return world;
}

function crossCheck(world: World): WorldIssue[] {
  const issues: WorldIssue[] = [];
  const roomIds = new Set<string>();
  for (const room of world.rooms) {
    if (roomIds.has(room.id)) issues.push({ roomId: room.id, field: 'id', message: 'duplicate room id' });
    roomIds.add(room.id);
  }
  if (!roomIds.has(world.entrance)) issues.push({ field: 'entrance', message: `no room "${world.entrance}"` });
  if (!roomIds.has(world.bossRoom)) issues.push({ field: 'bossRoom', message: `no room "${world.bossRoom}"` });

  // Monster and NPC ids are addressed by actions without a room, so they are unique world-wide.
  const thingIds = new Map<string, string>();
  const claim = (id: string, roomId: string, field: string) => {
    const other = thingIds.get(id);
    if (other !== undefined) issues.push({ roomId, field, message: `id "${id}" is also used in room "${other}"` });
    else thingIds.set(id, roomId);
  };
  for (const room of world.rooms) {
    for (const [direction, target] of Object.entries(room.exits)) {
      if (target !== undefined && !roomIds.has(target)) issues.push({ roomId: room.id, field: `exits.${direction}`, message: `no room "${target}"` });
    }
    room.monsters.forEach((m, i) => claim(m.id, room.id, `monsters[${i}].id`));
    room.npcs.forEach((n, i) => {
      claim(n.id, room.id, `npcs[${i}].id`);
      for (const [topic, t] of Object.entries(n.topics)) {
        if (t.requires !== undefined && !(t.requires in n.topics)) {
          issues.push({ roomId: room.id, field: `npcs[${i}].topics.${topic}.requires`, message: `no topic "${t.requires}"` });
        }
      }
    });
    room.traps.forEach((t, i) => claim(t.id, room.id, `traps[${i}].id`));
    room.discoveries.forEach((d, i) => {
      claim(d.id, room.id, `discoveries[${i}].id`);
      if (d.revealsExit && !roomIds.has(d.revealsExit.roomId)) {
        issues.push({ roomId: room.id, field: `discoveries[${i}].revealsExit.roomId`, message: `no room "${d.revealsExit.roomId}"` });
      }
    });
  }
  issues.push(...crossCheckItems(world, roomIds));
  const bossRoom = world.rooms.find((r) => r.id === world.bossRoom);
  if (bossRoom && !bossRoom.monsters.some((m) => m.boss)) {
    issues.push({ roomId: bossRoom.id, field: 'monsters', message: 'the boss room needs a monster with "boss": true' });
  }
  for (const room of world.rooms) {
    room.monsters.forEach((m, i) => {
      if (m.boss && room.id !== world.bossRoom) issues.push({ roomId: room.id, field: `monsters[${i}].boss`, message: 'bosses live in the bossRoom' });
    });
  }
  if (issues.length > 0) return issues;

  // Every room must be reachable from the entrance (through exits or hidden exits).
  const seen = new Set([world.entrance]);
  const queue = [world.entrance];
  const byId = new Map(world.rooms.map((r) => [r.id, r]));
  while (queue.length > 0) {
    const room = byId.get(queue.shift() as string);
    if (!room) continue;
    const targets = [...Object.values(room.exits), ...room.discoveries.map((d) => d.revealsExit?.roomId)];
    for (const t of targets) {
      if (t !== undefined && !seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    }
  }
  for (const room of world.rooms) {
    if (!seen.has(room.id)) issues.push({ roomId: room.id, field: 'id', message: `not reachable from the entrance "${world.entrance}"` });
  }
  return issues;
}

/** The catalogue against the rooms: unique ids, keys that open existing locked containers, locks on containers. */
function crossCheckItems(world: World, roomIds: Set<string>): WorldIssue[] {
  const issues: WorldIssue[] = [];
  const seen = new Set<string>();
  world.items.forEach((item, i) => {
    const field = `item "${item.id}" (items[${i}])`;
    if (seen.has(item.id)) issues.push({ field: `${field} → id`, message: 'duplicate item id' });
    seen.add(item.id);
    if (item.kind === 'key') {
      item.opens.forEach((roomId, j) => {
        const room = world.rooms.find((r) => r.id === roomId);
        if (!roomIds.has(roomId) || !room) issues.push({ field: `${field} → opens[${j}]`, message: `no room "${roomId}"` });
        else if (!room.container) issues.push({ field: `${field} → opens[${j}]`, message: `room "${roomId}" has no container` });
        else if (room.container.lock_state !== 'locked') issues.push({ field: `${field} → opens[${j}]`, message: `the container of room "${roomId}" is not locked` });
      });
    }
  });
  for (const room of world.rooms) {
    if (room.containerLock && !room.container) issues.push({ roomId: room.id, field: 'containerLock', message: 'a lock needs a container' });
    if (room.container?.lock_state === 'sealed' && !room.containerLock?.sealedUntil) {
      issues.push({ roomId: room.id, field: 'containerLock.sealedUntil', message: 'a sealed container needs the world event that opens it' });
    }
  }
  return issues;
}
