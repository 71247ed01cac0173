import { randomUUID } from 'node:crypto';
import {
  ActionResult,
  CloseContainerResponseSchema,
  HeartbeatResponse,
  LootAllResponseSchema,
  OpenContainerResponseSchema,
  TransferResponseSchema,
  type CloseContainerResponse,
  type LootAllResponse,
  type OpenContainerResponse,
  type TransferDirection,
  type TransferResponse,
  RegistrationResponse,
  TokenRefreshResponse,
  type Action,
  type RegistrationRequest,
} from '@distributed-dungeon/contracts';
import { retry, type RetryOptions } from './backoff.ts';
import { restUrl, serverBase } from './urls.ts';

// The registry and action API as a character uses it: register with the API key, keep the
// short-lived token fresh, heartbeat, act, and deregister on the way out. Transient failures
// (network, 5xx, 429) are retried with backoff; a 4xx is an answer and is not.

export class HttpError extends Error {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown, what: string) {
    const detail = body && typeof body === 'object' && 'detail' in body ? String((body as { detail: unknown }).detail) : '';
    super(`${what}: HTTP ${status}${detail ? ` — ${detail}` : ''}`);
    this.status = status;
    this.body = body;
  }
}

function isRetryable(err: unknown): boolean {
  if (err instanceof HttpError) return err.status >= 500 || err.status === 429 || err.status === 408;
  return !(err instanceof SyntaxError) && !(err instanceof TypeError && /invalid/i.test(err.message));
}

export interface RegistryClientOptions {
  /** e.g. http://dungeon-api.dungeon.svc:8080, or https://host/dungeon behind an Ingress path (every call goes under the prefix) */
  baseUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
  retry?: Omit<RetryOptions, 'retryable'>;
  /** Per-request timeout. */
  timeoutMs?: number;
}

export interface Credentials {
  characterId: string;
  sessionId: string;
  token: string;
  expiresAt: number;
}

export class RegistryClient {
  readonly #opts: RegistryClientOptions;
  readonly #fetch: typeof fetch;
  #creds: Credentials | null = null;

  constructor(options: RegistryClientOptions) {
    this.#opts = { ...options, baseUrl: serverBase(options.baseUrl) };
    this.#fetch = options.fetch ?? fetch;
  }

  get credentials(): Credentials | null {
    return this.#creds;
  }

  get baseUrl(): string {
    return this.#opts.baseUrl;
  }

  async register(request: RegistrationRequest, options: { signal?: AbortSignal } = {}): Promise<RegistrationResponse> {
    const body = await retry(() => this.#call('POST', '/api/registry/character', this.#opts.apiKey, request, 'register'), {
      ...this.#opts.retry,
      ...(options.signal ? { signal: options.signal } : {}),
      retryable: isRetryable,
    });
    const res = RegistrationResponse.parse(body);
    this.#creds = { characterId: request.characterId, sessionId: res.sessionId, token: res.characterToken, expiresAt: Date.parse(res.tokenExpiresAt) };
    return res;
  }

  /** A new token from the current one (before it expires). */
  async refreshToken(): Promise<Credentials> {
    const creds = this.#need();
    const body = await retry(() => this.#call('POST', '/api/registry/token', creds.token, undefined, 'refresh token'), {
      ...this.#opts.retry,
      attempts: 5,
      retryable: isRetryable,
    });
    const res = TokenRefreshResponse.parse(body);
    this.#creds = { ...creds, token: res.characterToken, expiresAt: Date.parse(res.tokenExpiresAt) };
    return this.#creds;
  }

  /** Whether the token should be refreshed now: less than a third of ~its life or 60 s left. */
  tokenNeedsRefresh(now = Date.now(), lifetimeMs = 15 * 60_000): boolean {
    const creds = this.#creds;
    if (!creds) return false;
    return creds.expiresAt - now < Math.max(60_000, lifetimeMs / 3);
  }

  async heartbeat(): Promise<HeartbeatResponse> {
    const creds = this.#need();
    const body = await this.#call('POST', `/api/registry/character/${encodeURIComponent(creds.characterId)}/heartbeat`, creds.token, {}, 'heartbeat');
    return HeartbeatResponse.parse(body);
  }

  async deregister(): Promise<void> {
    const creds = this.#creds;
    if (!creds) return;
    await this.#call('DELETE', `/api/registry/character/${encodeURIComponent(creds.characterId)}`, creds.token, undefined, 'deregister');
    this.#creds = null;
  }

  /** Sends an action; a 401 (token expired underneath us) refreshes once and retries. */
  async sendAction(action: Action): Promise<ActionResult> {
    const send = async () => ActionResult.parse(await this.#call('POST', '/api/actions', this.#need().token, action, action.type));
    try {
      return await send();
    } catch (err) {
      if (err instanceof HttpError && err.status === 401) {
        await this.refreshToken();
        return send();
      }
      throw err;
    }
  }

  /** Opens a container (a chest, a corpse, a worn backpack): its contents and the mutation token. */
  async openContainer(containerId: string): Promise<OpenContainerResponse> {
    return OpenContainerResponseSchema.parse(await this.#call('POST', '/api/containers/open', this.#need().token, { container_id: containerId }, 'open container'));
  }

  /**
   * Moves `quantity` of an item between an opened container and the inventory: `to_player` takes,
   * `to_container` puts. The idempotency key makes a repeated request move the items once.
   */
  async transferItems(request: { containerId: string; mutationToken: string; direction: TransferDirection; itemId: string; quantity: number; idempotencyKey?: string }): Promise<TransferResponse> {
    const body = {
      container_id: request.containerId,
      mutation_token: request.mutationToken,
      idempotency_key: request.idempotencyKey ?? `transfer-${randomUUID()}`,
      direction: request.direction,
      item_id: request.itemId,
      quantity: request.quantity,
    };
    return TransferResponseSchema.parse(await this.#call('POST', '/api/containers/transfer', this.#need().token, body, 'transfer items'));
  }

  /** Everything that fits from an opened container into the inventory. */
  async lootAll(containerId: string, mutationToken: string, idempotencyKey = `loot-${randomUUID()}`): Promise<LootAllResponse> {
    const body = { container_id: containerId, mutation_token: mutationToken, idempotency_key: idempotencyKey };
    return LootAllResponseSchema.parse(await this.#call('POST', '/api/containers/loot-all', this.#need().token, body, 'loot container'));
  }

  async closeContainer(containerId: string, mutationToken: string): Promise<CloseContainerResponse> {
    return CloseContainerResponseSchema.parse(await this.#call('POST', '/api/containers/close', this.#need().token, { container_id: containerId, mutation_token: mutationToken }, 'close container'));
  }

  /** Opens a container (a chest, a corpse), takes everything that fits, and closes it again. */
  async lootContainer(containerId: string): Promise<LootAllResponse> {
    const opened = await this.openContainer(containerId);
    const mutation = opened.mutation_token;
    try {
      const idempotencyKey = `loot-${containerId}-${mutation.slice(0, 16)}`.replace(/[^A-Za-z0-9_.:-]/g, '-');
      return await this.lootAll(containerId, mutation, idempotencyKey);
    } finally {
      await this.closeContainer(containerId, mutation).catch(() => undefined);
    }
  }

  /** `GET /api/sessions/{id}/state`: the snapshot to resync from. */
  async sessionState(): Promise<Record<string, unknown>> {
    const creds = this.#need();
    const body = (await this.#call('GET', `/api/sessions/${encodeURIComponent(creds.sessionId)}/state?characterId=${encodeURIComponent(creds.characterId)}`, creds.token, undefined, 'session state')) as {
      gameState?: Record<string, unknown>;
    };
    return body.gameState ?? (body as Record<string, unknown>);
  }

  #need(): Credentials {
    if (!this.#creds) throw new Error('not registered');
    return this.#creds;
  }

  async #call(method: string, pathname: string, bearer: string, body: unknown, what: string): Promise<unknown> {
    const res = await this.#fetch(restUrl(this.#opts.baseUrl, pathname), {
      method,
      headers: { authorization: `Bearer ${bearer}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!res.ok) throw new HttpError(res.status, parsed, what);
    return parsed;
  }
}
