import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, publicBusUrl } from './config.ts';

const base = {
  DATABASE_URL: 'postgres://u:p@db:5432/dungeon',
  REDIS_URL: 'redis://default:secret@redis:6379',
  DUNGEON_ADMIN_TOKEN: 'x'.repeat(24),
};

function issuesOf(env: Record<string, string | undefined>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('serves HTTPS only with both a certificate and a key file, naming the missing one', () => {
    expect(loadConfig(base).tls).toBeNull();
    expect(loadConfig({ ...base, TLS_CERT_FILE: '/tls/tls.crt', TLS_KEY_FILE: '/tls/tls.key' }).tls).toEqual({ certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' });
    expect(issuesOf({ ...base, TLS_CERT_FILE: '/tls/tls.crt' })).toEqual([
      { variable: 'TLS_KEY_FILE', message: 'TLS_CERT_FILE and TLS_KEY_FILE go together: set both or neither' },
    ]);
    expect(issuesOf({ ...base, TLS_KEY_FILE: '/tls/tls.key' })[0]?.variable).toBe('TLS_CERT_FILE');
  });

  it('parses the read and failed-credential budgets and TRUST_PROXY, naming a bad value', () => {
    const d = loadConfig(base);
    expect(d.rateLimit).toMatchObject({ readPoints: 50, failedAuth: { perIp: 30, perId: 10, windowSeconds: 60 }, keyPrefix: 'dungeon:rl' });
    expect(d.trustProxy).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(issuesOf({ ...base, TRUST_PROXY: 'yes please!' })[0]?.variable).toBe('TRUST_PROXY');
    expect(issuesOf({ ...base, AUTH_FAILURES_PER_IP: '0' })[0]?.variable).toBe('AUTH_FAILURES_PER_IP');
  });

  it('runs with only the four documented variables, generating a signing key', () => {
    const c = loadConfig({ ...base, PORT: '9090' });
    expect(c.port).toBe(9090);
    expect(c.jwt.generated).toBe(true);
    expect(c.jwt.keys).toHaveLength(1);
    expect(c.jwt.keys[0]!.secret.length).toBeGreaterThanOrEqual(32);
    expect(c.jwt.activeKid).toBe(c.jwt.keys[0]!.kid);
    expect(c.sessions).toEqual({ capacity: 6, defaultWorldId: 'crypt-of-dawn', autoCreateMax: 20 });
    expect(c.registry).toEqual({ heartbeatTimeoutMs: 90_000, expirySweepIntervalMs: 5000 });
  });

  it('defaults PORT to 8080 and treats empty strings as unset', () => {
    expect(loadConfig({ ...base, PORT: '' }).port).toBe(8080);
  });

  it('names each missing variable', () => {
    const issues = issuesOf({ PORT: '1' });
    expect(issues.map((i) => i.variable).sort()).toEqual(['DATABASE_URL', 'DUNGEON_ADMIN_TOKEN', 'REDIS_URL']);
    expect(issues.every((i) => i.message === 'is required')).toBe(true);
  });

  it('names a bad value', () => {
    expect(issuesOf({ ...base, PORT: 'eighty' })[0]!.variable).toBe('PORT');
    expect(issuesOf({ ...base, REDIS_URL: 'http://redis:6379' })[0]).toMatchObject({ variable: 'REDIS_URL', message: expect.stringContaining('redis') });
    expect(issuesOf({ ...base, DUNGEON_ADMIN_TOKEN: 'short' })[0]!.variable).toBe('DUNGEON_ADMIN_TOKEN');
    expect(issuesOf({ ...base, MIGRATE_ON_START: 'maybe' })[0]!.variable).toBe('MIGRATE_ON_START');
  });

  it('parses several signing keys and picks the active one by kid', () => {
    const c = loadConfig({ ...base, JWT_SIGNING_KEYS: `new:${'n'.repeat(32)}, old:${'o'.repeat(40)}`, JWT_ACTIVE_KID: 'new' });
    expect(c.jwt.generated).toBe(false);
    expect(c.jwt.keys.map((k) => k.kid)).toEqual(['new', 'old']);
    expect(c.jwt.activeKid).toBe('new');
  });

  it('refuses short secrets, duplicate kids and an unknown active kid', () => {
    expect(issuesOf({ ...base, JWT_SIGNING_KEYS: 'k:short' })[0]!.variable).toBe('JWT_SIGNING_KEYS');
    expect(issuesOf({ ...base, JWT_SIGNING_KEYS: `k:${'a'.repeat(32)},k:${'b'.repeat(32)}` })[0]!.message).toContain('twice');
    expect(issuesOf({ ...base, JWT_SIGNING_KEYS: `k:${'a'.repeat(32)}`, JWT_ACTIVE_KID: 'other' })[0]!.variable).toBe('JWT_ACTIVE_KID');
  });

  it('parses the heartbeat expiry and the bound on automatic sessions, naming a bad value', () => {
    const c = loadConfig({ ...base, CHARACTER_HEARTBEAT_TIMEOUT_MS: '1500', CHARACTER_EXPIRY_SWEEP_MS: '0', SESSIONS_AUTO_CREATE_MAX: '0' });
    expect(c.registry).toEqual({ heartbeatTimeoutMs: 1500, expirySweepIntervalMs: 0 });
    expect(c.sessions.autoCreateMax).toBe(0);
    expect(issuesOf({ ...base, CHARACTER_HEARTBEAT_TIMEOUT_MS: '10' })[0]!.variable).toBe('CHARACTER_HEARTBEAT_TIMEOUT_MS');
    expect(issuesOf({ ...base, CHARACTER_EXPIRY_SWEEP_MS: 'often' })[0]!.variable).toBe('CHARACTER_EXPIRY_SWEEP_MS');
    expect(issuesOf({ ...base, SESSIONS_AUTO_CREATE_MAX: '-1' })[0]!.variable).toBe('SESSIONS_AUTO_CREATE_MAX');
  });

  it('parses the session lease and the URL other replicas reach this one at, naming a bad value', () => {
    expect(loadConfig(base).game.sessionLeaseMs).toBe(6000);
    expect(loadConfig(base).replicaUrl).toBeUndefined();
    const c = loadConfig({ ...base, SESSION_LEASE_MS: '2000', DUNGEON_REPLICA_URL: 'http://10.0.0.7:8081' });
    expect(c.game.sessionLeaseMs).toBe(2000);
    expect(c.replicaUrl).toBe('http://10.0.0.7:8081');
    expect(issuesOf({ ...base, SESSION_LEASE_MS: '10' })[0]!.variable).toBe('SESSION_LEASE_MS');
    expect(issuesOf({ ...base, DUNGEON_REPLICA_URL: 'redis://10.0.0.7' })[0]!.variable).toBe('DUNGEON_REPLICA_URL');
  });

  it('hands characters the bus URL without the admin credentials unless told otherwise', () => {
    expect(loadConfig(base).eventBus.publicUrl).toBe('redis://redis:6379');
    expect(loadConfig({ ...base, EVENT_BUS_PUBLIC_URL: 'rediss://bus.example:6380' }).eventBus.publicUrl).toBe('rediss://bus.example:6380');
    expect(publicBusUrl('redis://:pw@h:1/0')).toBe('redis://h:1/0');
  });
});
