import { randomBytes } from 'node:crypto';
import { z } from 'zod';

// Configuration is read from the environment once, at start-up. A missing or bad value stops the
// process with a message naming the variable; signing keys may be generated for development.

export interface SigningKey {
  kid: string;
  secret: string;
}

export interface Config {
  port: number;
  /** The admin API's own port (admin-port.ts); the public port then refuses the admin token. */
  adminPort?: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  adminToken: string;
  jwt: {
    keys: SigningKey[];
    /** The key new tokens are signed with; the others still verify (rotation). */
    activeKid: string;
    issuer: string;
    audience: string;
    ttlSeconds: number;
    /** True when the keys were made up because none were configured. */
    generated: boolean;
  };
  rateLimit: {
    /** Requests a character may make per window, across all replicas. */
    points: number;
    windowSeconds: number;
    /** Reads (GET) a character may make per window, a budget of their own. */
    readPoints: number;
    /** Failed credentials tolerated per client IP and per claimed key or character id, per window. */
    failedAuth: { perIp: number; perId: number; windowSeconds: number };
    /** Redis key prefix of every budget: platforms sharing one Redis keep theirs apart. */
    keyPrefix: string;
  };
  /** Express's `trust proxy`: which hops' X-Forwarded-For names the client (false: the peer address). */
  trustProxy: boolean | number | string[];
  sessions: {
    capacity: number;
    defaultWorldId: string;
    /** Open sessions beyond which registration opens no new one by itself (0: only the game master opens sessions). */
    autoCreateMax: number;
  };
  /** Characters whose heartbeats stop are deregistered, freeing their seat. */
  registry: {
    /** A registered character silent for longer than this is expired. */
    heartbeatTimeoutMs: number;
    /** How often the expiry sweeper looks (0: never). */
    expirySweepIntervalMs: number;
  };
  /** The Dungeon Master (src/engine/dungeon-master-engine.ts) and the corpses it leaves. */
  game: {
    /** A character that does not act within this long on its combat turn defends. */
    turnTimeoutMs: number;
    /** Every session's seed when set (reproducible play); else derived from the session id. */
    seed: number | null;
    /** Extra world files (`<id>.json`); the bundled worlds are always loaded. */
    worldsDir: string | null;
    /** Corpses: owner-only grace, then public, then decay (seed 004). */
    corpseGraceSeconds: number;
    corpseDecaySeconds: number;
    /** How often the decay sweeper runs (0: not at all). */
    corpseSweepIntervalMs: number;
    /** A session's owner holds it this long without renewing: the takeover delay when the owner dies. */
    sessionLeaseMs: number;
  };
  /** Where the other replicas reach this one (they forward a session's calls to its owner); else its own listening URL. */
  replicaUrl?: string;
  eventBus: { publicUrl: string };
  ws: { maxBufferedBytes: number; heartbeatMs: number; path: string };
  db: { poolMax: number; connectTimeoutMs: number; migrateOnStart: boolean };
  /** How long start-up waits for PostgreSQL and Redis to accept connections (0: fail at once). */
  startupWaitMs: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  shutdownGraceMs: number;
  /** Serve HTTPS with this certificate and key (PEM files, e.g. a cert-manager Secret); null: plain HTTP. */
  tls: { certFile: string; keyFile: string } | null;
}

export class ConfigError extends Error {
  readonly issues: { variable: string; message: string }[];
  constructor(issues: { variable: string; message: string }[]) {
    super(`invalid configuration: ${issues.map((i) => `${i.variable}: ${i.message}`).join('; ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');
const urlWithScheme = (schemes: string[]) =>
  z.string().refine((v) => {
    try {
      return schemes.includes(new URL(v).protocol.replace(/:$/, ''));
    } catch {
      return false;
    }
  }, `must be a URL with scheme ${schemes.join(' or ')}`);

/** `kid:secret,kid2:secret2`; a secret has at least 32 characters. */
const signingKeys = z.string().transform((raw, ctx) => {
  const keys: SigningKey[] = [];
  for (const part of raw.split(',').map((p) => p.trim()).filter(Boolean)) {
    const at = part.indexOf(':');
    const kid = at > 0 ? part.slice(0, at) : '';
    const secret = at > 0 ? part.slice(at + 1) : '';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(kid) || secret.length < 32) {
      ctx.addIssue({ code: 'custom', message: 'expected "kid:secret" pairs separated by commas, each secret at least 32 characters' });
      return z.NEVER;
    }
    if (keys.some((k) => k.kid === kid)) {
      ctx.addIssue({ code: 'custom', message: `key id ${kid} appears twice` });
      return z.NEVER;
    }
    keys.push({ kid, secret });
  }
  if (keys.length === 0) {
    ctx.addIssue({ code: 'custom', message: 'no keys given' });
    return z.NEVER;
  }
  return keys;
});

const Env = z.object({
  PORT: int(0, 65535).default(8080),
  ADMIN_PORT: int(0, 65535).optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: urlWithScheme(['postgres', 'postgresql']),
  REDIS_URL: urlWithScheme(['redis', 'rediss']),
  DUNGEON_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  JWT_SIGNING_KEYS: signingKeys.optional(),
  JWT_ACTIVE_KID: z.string().optional(),
  JWT_ISSUER: z.string().min(1).default('distributed-dungeon'),
  JWT_AUDIENCE: z.string().min(1).default('dungeon-characters'),
  TOKEN_TTL_SECONDS: int(10, 86_400).default(900),
  RATE_LIMIT_POINTS: int(1, 1_000_000).default(20),
  RATE_LIMIT_WINDOW_SECONDS: int(1, 3600).default(1),
  RATE_LIMIT_READ_POINTS: int(1, 1_000_000).default(50),
  AUTH_FAILURES_PER_IP: int(1, 1_000_000).default(30),
  AUTH_FAILURES_PER_ID: int(1, 1_000_000).default(10),
  AUTH_FAILURE_WINDOW_SECONDS: int(1, 86_400).default(60),
  RATE_LIMIT_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9:._-]{1,64}$/).default('dungeon:rl'),
  // A hop count (`1` behind one ingress), or addresses/CIDRs/`loopback` of trusted proxies.
  TRUST_PROXY: z
    .string()
    .regex(/^(\d{1,2}|[0-9A-Za-z.:/,\s]+)$/, 'a hop count or a comma-separated list of proxy addresses, CIDRs or "loopback"')
    .transform((v): number | string[] => (/^\d+$/.test(v) ? Number(v) : v.split(',').map((p) => p.trim()).filter(Boolean)))
    .optional(),
  SESSION_CAPACITY: int(1, 1000).default(6),
  SESSIONS_AUTO_CREATE_MAX: int(0, 10_000).default(20),
  // The SDK beats every 15 s; six missed beats mean the character is gone, not slow.
  CHARACTER_HEARTBEAT_TIMEOUT_MS: int(500, 86_400_000).default(90_000),
  CHARACTER_EXPIRY_SWEEP_MS: int(0, 3_600_000).default(5000),
  DEFAULT_WORLD_ID: z.string().regex(/^[a-z0-9][-a-z0-9]{0,62}$/).default('crypt-of-dawn'),
  DUNGEON_TURN_TIMEOUT_MS: int(50, 600_000).default(5000),
  DUNGEON_SEED: int(0, 4_294_967_295).optional(),
  DUNGEON_WORLDS_DIR: z.string().min(1).optional(),
  CORPSE_GRACE_SECONDS: int(0, 86_400).default(300),
  CORPSE_DECAY_SECONDS: int(1, 30 * 86_400).default(3600),
  CORPSE_SWEEP_INTERVAL_MS: int(0, 3_600_000).default(5000),
  SESSION_LEASE_MS: int(500, 600_000).default(6000),
  // In Kubernetes: http://$(POD_IP):<admin port, else port>.
  DUNGEON_REPLICA_URL: urlWithScheme(['http', 'https']).optional(),
  EVENT_BUS_PUBLIC_URL: urlWithScheme(['redis', 'rediss']).optional(),
  WS_MAX_BUFFERED_BYTES: int(1024, 1 << 30).default(1 << 20),
  WS_HEARTBEAT_MS: int(100, 600_000).default(30_000),
  PG_POOL_MAX: int(1, 500).default(20),
  PG_CONNECT_TIMEOUT_MS: int(100, 60_000).default(2000),
  MIGRATE_ON_START: bool.default(true),
  STARTUP_WAIT_SECONDS: int(0, 3600).default(60),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_GRACE_MS: int(0, 600_000).default(10_000),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
});

/** The bus URL handed to characters: the server's address without the admin credentials. */
export function publicBusUrl(redisUrl: string): string {
  const u = new URL(redisUrl);
  u.username = '';
  u.password = '';
  return u.toString().replace(/\/$/, '');
}

/** Parses the environment. Pure apart from generating signing keys when none are given. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as they do in most deployment tools.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Env.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? 'environment'),
        message: i.code === 'invalid_type' && i.input === undefined ? 'is required' : i.message,
      })),
    );
  }
  const e = parsed.data;
  const generated = !e.JWT_SIGNING_KEYS;
  const keys = e.JWT_SIGNING_KEYS ?? [{ kid: `dev-${randomBytes(4).toString('hex')}`, secret: randomBytes(32).toString('base64url') }];
  if (Boolean(e.TLS_CERT_FILE) !== Boolean(e.TLS_KEY_FILE)) {
    const missing = e.TLS_CERT_FILE ? 'TLS_KEY_FILE' : 'TLS_CERT_FILE';
    throw new ConfigError([{ variable: missing, message: 'TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither' }]);
  }
  const activeKid = e.JWT_ACTIVE_KID ?? keys[0]!.kid;
  if (!keys.some((k) => k.kid === activeKid)) {
    throw new ConfigError([{ variable: 'JWT_ACTIVE_KID', message: `no key with id ${activeKid} in JWT_SIGNING_KEYS` }]);
  }
  return {
    port: e.PORT,
    ...(e.ADMIN_PORT !== undefined ? { adminPort: e.ADMIN_PORT } : {}),
    ...(e.DUNGEON_REPLICA_URL !== undefined ? { replicaUrl: e.DUNGEON_REPLICA_URL } : {}),
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    adminToken: e.DUNGEON_ADMIN_TOKEN,
    jwt: { keys, activeKid, issuer: e.JWT_ISSUER, audience: e.JWT_AUDIENCE, ttlSeconds: e.TOKEN_TTL_SECONDS, generated },
    rateLimit: {
      points: e.RATE_LIMIT_POINTS,
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      readPoints: e.RATE_LIMIT_READ_POINTS,
      failedAuth: { perIp: e.AUTH_FAILURES_PER_IP, perId: e.AUTH_FAILURES_PER_ID, windowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS },
      keyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    },
    trustProxy: e.TRUST_PROXY ?? false,
    sessions: { capacity: e.SESSION_CAPACITY, defaultWorldId: e.DEFAULT_WORLD_ID, autoCreateMax: e.SESSIONS_AUTO_CREATE_MAX },
    registry: { heartbeatTimeoutMs: e.CHARACTER_HEARTBEAT_TIMEOUT_MS, expirySweepIntervalMs: e.CHARACTER_EXPIRY_SWEEP_MS },
    game: {
      turnTimeoutMs: e.DUNGEON_TURN_TIMEOUT_MS,
      seed: e.DUNGEON_SEED ?? null,
      worldsDir: e.DUNGEON_WORLDS_DIR ?? null,
      corpseGraceSeconds: e.CORPSE_GRACE_SECONDS,
      corpseDecaySeconds: e.CORPSE_DECAY_SECONDS,
      corpseSweepIntervalMs: e.CORPSE_SWEEP_INTERVAL_MS,
      sessionLeaseMs: e.SESSION_LEASE_MS,
    },
    eventBus: { publicUrl: e.EVENT_BUS_PUBLIC_URL ?? publicBusUrl(e.REDIS_URL) },
    ws: { maxBufferedBytes: e.WS_MAX_BUFFERED_BYTES, heartbeatMs: e.WS_HEARTBEAT_MS, path: '/ws' },
    db: { poolMax: e.PG_POOL_MAX, connectTimeoutMs: e.PG_CONNECT_TIMEOUT_MS, migrateOnStart: e.MIGRATE_ON_START },
    startupWaitMs: e.STARTUP_WAIT_SECONDS * 1000,
    logLevel: e.LOG_LEVEL,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    tls: e.TLS_CERT_FILE && e.TLS_KEY_FILE ? { certFile: e.TLS_CERT_FILE, keyFile: e.TLS_KEY_FILE } : null,
  };
}
