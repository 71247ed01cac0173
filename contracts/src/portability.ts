import { z } from 'zod';
import { EquipmentSlot } from './actions.ts';
import { ContainerComponentSchema, InventoryStackSchema } from './containers.ts';
import { CharacterId, KeySpec } from './registry.ts';

// Portable characters (seed 000: "character data portable between deployments"): the signed
// archive a platform issues when a character leaves, and the calls that make and take one.

/** The format this platform writes: @2 carries what the character wears and its worn containers. */
export const ARCHIVE_FORMAT = 'distributed-dungeon/character-archive@2';
/** The first format (inventory only: its exports refused a character that wore anything); still read. */
export const ARCHIVE_FORMAT_V1 = 'distributed-dungeon/character-archive@1';
export const ARCHIVE_FORMATS_READ = [ARCHIVE_FORMAT_V1, ARCHIVE_FORMAT] as const;

export const ImageByDigest = z
  .string()
  .regex(/^[^\s@]+@sha256:[a-f0-9]{64}$/, 'must name the image by digest: <repository>@sha256:<64 hex digits>');

/** Who signed: a platform's name (its JWT issuer) and Ed25519 public key (PEM, SPKI). */
export const ArchiveIssuer = z.object({ name: z.string().min(1).max(100), publicKey: z.string().min(40).max(1000) });

const ArchiveInventory = z.object({ capacity_slots: z.number().int(), weight_limit: z.number().int().nullable(), items: z.array(InventoryStackSchema) });

/** One worn thing: the stack in a slot (a worn backpack's stack names its container in inner_container). */
export const ArchivedEquipment = z.object({ slot: EquipmentSlot, item: InventoryStackSchema });
export type ArchivedEquipment = z.infer<typeof ArchivedEquipment>;

/**
 * A wearable container that travels with its item (worn, or carried with its contents in
 * inner_container), with its contents. Its id is the issuing platform's: stacks refer to it by
 * that id inside the archive, and the importing platform gives it a new one.
 */
export const ArchivedContainer = ContainerComponentSchema.pick({
  container_id: true,
  lock_state: true,
  capacity_slots: true,
  weight_limit: true,
  allowed_roles: true,
  items: true,
  metadata: true,
});
export type ArchivedContainer = z.infer<typeof ArchivedContainer>;

// Strict at the top: a payload relabelled with another format's name fails its shape check
// instead of losing (or gaining) sections silently; the format name itself is not signed.
const payloadV1 = {
  exportId: z.uuid(),
  exportedAt: z.iso.datetime(),
  issuer: ArchiveIssuer,
  character: z.object({ characterId: CharacterId, spec: KeySpec.nullable(), image: ImageByDigest.nullable() }),
  /** The SDK's exported /data state (DurableStore.exportState), checksummed by the SDK. */
  state: z.string().max(4_000_000).nullable(),
  /** The character's SQLite database, base64. */
  database: z.string().max(4_000_000).nullable(),
  inventory: ArchiveInventory,
};
export const ArchivePayloadV1 = z.strictObject(payloadV1);
export type ArchivePayloadV1 = z.infer<typeof ArchivePayloadV1>;

export const ArchivePayload = z.strictObject({
  ...payloadV1,
  /** What the character wears, one stack per slot. */
  equipment: z.array(ArchivedEquipment).max(20),
  /** The containers the stacks above (and these containers' own stacks) name in inner_container. */
  containers: z.array(ArchivedContainer).max(100),
});
export type ArchivePayload = z.infer<typeof ArchivePayload>;

/** The payload as base64url JSON (the bytes signed are the bytes carried) and its signature. */
export const CharacterArchive = z.object({
  /** Checked by the importing platform (ARCHIVE_FORMATS_READ), which names an unknown one. */
  format: z.string().min(1).max(200),
  payload: z.string().min(1),
  signature: z.string().min(1),
});
export type CharacterArchive = z.infer<typeof CharacterArchive>;

export const ExportRequest = z.object({
  state: z.string().max(4_000_000).nullable().default(null),
  database: z.string().max(4_000_000).nullable().default(null),
  image: ImageByDigest.nullable().default(null),
});
export type ExportRequest = z.infer<typeof ExportRequest>;

export const ImportRequest = z.object({ archive: CharacterArchive, characterId: CharacterId.optional() });
export type ImportRequest = z.infer<typeof ImportRequest>;

export const ImportResult = z.object({
  characterId: CharacterId,
  exportId: z.uuid(),
  issuer: z.string(),
  spec: KeySpec.nullable(),
  image: z.string().nullable(),
  state: z.string().nullable(),
  database: z.string().nullable(),
  /** Items restored, counted by quantity: carried, worn and inside the worn or carried containers. */
  items: z.number().int(),
  /** Slots restored with what was worn in them. */
  equipped: z.array(EquipmentSlot),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const IssuerInfo = ArchiveIssuer.extend({ fingerprint: z.string() });
export type IssuerInfo = z.infer<typeof IssuerInfo>;

export const TrustIssuerRequest = ArchiveIssuer;
