// The web client in headless Chromium against the real api-server (real PostgreSQL and Redis):
// a game master watches the example characters play; players sign in through their links and
// use the container UI, and a second browser context sees the change live.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { start, type Config, type RunningServer } from '@distributed-dungeon/api-server';
import { createDatabase, eventually, CharacterProcess, EXAMPLE_CHARACTERS, mintApiKey } from '@distributed-dungeon/testkit';
import pg from 'pg';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ADMIN_TOKEN, testConfig } from '../../../api-server/test/harness.ts';
import { fitsWidth, launchChromium, seriousViolations } from './chromium.ts';

const DOCS = fileURLToPath(new URL('../../../docs/', import.meta.url));
let shots: string;
let api: RunningServer;
let config: Config;
let browser: Browser;
let scratch: string;
const characters: CharacterProcess[] = [];
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'dungeon-browser-'));
  // Screenshots go to docs/ only when asked (make web-screenshots): a test run leaves the tree as it was.
  shots = process.env.WEB_SCREENSHOTS === '1' ? DOCS : path.join(scratch, 'shots');
  await mkdir(shots, { recursive: true });
  // The api-server's own test config; the server is started here (not by startApi) because the
  // reconnect test restarts it with the same config on the same port.
  config = testConfig({
    databaseUrl: await createDatabase(inject('postgresAdminUrl'), 'browser'),
    redisUrl: inject('redisUrl'),
    // As the chart runs it: the admin API and the game master's pages on a port of their own.
    ADMIN_PORT: '0',
    DUNGEON_SEED: '42',
    DUNGEON_TURN_TIMEOUT_MS: '3000',
    CORPSE_GRACE_SECONDS: '20',
  });
  api = await start(config);
  browser = await launchChromium();
});

afterAll(async () => {
  await Promise.all(characters.map((c) => c.stop('SIGTERM', 5000)));
  for (const c of contexts) await c.close();
  await browser?.close();
  await api?.stop();
});

async function admin<T>(method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(api.adminUrl! + p, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function newPage(width = 1280, height = 900): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height } });
  contexts.push(context);
  return context.newPage();
}

/** A character played by hand: registered like its container would, then driven from the browser. */
async function handPlayed(name: string, cls: 'fighter' | 'rogue', sessionId: string) {
  const characterId = `${name.toLowerCase().replace(/\W+/g, '-')}-${randomBytes(3).toString('hex')}`;
  const capabilities = ['combat', 'exploration', 'social'];
  const apiKey = await mintApiKey(api.adminUrl!, ADMIN_TOKEN, characterId, { displayName: name, class: cls, level: 3, capabilities, session: sessionId } as Parameters<typeof mintApiKey>[3]);
  const res = await fetch(`${api.url}/api/registry/character`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ characterId, name, class: cls, level: 3, containerEndpoint: 'http://127.0.0.1:9/', capabilities, version: '1.0.0', sessionId }),
  });
  if (res.status !== 200) throw new Error(`register ${name}: ${res.status} ${await res.text()}`);
  const reg = (await res.json()) as { characterToken: string; gameState: { me: { roomId: string } } };
  const link = await admin<{ path: string }>('POST', '/api/humans/player-links', { characterId });
  return { characterId, token: reg.characterToken, roomId: reg.gameState.me.roomId, url: api.url + link.path };
}

/** Waits for the element; when it does not come, the error says what the page showed instead. */
async function seen(page: Page, loc: Locator, timeout = 30_000): Promise<void> {
  try {
    await loc.first().waitFor({ timeout });
  } catch (err) {
    const text = await page.locator('body').innerText().catch((e: unknown) => `(no text: ${String(e)})`);
    throw new Error(`${(err as Error).message}\n--- the page at ${page.url()} shows:\n${text.slice(0, 2000)}`, { cause: err });
  }
}

/** Waits until the element's text contains `text` (or, with `present` false, no longer does). */
async function shows(loc: Locator, text: string, present = true, timeoutMs = 30_000): Promise<void> {
  await eventually(`"${text}" ${present ? 'shown' : 'gone'}`, async () => ((await loc.first().textContent()) ?? '').includes(text) === present, timeoutMs);
}

function item(item_id: string, item_name: string, quantity: number, weight: number) {
  return { item_id, item_name, quantity, weight, max_stack: 99, metadata: {} };
}

async function putContainer(sessionId: string, roomId: string, name: string, lock: 'unlocked' | 'locked', items: ReturnType<typeof item>[]): Promise<string> {
  const { rows } = await api.context.db.query<{ id: string }>(
    `INSERT INTO containers (source_type, room_id, lock_state, capacity_slots, weight_limit, items, metadata)
     VALUES ('environment', $1, $2, 6, 40, $3, $4) RETURNING container_instance_id AS id`,
    [roomId, lock, JSON.stringify(items), JSON.stringify({ name, game_session: sessionId })],
  );
  return rows[0]!.id;
}

describe('the web client in Chromium', () => {
  it('lets a game master sign in, create a session and watch the three example characters play', async () => {
    const page = await newPage();
    // The public port (the characters' and players') refuses a game master, saying where to go.
    await page.goto(api.url);
    await page.getByLabel('Game master: admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in as game master' }).click();
    await shows(page.getByRole('alert'), 'admin port only');
    await page.goto(api.adminUrl!);
    await page.getByLabel('Game master: admin token').fill('not the token');
    await page.getByRole('button', { name: 'Sign in as game master' }).click();
    await shows(page.getByRole('alert'), 'admin token is invalid');
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Game master: admin token').fill(ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in as game master' }).click();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    await page.getByLabel('New session name').fill('Browser crypt');
    await page.getByRole('button', { name: 'Create session' }).click();
    const link = page.getByRole('link', { name: 'Browser crypt' });
    await link.waitFor();
    const sessionId = decodeURIComponent((await link.getAttribute('href'))!.split('/').pop()!);
    await link.click();
    await page.getByRole('heading', { name: new RegExp(`Session ${sessionId}`) }).waitFor();
    await page.getByText('live', { exact: true }).waitFor();

    for (const spec of EXAMPLE_CHARACTERS) {
      const base = (JSON.parse(await readFile(path.join(spec.configDir, 'character.json'), 'utf8')) as { characterId?: string }).characterId ?? spec.key;
      const characterId = `${base}-${randomBytes(3).toString('hex')}`;
      const apiKey = await mintApiKey(api.adminUrl!, ADMIN_TOKEN, characterId, spec);
      characters.push(
        await CharacterProcess.start({ spec, characterId, apiUrl: api.url, apiKey, sessionId, dataDir: path.join(scratch, characterId), logFile: path.join(scratch, `${characterId}.log`) }),
      );
    }
    // The page learns of them and of their fights from the events alone.
    const party = page.getByRole('region', { name: 'Party' }).getByRole('listitem');
    await eventually('three characters in the party', async () => (await party.count()) === 3, 60_000);
    const log = page.getByRole('region', { name: 'Combat log' }).getByRole('listitem');
    await eventually('an attack in the combat log', async () => (await log.allTextContents()).some((t) => /Hit:|Miss:|Critical!/.test(t)), 90_000);
    await eventually('initiative in the combat log', async () => (await log.allTextContents()).some((t) => /initiative/.test(t)), 30_000);
    expect(Number(await page.locator('[data-events-applied]').getAttribute('data-events-applied'))).toBeGreaterThan(5);
    await page.screenshot({ path: path.join(shots, 'web-session.png'), fullPage: false });
    expect(await seriousViolations(page)).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    expect(await fitsWidth(page)).toBe(true);

    // Every character and the audit log, with filters.
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('link', { name: 'Characters' }).click();
    await page.getByRole('heading', { name: 'Characters' }).waitFor();
    await eventually('three characters listed', async () => (await page.getByRole('row').count()) >= 4, 30_000);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByLabel('Outcome').selectOption('success');
    await page.getByRole('button', { name: 'Filter' }).click();
    await eventually('audited operations listed', async () => (await page.getByRole('row').count()) >= 2, 30_000);
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lets players sign in through their links and use the container UI, live in a second context', async () => {
    const session = await admin<{ id: string }>('POST', '/api/sessions', { name: 'Hand-played' });
    const brand = await handPlayed('Ser Brand', 'fighter', session.id);
    const nim = await handPlayed('Nim', 'rogue', session.id);
    expect(nim.roomId).toBe(brand.roomId);
    await putContainer(session.id, brand.roomId, "Traveller's chest", 'unlocked', [item('healing-potion', 'Healing potion', 3, 1), item('gold-coin', 'Gold coin', 12, 0)]);
    const vault = await putContainer(session.id, brand.roomId, 'Sealed reliquary', 'locked', [item('relic', 'Relic', 1, 2)]);

    const a = await newPage();
    await a.goto(brand.url);
    await seen(a, a.getByRole('heading', { name: /Ser Brand/ }));
    // The spent code leaves the address bar.
    expect(a.url()).toMatch(/#\/me$/);
    const b = await newPage(390, 844);
    await b.goto(nim.url);
    await seen(b, b.getByRole('heading', { name: /Nim/ }));
    const chestOnB = b.getByRole('listitem').filter({ hasText: "Traveller's chest" });
    await shows(chestOnB, '3× Healing potion');
    await b.getByText('live', { exact: true }).waitFor();

    await a.getByText('live', { exact: true }).waitFor();
    await a.getByRole('button', { name: "Open Traveller's chest" }).click();
    const open = a.getByRole('region', { name: "Traveller's chest (open)" });
    await open.waitFor();
    expect(await open.getByRole('meter', { name: 'Container slots' }).getAttribute('aria-valuetext')).toBe('2/6');
    await open.getByRole('button', { name: 'Take 3× Healing potion' }).click();
    await a.getByRole('status').filter({ hasText: 'Took 3× Healing potion' }).waitFor();
    await open.getByRole('button', { name: 'Put in 3× Healing potion' }).waitFor();

    // The other player's page applies container.updated without reloading.
    await shows(chestOnB, 'Healing potion', false, 15_000);
    expect(await chestOnB.textContent()).toContain('12× Gold coin');

    // Keyboard: focus a slot and press Enter to put one stack back.
    await open.getByRole('button', { name: 'Put in 3× Healing potion' }).focus();
    await a.keyboard.press('Enter');
    await open.getByRole('button', { name: 'Take 3× Healing potion' }).waitFor();
    await shows(chestOnB, '3× Healing potion', true, 15_000);
    await a.screenshot({ path: path.join(shots, 'web-containers.png'), fullPage: true });

    // Drag a stack onto the inventory grid (near its top, which is in view), then loot the rest.
    await open.getByRole('button', { name: 'Take 12× Gold coin' }).dragTo(open.getByRole('list', { name: 'Your inventory' }), { targetPosition: { x: 20, y: 20 } });
    await open.getByRole('button', { name: 'Put in 12× Gold coin' }).waitFor();
    await open.getByRole('button', { name: 'Loot all' }).click();
    await open.getByRole('button', { name: 'Put in 3× Healing potion' }).waitFor();
    await shows(chestOnB, 'empty', true, 15_000);
    expect(await seriousViolations(a)).toEqual([]);

    // A locked chest: the page shows the 423's own detail.
    const direct = await fetch(`${api.url}/api/containers/open`, { method: 'POST', headers: { authorization: `Bearer ${nim.token}`, 'content-type': 'application/json' }, body: JSON.stringify({ container_id: vault }) });
    expect(direct.status).toBe(423);
    const problem = (await direct.json()) as { detail: string };
    await a.getByRole('button', { name: 'Open Sealed reliquary' }).click();
    await shows(a.getByRole('alert'), problem.detail);

    await open.getByRole('button', { name: 'Close' }).click();
    await open.waitFor({ state: 'detached' });

    // Manual control: take over from the character's module and walk through an exit by hand.
    await a.getByRole('button', { name: 'Take control' }).click();
    await a.getByRole('button', { name: 'Release control', pressed: true }).waitFor();
    await a.getByRole('button', { name: /^Go north/ }).click();
    await shows(a.getByRole('region', { name: /Ser Brand/ }), 'Antechamber');
    await a.getByRole('button', { name: 'Release control' }).click();
    await a.getByRole('button', { name: 'Take control', pressed: false }).waitFor();
    expect(await seriousViolations(b)).toEqual([]);
    expect(await fitsWidth(b)).toBe(true);
    await b.screenshot({ path: path.join(shots, 'web-player-390.png'), fullPage: true });
  });

  it('refuses a spent link', async () => {
    const session = await admin<{ id: string }>('POST', '/api/sessions', { name: 'Spent link' });
    const p = await handPlayed('Wren', 'rogue', session.id);
    const first = await newPage();
    await first.goto(p.url);
    await seen(first, first.getByRole('heading', { name: /Wren/ }));
    const second = await newPage();
    await second.goto(p.url);
    await shows(second.getByRole('alert'), 'used already');
    await second.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  it('reconnects after the connection drops and resyncs what it missed from the state', async () => {
    const session = await admin<{ id: string }>('POST', '/api/sessions', { name: 'Dropped' });
    const p = await handPlayed('Ash', 'fighter', session.id);
    const chest = await putContainer(session.id, p.roomId, 'Dusty crate', 'unlocked', [item('torch', 'Torch', 2, 1)]);
    const page = await newPage();
    await page.goto(p.url);
    const crate = page.getByRole('listitem').filter({ hasText: 'Dusty crate' });
    await shows(crate, '2× Torch');
    await page.getByText('live', { exact: true }).waitFor();

    // The api-server goes away; meanwhile the crate changes without any event reaching the page.
    const port = api.port;
    await api.stop();
    await page.getByText('reconnecting', { exact: true }).waitFor();
    const db = new pg.Client({ connectionString: config.databaseUrl });
    await db.connect();
    await db.query('UPDATE containers SET items = $2 WHERE container_instance_id = $1', [chest, JSON.stringify([item('torch', 'Torch', 7, 1)])]);
    await db.end();

    api = await start({ ...config, port });
    await page.getByText('live', { exact: true }).waitFor({ timeout: 30_000 });
    await shows(crate, '7× Torch');
  });
});
