import { createDatabase, startRedis, type RedisServer } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { getInventory, putInventory } from '../containers/inventory.ts';
import { putEquipment } from '../containers/equipment.ts';
import { InventoryStackSchema } from '@distributed-dungeon/contracts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../test-support/harness.ts';

// Two platforms, each with its own PostgreSQL database and Redis: a character leaves the first
// with a signed archive and arrives on the second, once, only when the second trusts the first.

interface Archive {
  format: string;
  payload: string;
  signature: string;
}

describe('portable characters between two platforms', () => {
  let a: RunningServer;
  let b: RunningServer;
  let aDb: pg.Pool;
  let bDb: pg.Pool;
  let bRedis: RedisServer;

  beforeAll(async () => {
    const admin = inject('postgresAdminUrl');
    const [aUrl, bUrl] = [await createDatabase(admin, 'port_a'), await createDatabase(admin, 'port_b')];
    bRedis = await startRedis();
    a = await startApi({ databaseUrl: aUrl, redisUrl: inject('redisUrl'), JWT_ISSUER: 'platform-a', RATE_LIMIT_KEY_PREFIX: 'port-a' });
    b = await startApi({ databaseUrl: bUrl, redisUrl: bRedis.url, JWT_ISSUER: 'platform-b' });
    aDb = new pg.Pool({ connectionString: aUrl, max: 2 });
    bDb = new pg.Pool({ connectionString: bUrl, max: 2 });
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all([aDb?.end(), bDb?.end()]);
    await bRedis?.destroy();
  });

  const state = JSON.stringify({ format: 'sdk-state', note: 'remembers the ogre in the den' });
  const database = Buffer.from('SQLite format 3\0 (pretend)').toString('base64');

  async function exportFromA(characterId: string): Promise<{ archive: Archive; apiKey: string }> {
    const { apiKey } = await mintAndRegister(a.url, characterId);
    await putInventory(aDb, characterId, { items: [{ item_id: 'gold', item_name: 'Gold coin', quantity: 40 }, { item_id: 'healing-potion', item_name: 'Healing potion', quantity: 2 }] });
    const res = await http<Archive>(a.url, 'POST', '/api/portability/export', { apiKey, body: { state, database, image: `registry.example/alice/thorin@sha256:${'ab'.repeat(32)}` } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return { archive: res.body, apiKey };
  }

  async function trustAOnB(): Promise<void> {
    const issuer = await http<{ name: string; publicKey: string; fingerprint: string }>(a.url, 'GET', '/api/portability/issuer');
    expect(issuer.body.name).toBe('platform-a');
    const trusted = await http(b.url, 'PUT', '/api/portability/trusted-issuers', { token: ADMIN_TOKEN, body: { name: issuer.body.name, publicKey: issuer.body.publicKey } });
    expect(trusted.status).toBe(201);
    expect(trusted.body).toEqual({ fingerprint: issuer.body.fingerprint });
  }

  it('moves state and items: they leave the first platform and arrive on the second once', async () => {
    const id = uniqueId('mover');
    const { archive, apiKey } = await exportFromA(id);

    // The first platform: the items left, the key no longer registers, the same archive is on record.
    expect((await getInventory(aDb, id))?.items).toEqual([]);
    const again = await http(a.url, 'POST', '/api/registry/character', { apiKey, body: { characterId: id } });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({ code: 'registry.key_revoked' });
    expect((await http(a.url, 'GET', `/api/portability/exports/${id}`, { token: ADMIN_TOKEN })).body).toEqual(archive);

    // Not trusted yet: refused, naming the check and the issuer.
    const untrusted = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive } });
    expect(untrusted.status).toBe(403);
    expect(untrusted.body).toMatchObject({ code: 'portability.issuer_not_trusted' });
    expect(String(untrusted.body.detail)).toMatch(/issuer check failed: .*"platform-a"/);

    await trustAOnB();
    const imported = await http<Record<string, unknown>>(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ characterId: id, issuer: 'platform-a', state, database, items: 42, image: expect.stringMatching(/@sha256:/) });
    expect(imported.body.spec).toMatchObject({ displayName: 'Thorin Ironbeard', class: 'fighter', level: 5 });
    expect((await getInventory(bDb, id))?.items.map((s) => [s.item_id, s.quantity])).toEqual([
      ['gold', 40],
      ['healing-potion', 2],
    ]);

    // Once only.
    const twice = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive } });
    expect(twice.status).toBe(409);
    expect(twice.body).toMatchObject({ code: 'portability.already_imported' });
  });

  it('refuses to export a character that wears something, naming the slot, and changes nothing', async () => {
    const id = uniqueId('wearer');
    const { apiKey } = await mintAndRegister(a.url, id);
    await putInventory(aDb, id, { items: [{ item_id: 'gold', item_name: 'Gold coin', quantity: 5 }] });
    await putEquipment(aDb, id, 'weapon', InventoryStackSchema.parse({ item_id: 'longsword', item_name: 'Longsword', quantity: 1, weight: 3 }));
    const res = await http(a.url, 'POST', '/api/portability/export', { apiKey, body: { state, database, image: `registry.example/alice/thorin@sha256:${'ab'.repeat(32)}` } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'portability.equipment_worn' });
    expect(String(res.body.detail)).toMatch(/wears something in weapon: unequip it/);
    // Nothing moved: the items are still here and the key still registers.
    expect((await getInventory(aDb, id))?.items.map((s) => [s.item_id, s.quantity])).toEqual([['gold', 5]]);
    expect((await http(a.url, 'POST', '/api/registry/character', { apiKey, body: { characterId: id } })).status).not.toBe(401);
  });

  it('refuses a modified archive, naming the signature check, and changes nothing', async () => {
    const id = uniqueId('forger');
    const { archive } = await exportFromA(id);
    await trustAOnB();
    const payload = JSON.parse(Buffer.from(archive.payload, 'base64url').toString('utf8')) as { inventory: { items: Array<{ quantity: number }> } };
    payload.inventory.items[0]!.quantity = 4000;
    const forged = { ...archive, payload: Buffer.from(JSON.stringify(payload)).toString('base64url') };

    const res = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: forged } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'portability.bad_signature' });
    expect(String(res.body.detail)).toMatch(/^signature check failed/);
    expect(await getInventory(bDb, id)).toBeNull();

    const garbled = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: { ...archive, payload: 'bm90IGpzb24' } } });
    expect(garbled.status).toBe(400);
    expect(garbled.body).toMatchObject({ code: 'portability.bad_archive' });

    // The untouched archive still imports: the refusal wrote nothing.
    expect((await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive } })).status).toBe(200);
  });

  it('refuses what is not an archive or not a key, naming the field', async () => {
    const bad = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: { format: 'zip' } } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'request.invalid' });
    expect(String(bad.body.detail)).toContain('archive.format');
    const notKey = await http(b.url, 'PUT', '/api/portability/trusted-issuers', { token: ADMIN_TOKEN, body: { name: 'x', publicKey: '-----BEGIN PUBLIC KEY-----\nnot really a key at all, just text\n-----END PUBLIC KEY-----' } });
    expect(notKey.status).toBe(400);
    const noKey = await http(a.url, 'POST', '/api/portability/export', { body: {} });
    expect(noKey.status).toBe(401);
  });

  it('takes an archive far larger than the usual 64 kB body limit, as a real /data makes', async () => {
    const id = uniqueId('hoarder');
    const { apiKey } = await mintAndRegister(a.url, id);
    const bigState = JSON.stringify({ format: 'sdk-state', maps: 'x'.repeat(600_000) });
    const exported = await http<Archive>(a.url, 'POST', '/api/portability/export', { apiKey, body: { state: bigState, database: null, image: null } });
    expect(exported.status, JSON.stringify(exported.body).slice(0, 200)).toBe(200);
    await trustAOnB();
    const imported = await http<Record<string, unknown>>(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: exported.body } });
    expect(imported.status).toBe(200);
    expect(imported.body.state).toBe(bigState);
    // Elsewhere the 64 kB limit stands.
    const tooBig = await http(a.url, 'POST', '/api/sessions', { token: ADMIN_TOKEN, body: { id: uniqueId('big'), name: 'x'.repeat(100_000) } });
    expect(tooBig.status).toBe(413);
  });
});
