import { z } from 'zod';
import { InventoryStackSchema } from './containers.ts';
import { CharacterId, KeySpec } from './registry.ts';

// Portable characters (seed 000: "character data portable between deployments"): the signed
// archive a platform issues when a character leaves, and the calls that make and take one.

export const ARCHIVE_FORMAT = 'distributed-dungeon/character-archive@1';

export const ImageByDigest = z
  .string()
  .regex(/^[^\s@]+@sha256:[a-f0-9]{64}$/, 'must name the image by digest: <repository>@sha256:<64 hex digits>');

/** Who signed: a platform's name (its JWT issuer) and Ed25519 public key (PEM, SPKI). */
export const ArchiveIssuer = z.object({ name: z.string().min(1).max(100), publicKey: z.string().min(40).max(1000) });

export const ArchivePayload = z.object({
  exportId: z.uuid(),
  exportedAt: z.iso.datetime(),
  issuer: ArchiveIssuer,
  character: z.object({ characterId: CharacterId, spec: KeySpec.nullable(), image: ImageByDigest.nullable() }),
  /** The SDK's exported /data state (DurableStore.exportState), checksummed by the SDK. */
  state: z.string().max(4_000_000).nullable(),
  /** The character's SQLite database, base64. */
  database: z.string().max(4_000_000).nullable(),
  inventory: z.object({ capacity_slots: z.number().int(), weight_limit: z.number().int().nullable(), items: z.array(InventoryStackSchema) }),
});
export type ArchivePayload = z.infer<typeof ArchivePayload>;

/** The payload as base64url JSON (the bytes signed are the bytes carried) and its signature. */
export const CharacterArchive = z.object({
  format: z.literal(ARCHIVE_FORMAT),
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
  /** Items restored, counted by quantity. */
  items: z.number().int(),
});
export type ImportResult = z.infer<typeof ImportResult>;

export const IssuerInfo = ArchiveIssuer.extend({ fingerprint: z.string() });
export type IssuerInfo = z.infer<typeof IssuerInfo>;

export const TrustIssuerRequest = ArchiveIssuer;
