// Wire schemas of the item container system (seed 004): the container component, the four
// endpoints under /api/containers and the four container.* events. Field names are the seed's
// (snake_case) so the API reads like the specification.
import { z } from 'zod';
import { EquipmentSlot } from './actions.ts';

export const CONTAINER_SOURCE_TYPES = ['environment', 'equipment', 'corpse'] as const;
export const CONTAINER_LOCK_STATES = ['unlocked', 'locked', 'sealed'] as const;
export const TRANSFER_DIRECTIONS = ['to_container', 'to_player'] as const;

export const CONTAINER_MIN_SLOTS = 1;
export const CONTAINER_MAX_SLOTS = 20;
/** Default maximum quantity of one stack when an item does not say otherwise. */
export const DEFAULT_MAX_STACK = 99;

export const ContainerSourceTypeSchema = z.enum(CONTAINER_SOURCE_TYPES);
export type ContainerSourceType = z.infer<typeof ContainerSourceTypeSchema>;
export const ContainerLockStateSchema = z.enum(CONTAINER_LOCK_STATES);
export type ContainerLockState = z.infer<typeof ContainerLockStateSchema>;
export const TransferDirectionSchema = z.enum(TRANSFER_DIRECTIONS);
export type TransferDirection = z.infer<typeof TransferDirectionSchema>;

const ItemIdSchema = z.string().min(1).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');

/** One slot of an inventory or container: a quantity of one item. */
export const InventoryStackSchema = z.object({
  item_id: ItemIdSchema,
  item_name: z.string().min(1).max(200),
  quantity: z.number().int().min(1).max(1_000_000),
  /** Weight of one unit; counts against a container's weight_limit. */
  weight: z.number().min(0).max(1_000_000).default(0),
  /** How many units fit in one slot; stacks of the same item merge up to this. */
  max_stack: z.number().int().min(1).max(1_000_000).default(DEFAULT_MAX_STACK),
  slot_type: z.string().max(64).optional(),
  metadata: z.record(z.string(), z.unknown()).default({}),
  /** For wearable containers (backpacks...): the container that holds their contents. */
  inner_container: z.uuid().nullable().optional(),
});
export type InventoryStack = z.infer<typeof InventoryStackSchema>;
export type InventoryStackInput = z.input<typeof InventoryStackSchema>;

/** The seed's ContainerComponent, as it travels on the wire (timestamps as ISO strings). */
export const ContainerComponentSchema = z.object({
  container_id: z.uuid(),
  source_type: ContainerSourceTypeSchema,
  owner_id: z.uuid().nullable(),
  room_id: z.string().min(1).max(200).nullable(),
  entity_id: z.uuid().nullable(),
  lock_state: ContainerLockStateSchema,
  capacity_slots: z.number().int().min(CONTAINER_MIN_SLOTS).max(CONTAINER_MAX_SLOTS),
  weight_limit: z.number().int().min(0).nullable(),
  decay_at: z.iso.datetime({ offset: true }).nullable(),
  allowed_roles: z.array(z.string().min(1).max(64)),
  items: z.array(InventoryStackSchema),
  metadata: z.record(z.string(), z.unknown()),
});
export type ContainerComponent = z.infer<typeof ContainerComponentSchema>;

/** The acting character's own inventory, returned next to the container after a transfer. */
export const CharacterInventorySchema = z.object({
  character_id: z.string().min(1),
  capacity_slots: z.number().int().min(1),
  weight_limit: z.number().int().min(0).nullable(),
  items: z.array(InventoryStackSchema),
});
export type CharacterInventory = z.infer<typeof CharacterInventorySchema>;

const IdempotencyKeySchema = z.string().min(8).max(128).regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only');
const MutationTokenSchema = z.string().min(16).max(256);

export const OpenContainerRequestSchema = z.strictObject({ container_id: z.uuid() });
export type OpenContainerRequest = z.infer<typeof OpenContainerRequestSchema>;
export const OpenContainerResponseSchema = z.object({
  container: ContainerComponentSchema,
  mutation_token: z.string(),
  expires_at: z.iso.datetime({ offset: true }),
});
export type OpenContainerResponse = z.infer<typeof OpenContainerResponseSchema>;

export const TransferRequestSchema = z.strictObject({
  container_id: z.uuid(),
  mutation_token: MutationTokenSchema,
  idempotency_key: IdempotencyKeySchema,
  direction: TransferDirectionSchema,
  item_id: ItemIdSchema,
  quantity: z.number().int().min(1).max(1_000_000),
});
export type TransferRequest = z.infer<typeof TransferRequestSchema>;
export const TransferResponseSchema = z.object({
  container: ContainerComponentSchema,
  inventory: CharacterInventorySchema,
  moved: z.object({ item_id: z.string(), quantity: z.number().int() }),
});
export type TransferResponse = z.infer<typeof TransferResponseSchema>;

export const CloseContainerRequestSchema = z.strictObject({
  container_id: z.uuid(),
  mutation_token: MutationTokenSchema,
});
export type CloseContainerRequest = z.infer<typeof CloseContainerRequestSchema>;
export const CloseContainerResponseSchema = z.object({ container_id: z.uuid(), closed: z.literal(true) });
export type CloseContainerResponse = z.infer<typeof CloseContainerResponseSchema>;

export const LootAllRequestSchema = z.strictObject({
  container_id: z.uuid(),
  mutation_token: MutationTokenSchema,
  idempotency_key: IdempotencyKeySchema.optional(),
});
export type LootAllRequest = z.infer<typeof LootAllRequestSchema>;
export const LootAllResponseSchema = z.object({
  container: ContainerComponentSchema,
  inventory: CharacterInventorySchema,
  /** Stacks that moved into the inventory. */
  moved: z.array(InventoryStackSchema),
  /** Stacks that did not fit and stayed in the container. */
  left_behind: z.array(InventoryStackSchema),
});
export type LootAllResponse = z.infer<typeof LootAllResponseSchema>;

export const ItemsDiffSchema = z.object({
  added: z.array(InventoryStackSchema),
  removed: z.array(InventoryStackSchema),
});
export type ItemsDiff = z.infer<typeof ItemsDiffSchema>;

export const CONTAINER_EVENT_TYPES = ['container.opened', 'container.updated', 'container.closed', 'container.decayed'] as const;

/** Private to the opening character. */
export const ContainerOpenedEventSchema = z.object({
  type: z.literal('container.opened'),
  data: z.object({
    container_id: z.uuid(),
    container: ContainerComponentSchema,
    mutation_token: z.string(),
    expires_at: z.iso.datetime({ offset: true }),
  }),
});
/** Broadcast to the room (private to the wearer for equipment containers). */
export const ContainerUpdatedEventSchema = z.object({
  type: z.literal('container.updated'),
  data: z.object({ container_id: z.uuid(), diff: z.object({ items: ItemsDiffSchema }) }),
});
/** Broadcast to the room (private to the wearer for equipment containers). */
export const ContainerClosedEventSchema = z.object({
  type: z.literal('container.closed'),
  data: z.object({ container_id: z.uuid() }),
});
/** Broadcast to the room the corpse lay in. */
export const ContainerDecayedEventSchema = z.object({
  type: z.literal('container.decayed'),
  data: z.object({ container_id: z.uuid() }),
});
export const ContainerEventSchema = z.discriminatedUnion('type', [
  ContainerOpenedEventSchema,
  ContainerUpdatedEventSchema,
  ContainerClosedEventSchema,
  ContainerDecayedEventSchema,
]);
export type ContainerEvent = z.infer<typeof ContainerEventSchema>;
export type ContainerOpenedEvent = z.infer<typeof ContainerOpenedEventSchema>;
export type ContainerUpdatedEvent = z.infer<typeof ContainerUpdatedEventSchema>;
export type ContainerClosedEvent = z.infer<typeof ContainerClosedEventSchema>;
export type ContainerDecayedEvent = z.infer<typeof ContainerDecayedEventSchema>;

/**
 * The optional `container` block of a room JSON file (seed 004, environmental containers), as the
 * world files write it: items may say `name` instead of `item_name`; `id` tells several
 * containers of one room apart (default "container").
 */
const RoomItemSchema = z.preprocess((v) => {
  if (v && typeof v === 'object' && !('item_name' in v) && 'name' in v) {
    const { name, ...rest } = v as Record<string, unknown>;
    return { ...rest, item_name: name };
  }
  return v;
}, InventoryStackSchema);

export const RoomContainerDefinitionSchema = z.strictObject({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_.-]+$/).default('container'),
  source_type: z.literal('environment').default('environment'),
  name: z.string().min(1).max(200).optional(),
  capacity_slots: z.number().int().min(CONTAINER_MIN_SLOTS).max(CONTAINER_MAX_SLOTS),
  weight_limit: z.number().int().min(0).nullable().optional(),
  lock_state: ContainerLockStateSchema.default('unlocked'),
  allowed_roles: z.array(z.string().min(1).max(64)).default([]),
  items: z.array(RoomItemSchema).default([]),
  metadata: z.record(z.string(), z.unknown()).default({}),
});
export type RoomContainerDefinition = z.infer<typeof RoomContainerDefinitionSchema>;

// Reads: a character's own items, and the containers of the room it stands in.

/** What a container is, as a player sees it: a chest (any environment prop), a corpse, a floor pile, worn gear. */
export const CONTAINER_KINDS = ['chest', 'corpse', 'floor', 'equipment'] as const;
export const ContainerKindSchema = z.enum(CONTAINER_KINDS);
export type ContainerKind = z.infer<typeof ContainerKindSchema>;

/** One container as a character in the room sees it: a locked or sealed one shows no contents. */
export const VisibleContainerSchema = z.object({
  container_id: z.uuid(),
  kind: ContainerKindSchema,
  name: z.string().nullable(),
  room_id: z.string().nullable(),
  lock_state: ContainerLockStateSchema,
  capacity_slots: z.number().int(),
  weight_limit: z.number().int().nullable(),
  /** The contents, or null when the lock hides them. */
  items: z.array(InventoryStackSchema).nullable(),
  /** Corpses: who it was, until when only its owner may loot it, and when it crumbles. */
  owner_name: z.string().nullable(),
  grace_period_until: z.iso.datetime({ offset: true }).nullable(),
  decay_at: z.iso.datetime({ offset: true }).nullable(),
});
export type VisibleContainer = z.infer<typeof VisibleContainerSchema>;

export const MyInventoryResponseSchema = z.object({
  character_id: z.string(),
  inventory: CharacterInventorySchema,
  /** Slot → the item worn there (weapon, armour, shield, backpack, pouch). */
  equipped: z.partialRecord(EquipmentSlot, InventoryStackSchema),
  /** The wearable containers the character has on, with their contents. */
  equipment: z.array(ContainerComponentSchema),
});
export type MyInventoryResponse = z.infer<typeof MyInventoryResponseSchema>;

export const RoomContainersResponseSchema = z.object({
  character_id: z.string(),
  /** Null when the character is in no session or the game cannot place it. */
  session_id: z.string().nullable(),
  room_id: z.string().nullable(),
  containers: z.array(VisibleContainerSchema),
});
export type RoomContainersResponse = z.infer<typeof RoomContainersResponseSchema>;

// The game master's tools (admin API, /api/gm).

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  occurred_at: z.iso.datetime({ offset: true }),
  actor_id: z.string().nullable(),
  actor_name: z.string().nullable(),
  resource_type: z.string(),
  resource_id: z.string().nullable(),
  session_id: z.string().nullable(),
  operation: z.string(),
  outcome: z.enum(['success', 'denied', 'error']),
  security_level: z.enum(['low', 'medium', 'high', 'critical']),
  compliance_flags: z.array(z.string()),
  details: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

export const AuditPageSchema = z.object({
  items: z.array(AuditEntrySchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  next_cursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof AuditPageSchema>;

/** A container as the game master sees it: everything, locked or not, plus what kind it is. */
export const GmContainerSchema = ContainerComponentSchema.extend({ kind: ContainerKindSchema });
export type GmContainer = z.infer<typeof GmContainerSchema>;

export const GmContainerListSchema = z.object({ session_id: z.string(), items: z.array(GmContainerSchema) });
export type GmContainerList = z.infer<typeof GmContainerListSchema>;

export const GmContainerDetailSchema = z.object({
  container: GmContainerSchema,
  /** Who has it open now (an unexpired mutation token). */
  open_by: z.array(z.object({ character_id: z.string(), expires_at: z.iso.datetime({ offset: true }) })),
  /** Its newest audit entries. */
  recent_audit: z.array(AuditEntrySchema),
});
export type GmContainerDetail = z.infer<typeof GmContainerDetailSchema>;

export const CloseSessionRequestSchema = z.strictObject({ reason: z.string().min(1).max(200).optional() });
export type CloseSessionRequest = z.infer<typeof CloseSessionRequestSchema>;
