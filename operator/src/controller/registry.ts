// The registry's admin API, as the operator uses it (paths fixed by DESIGN.md / api-server).
import type { CharacterSpec, KeySpec } from '@distributed-dungeon/contracts';

/** What the registry records with a key: registrations made with it must claim exactly this. */
export function keySpecOf(spec: CharacterSpec): KeySpec {
  return {
    displayName: spec.displayName,
    class: spec.class,
    level: spec.level,
    capabilities: spec.capabilities,
    ...(spec.session ? { session: spec.session } : {}),
    // Only when picked: a Character without abilities keeps the key spec (and its hash) it had.
    ...(spec.abilities ? { abilities: spec.abilities } : {}),
  };
}

export class RegistryError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

export interface RegistryRecord {
  characterId: string;
  status?: string;
  sessionId?: string | null;
}

/** The Character a key is minted for. */
export interface KeyOwner {
  uid: string;
  namespace: string;
  name: string;
}

export class RegistryClient {
  private readonly base: string;
  private readonly token: string;
  private readonly timeoutMs: number;
  private readonly guard: ((method: string, path: string) => void) | undefined;

  /** `guard` runs before every call that changes something and throws to refuse it. */
  constructor(baseUrl: string, adminToken: string, timeoutMs = 5_000, guard?: (method: string, path: string) => void) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.token = adminToken;
    this.timeoutMs = timeoutMs;
    this.guard = guard;
  }

  private async call(method: string, path: string, body?: unknown): Promise<Response> {
    if (method !== 'GET') this.guard?.(method, path);
    try {
      return await fetch(this.base + path, {
        method,
        headers: { authorization: `Bearer ${this.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RegistryError(`registry unreachable at ${this.base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, 0);
    }
  }

  private async fail(res: Response, what: string): Promise<never> {
    const text = await res.text();
    throw new RegistryError(`${what}: registry answered HTTP ${res.status} ${text.slice(0, 200)}`, res.status);
  }

  /**
   * Mints (or replaces) the key of `characterId` for the Character `owner`. The registry records
   * the owner's UID and answers 409 when the id is held by a live key of another UID.
   */
  async mintKey(characterId: string, owner: KeyOwner, spec: KeySpec): Promise<string> {
    const res = await this.call('POST', '/api/registry/keys', { characterId, owner, spec });
    if (!res.ok) return this.fail(res, 'minting an API key');
    const body = (await res.json()) as { apiKey?: string };
    if (!body.apiKey) throw new RegistryError('minting an API key: the answer has no apiKey', res.status);
    return body.apiKey;
  }

  /** The Character's spec changed: the key stays, its registrations must match the new spec. */
  async updateKeySpec(characterId: string, spec: KeySpec): Promise<void> {
    const res = await this.call('PUT', `/api/registry/keys/${encodeURIComponent(characterId)}/spec`, { spec });
    if (!res.ok) await this.fail(res, 'recording the Character spec with the API key');
    await res.body?.cancel();
  }

  /**
   * Revokes the key of `ownerUid`'s Character; a key that is already gone is fine. False when the
   * key belongs to another Character: it is left alone.
   */
  async revokeKey(characterId: string, ownerUid: string): Promise<boolean> {
    const res = await this.call('DELETE', `/api/registry/keys/${encodeURIComponent(characterId)}?ownerUid=${encodeURIComponent(ownerUid)}`);
    if (res.status === 409) {
      await res.body?.cancel();
      return false;
    }
    if (!res.ok && res.status !== 404) await this.fail(res, 'revoking the API key');
    await res.body?.cancel();
    return true;
  }

  /** A fresh one-time sign-in link for the Character's player (the api-server's humans module). */
  async mintPlayerLink(characterId: string): Promise<{ code: string; path: string }> {
    const res = await this.call('POST', '/api/humans/player-links', { characterId });
    if (!res.ok) return this.fail(res, 'minting the player sign-in link');
    return (await res.json()) as { code: string; path: string };
  }

  /** Tells the api-server a Character's platform status, for the web client (humans/platform.ts). */
  async reportPlatform(characterId: string, report: { namespace: string; name: string; phase: string; conditions: { type: string; status: string; reason?: string; message?: string }[] } | null): Promise<void> {
    const path = `/api/humans/platform/${encodeURIComponent(characterId)}`;
    const res = report ? await this.call('PUT', path, report) : await this.call('DELETE', path);
    if (!res.ok) await this.fail(res, 'reporting the platform status');
    await res.body?.cancel();
  }

  /** Deregisters; a character that never registered is fine. */
  async deregister(characterId: string): Promise<void> {
    const res = await this.call('DELETE', `/api/registry/character/${encodeURIComponent(characterId)}`);
    if (!res.ok && res.status !== 404) await this.fail(res, 'deregistering');
    await res.body?.cancel();
  }

  /** Every character the registry knows. */
  async list(): Promise<RegistryRecord[]> {
    const res = await this.call('GET', '/api/registry/characters');
    if (!res.ok) return this.fail(res, 'listing characters');
    return ((await res.json()) as { items: RegistryRecord[] }).items;
  }

  /** The registry's record, or undefined when it does not know the character. */
  async get(characterId: string): Promise<RegistryRecord | undefined> {
    const res = await this.call('GET', `/api/registry/character/${encodeURIComponent(characterId)}`);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (!res.ok) return this.fail(res, 'reading the registration');
    return (await res.json()) as RegistryRecord;
  }
}
