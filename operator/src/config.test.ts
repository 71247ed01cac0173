import { describe, expect, it } from 'vitest';
import { parseOperatorEnv } from './config.ts';

describe('operator configuration', () => {
  const env = { DUNGEON_REGISTRY_URL: 'http://api:8080', DUNGEON_ADMIN_TOKEN: 'secret-admin-token' };
  it('has defaults', () => {
    const c = parseOperatorEnv(env);
    expect(c).toMatchObject({ workers: 4, port: 8081, leaderElection: true, leaseNamespace: 'default', leaseDurationSeconds: 15, resyncMs: 300_000 });
    expect(c.characterRegistryUrl).toBe('http://api:8080');
    expect(parseOperatorEnv({ ...env, POD_NAMESPACE: 'dungeon-system', OPERATOR_LEADER_ELECTION: 'false' })).toMatchObject({ leaseNamespace: 'dungeon-system', leaderElection: false });
  });
  it('reads the namespaces opened to players; empty means none, unset means all', () => {
    expect(parseOperatorEnv({ ...env, OPERATOR_NAMESPACES: 'player-alice, player-bob' }).namespaces).toEqual(['player-alice', 'player-bob']);
    expect(parseOperatorEnv({ ...env, OPERATOR_NAMESPACES: '' }).namespaces).toEqual([]);
    expect(parseOperatorEnv(env).namespaces).toBeUndefined();
    expect(() => parseOperatorEnv({ ...env, OPERATOR_NAMESPACES: 'Not A Namespace' })).toThrow(/OPERATOR_NAMESPACES/);
  });
  it('names the bad variable', () => {
    expect(() => parseOperatorEnv({ ...env, DUNGEON_REGISTRY_URL: 'not a url' })).toThrow(/DUNGEON_REGISTRY_URL/);
    expect(() => parseOperatorEnv({ ...env, OPERATOR_WORKERS: '0' })).toThrow(/OPERATOR_WORKERS/);
    expect(() => parseOperatorEnv({ DUNGEON_REGISTRY_URL: 'http://a' })).toThrow(/DUNGEON_ADMIN_TOKEN/);
    expect(() => parseOperatorEnv({ ...env, DUNGEON_EXTERNAL_URL: 'dungeon.example' })).toThrow(/DUNGEON_EXTERNAL_URL/);
  });
  it('reads the external URL handed to external Characters', () => {
    expect(parseOperatorEnv({ ...env, DUNGEON_EXTERNAL_URL: 'https://dungeon.example' }).externalUrl).toBe('https://dungeon.example');
    expect(parseOperatorEnv(env).externalUrl).toBeUndefined();
  });
});
