import { z } from 'zod';
import { AbilityList } from './ability-list.ts';

// Registry wire schemas: credentials (API keys), registration, tokens, heartbeats, characters and
// sessions. The request body of registration is exactly the character-containers seed's body.

/** A character id is a DNS-label-like name so it can double as a Kubernetes object name. */
export const CharacterId = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'lowercase letters, digits and "-", starting and ending with a letter or digit');
export type CharacterId = z.infer<typeof CharacterId>;

/** Session ids follow the same rule as character ids (they appear in channel names and URLs). */
export const SessionId = CharacterId;
export type SessionId = z.infer<typeof SessionId>;

export const CharacterClass = z.enum(['fighter', 'wizard', 'rogue', 'cleric', 'ranger', 'bard']);
export type CharacterClass = z.infer<typeof CharacterClass>;
export const CHARACTER_CLASSES = CharacterClass.options;

export const Capability = z.enum(['combat', 'exploration', 'social']);
export type Capability = z.infer<typeof Capability>;
export const CAPABILITIES = Capability.options;

export const Level = z.number().int().min(1).max(20);

/** Semver-ish: 1.0.0, 1.2.3-beta.1, 2.0.0+build.5. */
export const Version = z
  .string()
  .max(64)
  .regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/, 'a semantic version such as 1.0.0');

export const RegistrationRequest = z.object({
  characterId: CharacterId,
  name: z.string().trim().min(1).max(100),
  class: CharacterClass,
  level: Level,
  containerEndpoint: z.url({ protocol: /^https?$/ }),
  capabilities: z.array(Capability).min(1).max(3),
  version: Version,
  /** A session the character asks to join; the registry honours it when the session has room. */
  sessionId: SessionId.optional(),
  /**
   * The abilities and spells the player picked (abilities.ts); checked against the class and
   * level rules, and against the Character's spec.abilities when it has them. Absent: the class's
   * standard set.
   */
  abilities: AbilityList.optional(),
});
export type RegistrationRequest = z.infer<typeof RegistrationRequest>;

export const EventBusCredentials = z.object({
  /** redis:// URL of the event bus as reachable by characters (no credentials in it). */
  url: z.string(),
  username: z.string(),
  password: z.string(),
});
export type EventBusCredentials = z.infer<typeof EventBusCredentials>;

export const RegistrationResponse = z.object({
  sessionId: SessionId,
  characterToken: z.string(),
  tokenExpiresAt: z.iso.datetime(),
  gameState: z.record(z.string(), z.unknown()),
  /** Full channel names, e.g. `session:s-1:combat`, `character:thorin`. */
  eventChannels: z.array(z.string()),
  eventBus: EventBusCredentials,
  /** Path of the WebSocket gateway on the api-server, e.g. `/ws`. */
  websocketUrl: z.string(),
});
export type RegistrationResponse = z.infer<typeof RegistrationResponse>;

/**
 * What the Character resource says about the character when its key is minted. The registry
 * stores it with the key's hash and refuses a registration that claims anything else, so code
 * holding the key cannot pick another class, level or capabilities (and so other container roles).
 */
export const KeySpec = z.object({
  displayName: z.string().trim().min(1).max(100),
  class: CharacterClass,
  level: Level,
  capabilities: z
    .array(Capability)
    .min(1)
    .max(CAPABILITIES.length)
    .refine((v) => new Set(v).size === v.length, { message: 'capabilities must not repeat' }),
  /** The Character's spec.session: the only session it may ask for. */
  session: SessionId.optional(),
  /** The Character's spec.abilities: a registration must pick exactly these. */
  abilities: AbilityList.optional(),
});
export type KeySpec = z.infer<typeof KeySpec>;

/**
 * The Character resource a key is minted for. The registry records its UID with the key and
 * refuses to mint the same character id for another UID while that key is live.
 */
export const KeyOwner = z.object({
  uid: z.string().min(1).max(128),
  namespace: z.string().min(1).max(63),
  name: z.string().min(1).max(253),
});
export type KeyOwner = z.infer<typeof KeyOwner>;

/** Admin: mint an API key for a character, recording the spec its registrations must match. */
export const MintKeyRequest = z.object({ characterId: CharacterId, spec: KeySpec, owner: KeyOwner.optional() });
export type MintKeyRequest = z.infer<typeof MintKeyRequest>;

/** Admin: the Character's spec changed (a level up); the key stays, registrations must match the new spec. */
export const UpdateKeySpecRequest = z.object({ spec: KeySpec });
export type UpdateKeySpecRequest = z.infer<typeof UpdateKeySpecRequest>;

/** The key is shown once, here; the registry stores only its hash. */
export const MintKeyResponse = z.object({
  characterId: CharacterId,
  apiKey: z.string(),
  createdAt: z.iso.datetime(),
});
export type MintKeyResponse = z.infer<typeof MintKeyResponse>;

/** `POST /api/registry/token` (with a still-valid character token) → a fresh one. */
export const TokenRefreshResponse = z.object({
  characterToken: z.string(),
  tokenExpiresAt: z.iso.datetime(),
});
export type TokenRefreshResponse = z.infer<typeof TokenRefreshResponse>;

export const HeartbeatResponse = z.object({
  characterId: CharacterId,
  sessionId: SessionId,
  lastHeartbeatAt: z.iso.datetime(),
  /** Seconds left on the token that made the call; refresh when low. */
  tokenExpiresIn: z.number().int(),
});
export type HeartbeatResponse = z.infer<typeof HeartbeatResponse>;

export const CharacterStatus = z.enum(['registered', 'deregistered']);
export type CharacterStatus = z.infer<typeof CharacterStatus>;

/** A character as the registry lists it (admin). */
export const CharacterRecord = z.object({
  characterId: CharacterId,
  name: z.string(),
  class: CharacterClass,
  level: Level,
  containerEndpoint: z.string(),
  capabilities: z.array(Capability),
  version: z.string(),
  sessionId: SessionId.nullable(),
  status: CharacterStatus,
  registeredAt: z.iso.datetime(),
  lastHeartbeatAt: z.iso.datetime().nullable(),
});
export type CharacterRecord = z.infer<typeof CharacterRecord>;

export const CharacterList = z.object({ items: z.array(CharacterRecord) });
export type CharacterList = z.infer<typeof CharacterList>;

export const SessionStatus = z.enum(['open', 'closed']);
export type SessionStatus = z.infer<typeof SessionStatus>;

/** Admin: create a session. */
export const CreateSessionRequest = z.object({
  /** Chosen by the admin (e.g. `crypt-of-dawn`); generated when absent. */
  id: SessionId.optional(),
  name: z.string().trim().min(1).max(100).optional(),
  worldId: z.string().regex(/^[a-z0-9][-a-z0-9]{0,62}$/, 'a world id such as crypt-of-dawn').optional(),
  capacity: z.number().int().min(1).max(1000).optional(),
});
export type CreateSessionRequest = z.infer<typeof CreateSessionRequest>;

export const SessionRecord = z.object({
  id: SessionId,
  name: z.string(),
  worldId: z.string(),
  capacity: z.number().int(),
  /** Character ids currently registered in the session. */
  members: z.array(CharacterId),
  status: SessionStatus,
  createdAt: z.iso.datetime(),
});
export type SessionRecord = z.infer<typeof SessionRecord>;

export const SessionList = z.object({ items: z.array(SessionRecord) });
export type SessionList = z.infer<typeof SessionList>;

/** `GET /api/sessions/{id}/state`: the session plus the game engine's view of it. */
export const SessionState = z.object({
  session: SessionRecord,
  gameState: z.record(z.string(), z.unknown()),
});
export type SessionState = z.infer<typeof SessionState>;

/** The claims of a character token (JWT): `sub` is the characterId. */
export const CharacterTokenClaims = z.object({
  sub: CharacterId,
  sid: SessionId,
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  iat: z.number(),
  exp: z.number(),
  jti: z.string().optional(),
  /**
   * The registration the token was issued for (the character's credential generation): each
   * registration and each revocation starts a new one, and a token of an older one is refused.
   */
  gen: z.number().int().nonnegative(),
});
export type CharacterTokenClaims = z.infer<typeof CharacterTokenClaims>;
