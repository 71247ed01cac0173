import { createDatabase, eventually, startRedis, type RedisServer } from '@distributed-dungeon/testkit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningServer } from '../server.ts';
import { getInventory, putInventory } from '../containers/inventory.ts';
import { getEquipment, putEquipment } from '../containers/equipment.ts';
import { characterUuid } from '../containers/ids.ts';
import { createContainer, getContainer, updateContainerItems } from '../containers/persistence.ts';
import { ARCHIVE_FORMAT_V1, InventoryStackSchema, type MyInventoryResponse } from '@distributed-dungeon/contracts';
import { platformKey, signPayload } from './signing.ts';
import { ADMIN_TOKEN, http, mintAndRegister, startApi, uniqueId } from '../../test/harness.ts';

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

  /** A fighter with a sword in hand, a worn backpack holding rope and torches, and a carried pouch of lockpicks. */
  async function equipOnA(characterId: string): Promise<{ backpack: string; pouch: string }> {
    const uuid = characterUuid(characterId);
    const stack = (s: Record<string, unknown>) => InventoryStackSchema.parse(s);
    const backpack = await createContainer(aDb, {
      source_type: 'equipment', owner_id: uuid, entity_id: uuid, capacity_slots: 8, weight_limit: 40,
      items: [{ item_id: 'rope', item_name: 'Rope', quantity: 1, weight: 5 }, { item_id: 'torch', item_name: 'Torch', quantity: 3, weight: 1 }],
      metadata: { kind: 'wearable', item_id: 'backpack', name: 'Backpack', equipped: true },
    });
    const pouch = await createContainer(aDb, {
      source_type: 'equipment', owner_id: uuid, entity_id: null, capacity_slots: 2,
      items: [{ item_id: 'lockpick', item_name: 'Lockpick', quantity: 3, weight: 0 }],
      metadata: { kind: 'wearable', item_id: 'pouch', name: 'Pouch', equipped: false },
    });
    await putInventory(aDb, characterId, {
      items: [
        { item_id: 'gold', item_name: 'Gold coin', quantity: 40 },
        { item_id: 'pouch', item_name: 'Pouch', quantity: 1, max_stack: 1, metadata: { container_capacity: 2 }, inner_container: pouch.container_id },
      ],
    });
    expect(await putEquipment(aDb, characterId, 'weapon', stack({ item_id: 'longsword', item_name: 'Longsword', quantity: 1, weight: 3, slot_type: 'weapon' }))).toBe(true);
    expect(await putEquipment(aDb, characterId, 'back', stack({ item_id: 'backpack', item_name: 'Backpack', quantity: 1, max_stack: 1, metadata: { container_capacity: 8 }, inner_container: backpack.container_id }))).toBe(true);
    return { backpack: backpack.container_id, pouch: pouch.container_id };
  }

  const image = `registry.example/alice/thorin@sha256:${'ab'.repeat(32)}`;

  it('carries what the character wears and its worn and carried packs with their contents, leaving nothing behind', async () => {
    const id = uniqueId('wearer');
    const { apiKey } = await mintAndRegister(a.url, id);
    const onA = await equipOnA(id);
    const res = await http<Archive>(a.url, 'POST', '/api/portability/export', { apiKey, body: { state, database, image } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.format).toBe('distributed-dungeon/character-archive@2');

    // Nothing stays on the first platform: no slot, no pack, no carried item.
    expect(await getEquipment(aDb, id)).toEqual([]);
    expect(await getContainer(aDb, onA.backpack)).toBeNull();
    expect(await getContainer(aDb, onA.pouch)).toBeNull();
    expect((await getInventory(aDb, id))?.items).toEqual([]);

    await trustAOnB();
    const imported = await http<Record<string, unknown>>(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: res.body } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    // 40 gold + pouch + 3 lockpicks + longsword + backpack + rope + 3 torches
    expect(imported.body).toMatchObject({ characterId: id, items: 50, equipped: ['back', 'weapon'] });

    // The second platform, read the way the character reads it (it joins there with its things).
    const { characterToken } = await mintAndRegister(b.url, id);
    const mine = await http<MyInventoryResponse>(b.url, 'GET', `/api/characters/${id}/inventory`, { token: characterToken });
    expect(mine.status, JSON.stringify(mine.body)).toBe(200);
    const { equipped, equipment, inventory } = mine.body;
    expect(equipped.weapon).toMatchObject({ item_id: 'longsword', weight: 3, slot_type: 'weapon' });
    expect(equipped.back).toMatchObject({ item_id: 'backpack', metadata: { container_capacity: 8 } });
    const worn = equipment.find((c) => c.container_id === equipped.back?.inner_container);
    expect(worn, 'the worn backpack is a worn container on B').toBeDefined();
    expect(worn!.container_id).not.toBe(onA.backpack);
    expect(worn).toMatchObject({ source_type: 'equipment', entity_id: characterUuid(id), capacity_slots: 8, weight_limit: 40 });
    expect(worn!.items.map((s) => [s.item_id, s.quantity])).toEqual([['rope', 1], ['torch', 3]]);
    expect(equipment).toHaveLength(1); // the pouch is carried, not worn
    expect(inventory.items.map((s) => [s.item_id, s.quantity])).toEqual([['gold', 40], ['pouch', 1]]);
    const pouch = await getContainer(bDb, inventory.items[1]!.inner_container!);
    expect(pouch).toMatchObject({ source_type: 'equipment', owner_id: characterUuid(id), entity_id: null, capacity_slots: 2 });
    expect(pouch!.items.map((s) => [s.item_id, s.quantity])).toEqual([['lockpick', 3]]);
    // The join took its things for its own: no starting kit beside them.
    expect((await getInventory(bDb, id))?.items).toHaveLength(2);
  });

  it('carries what a character equipped through the game: it joins the second platform wearing it, with the same numbers', async () => {
    const id = uniqueId('player');
    const onA = await mintAndRegister(a.url, id);
    await eventually('the starting kit', async () => (await getInventory(aDb, id))?.items.some((s) => s.item_id === 'longsword'));
    const kit = (await getInventory(aDb, id))!;
    // crypt-of-dawn's leather backpack (kind container, slot back, 8 slots, 40 weight).
    await putInventory(aDb, id, { items: [...kit.items, { item_id: 'leather-backpack', item_name: 'Leather backpack', quantity: 1, weight: 2, max_stack: 1 }] });
    for (const itemId of ['longsword', 'leather-backpack']) {
      const done = await http<{ accepted: boolean }>(a.url, 'POST', '/api/actions', { token: onA.characterToken, body: { characterId: id, type: 'item.equip', itemId } });
      expect(done.body, JSON.stringify(done.body)).toMatchObject({ accepted: true });
    }
    const bag = (await getEquipment(aDb, id)).find((e) => e.slot === 'back')!.item.inner_container!;
    await updateContainerItems(aDb, bag, [InventoryStackSchema.parse({ item_id: 'torch', item_name: 'Torch', quantity: 2, weight: 1 })], new Date());
    type Me = { weapon: unknown; attackBonus: number; ac: number; equipment?: Record<string, { item_id: string }> };
    const meOn = async (base: string, token: string, sessionId: string) =>
      (await http<{ gameState: { me: Me } }>(base, 'GET', `/api/sessions/${sessionId}/state`, { token })).body.gameState.me;
    const before = await meOn(a.url, onA.characterToken, onA.sessionId);
    expect(before.equipment).toMatchObject({ weapon: { item_id: 'longsword' }, back: { item_id: 'leather-backpack' } });

    const exported = await http<Archive>(a.url, 'POST', '/api/portability/export', { apiKey: onA.apiKey, body: { state: null, database: null, image: null } });
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    expect(await getContainer(aDb, bag)).toBeNull();
    await trustAOnB();
    const imported = await http<Record<string, unknown>>(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: exported.body } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(200);
    expect(imported.body).toMatchObject({ equipped: ['back', 'weapon'] });

    const onB = await mintAndRegister(b.url, id);
    const after = await meOn(b.url, onB.characterToken, onB.sessionId);
    expect(after.equipment).toMatchObject({ weapon: { item_id: 'longsword' }, back: { item_id: 'leather-backpack' } });
    expect({ weapon: after.weapon, attackBonus: after.attackBonus, ac: after.ac }).toEqual({ weapon: before.weapon, attackBonus: before.attackBonus, ac: before.ac });
    const mine = await http<MyInventoryResponse>(b.url, 'GET', `/api/characters/${id}/inventory`, { token: onB.characterToken });
    expect(mine.body.equipment.map((c) => [c.capacity_slots, c.weight_limit, c.items.map((s) => [s.item_id, s.quantity])])).toEqual([[8, 40, [['torch', 2]]]]);
  });

  it('loses and doubles nothing when the character moves items out of its worn pack while it exports', async () => {
    const id = uniqueId('hurried');
    const { apiKey, characterToken } = await mintAndRegister(a.url, id);
    const { backpack } = await equipOnA(id);
    await updateContainerItems(aDb, backpack, [InventoryStackSchema.parse({ item_id: 'torch', item_name: 'Torch', quantity: 12, weight: 1 })], new Date());
    const opened = await http<{ mutation_token: string }>(a.url, 'POST', '/api/containers/open', { token: characterToken, body: { container_id: backpack } });
    expect(opened.status, JSON.stringify(opened.body)).toBe(200);
    const transfer = (n: number) =>
      http(a.url, 'POST', '/api/containers/transfer', {
        token: characterToken,
        body: { container_id: backpack, mutation_token: opened.body.mutation_token, idempotency_key: `hurry-${id}-${n}`, direction: 'to_player', item_id: 'torch', quantity: 1 },
      });
    const [exported, ...moves] = await Promise.all([
      http<Archive>(a.url, 'POST', '/api/portability/export', { apiKey, body: { state: null, database: null, image: null } }),
      ...Array.from({ length: 8 }, (_, n) => transfer(n)),
    ]);
    expect(exported.status, JSON.stringify(exported.body)).toBe(200);
    // Each move either happened before the export took the pack, or was refused after: never a 500.
    for (const m of moves) expect([200, 401, 403, 404, 429], JSON.stringify(m.body)).toContain(m.status);
    const p = JSON.parse(Buffer.from(exported.body.payload, 'base64url').toString('utf8')) as {
      inventory: { items: Array<{ item_id: string; quantity: number }> };
      containers: Array<{ items: Array<{ item_id: string; quantity: number }> }>;
    };
    const torches = (stacks: Array<{ item_id: string; quantity: number }>) => stacks.filter((s) => s.item_id === 'torch').reduce((n, s) => n + s.quantity, 0);
    const inPack = p.containers.reduce((n, c) => n + torches(c.items), 0);
    expect(torches(p.inventory.items) + inPack).toBe(12);
    expect(torches(p.inventory.items)).toBe(moves.filter((m) => m.status === 200).length);
    // Nothing stayed behind on the first platform.
    expect(await getContainer(aDb, backpack)).toBeNull();
    expect((await getInventory(aDb, id))?.items).toEqual([]);
  });

  it('refuses an archive whose equipment or pack contents were changed, naming the signature check, and restores nothing', async () => {
    const id = uniqueId('tamper');
    const { apiKey } = await mintAndRegister(a.url, id);
    await equipOnA(id);
    const res = await http<Archive>(a.url, 'POST', '/api/portability/export', { apiKey, body: { state, database, image } });
    expect(res.status).toBe(200);
    await trustAOnB();
    type Payload = { equipment: Array<{ slot: string; item: { item_id: string } }>; containers: Array<{ items: Array<{ quantity: number }> }> };
    const edit = (change: (p: Payload) => void): Archive => {
      const p = JSON.parse(Buffer.from(res.body.payload, 'base64url').toString('utf8')) as Payload;
      change(p);
      return { ...res.body, payload: Buffer.from(JSON.stringify(p)).toString('base64url') };
    };
    for (const forged of [
      edit((p) => (p.equipment.find((e) => e.slot === 'weapon')!.item.item_id = 'vorpal-sword')),
      edit((p) => (p.containers[0]!.items[0]!.quantity = 99)),
    ]) {
      const refused = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: forged } });
      expect(refused.status).toBe(422);
      expect(refused.body).toMatchObject({ code: 'portability.bad_signature' });
      expect(String(refused.body.detail)).toMatch(/^signature check failed/);
    }
    expect(await getEquipment(bDb, id)).toEqual([]);
    expect(await getInventory(bDb, id)).toBeNull();

    // Into a character that already wears something here: refused (its things would mix), nothing written.
    const wearing = uniqueId('busy');
    expect(await putEquipment(bDb, wearing, 'weapon', InventoryStackSchema.parse({ item_id: 'dagger', item_name: 'Dagger', quantity: 1 }))).toBe(true);
    const busy = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: res.body, characterId: wearing } });
    expect(busy.status).toBe(409);
    expect(busy.body).toMatchObject({ code: 'portability.inventory_not_empty' });
    expect(String(busy.body.detail)).toContain('already holds or wears items here');
    expect((await getEquipment(bDb, wearing)).map((e) => e.item.item_id)).toEqual(['dagger']);

    // The untouched archive still imports whole: the refusals wrote nothing.
    const ok = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: res.body } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect((await getEquipment(bDb, id)).map((e) => e.slot)).toEqual(['back', 'weapon']);
  });

  it('refuses a signed archive whose packs do not add up, naming the belongings check', async () => {
    await trustAOnB();
    const key = await platformKey(aDb);
    const issuer = (await http<{ name: string; publicKey: string }>(a.url, 'GET', '/api/portability/issuer')).body;
    const bag = '6f1c7d1e-0000-4000-8000-000000000001';
    const pack = { item_id: 'backpack', item_name: 'Backpack', quantity: 1, inner_container: bag };
    const payload = {
      exportId: '6f1c7d1e-0000-4000-8000-0000000000aa',
      exportedAt: new Date().toISOString(),
      issuer,
      character: { characterId: uniqueId('twice'), spec: null, image: null },
      state: null,
      database: null,
      // One container named by two stacks would be worn and carried at once: a duplicate.
      inventory: { capacity_slots: 20, weight_limit: null, items: [pack] },
      equipment: [{ slot: 'back', item: pack }],
      containers: [{ container_id: bag, lock_state: 'unlocked', capacity_slots: 4, weight_limit: null, allowed_roles: [], items: [], metadata: {} }],
    };
    const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');
    const res = await http(b.url, 'POST', '/api/portability/import', {
      token: ADMIN_TOKEN,
      body: { archive: { format: 'distributed-dungeon/character-archive@2', payload: encoded, signature: signPayload(key, encoded) } },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'portability.bad_archive' });
    expect(String(res.body.detail)).toMatch(/^belongings check failed: .*container 6f1c7d1e-0000-4000-8000-000000000001 is named by two stacks/);
  });

  it('still imports a first-format archive (inventory only) and refuses an unknown format, naming it', async () => {
    await trustAOnB();
    const key = await platformKey(aDb);
    const issuer = (await http<{ name: string; publicKey: string }>(a.url, 'GET', '/api/portability/issuer')).body;
    const id = uniqueId('old');
    const v1 = {
      exportId: '6f1c7d1e-0000-4000-8000-0000000000bb',
      exportedAt: new Date().toISOString(),
      issuer,
      character: { characterId: id, spec: null, image: null },
      state,
      database: null,
      inventory: { capacity_slots: 20, weight_limit: null, items: [{ item_id: 'gold', item_name: 'Gold coin', quantity: 7 }] },
    };
    const encoded = Buffer.from(JSON.stringify(v1)).toString('base64url');
    const signature = signPayload(key, encoded);

    // The format name is outside the signature: relabelling a first-format payload fails its shape check.
    const relabelled = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: { format: 'distributed-dungeon/character-archive@2', payload: encoded, signature } } });
    expect(relabelled.status).toBe(400);
    expect(relabelled.body).toMatchObject({ code: 'portability.bad_archive' });
    expect(String(relabelled.body.detail)).toMatch(/payload check failed: payload\.equipment/);

    const unknown = await http(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: { format: 'distributed-dungeon/character-archive@3', payload: encoded, signature } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ code: 'portability.unsupported_format' });
    expect(String(unknown.body.detail)).toMatch(/^format check failed: .*"distributed-dungeon\/character-archive@3"/);

    const old = await http<Record<string, unknown>>(b.url, 'POST', '/api/portability/import', { token: ADMIN_TOKEN, body: { archive: { format: ARCHIVE_FORMAT_V1, payload: encoded, signature } } });
    expect(old.status, JSON.stringify(old.body)).toBe(200);
    expect(old.body).toMatchObject({ characterId: id, items: 7, equipped: [] });
    expect((await getInventory(bDb, id))?.items.map((s) => [s.item_id, s.quantity])).toEqual([['gold', 7]]);
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
    expect(String(bad.body.detail)).toContain('archive.payload');
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
