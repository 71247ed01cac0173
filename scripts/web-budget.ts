// `make web-budget`: the web client's two budgets, measured.
//   1. initial JavaScript (the entry script and its modulepreloads in index.html), gzipped: ≤ 150 KB
//   2. events the session page applies per second in headless Chromium: ≥ 1,000/s, without falling
//      behind — real api-server, PostgreSQL, Redis and /ws; events published on the session's channel.
// Exit 1 when a budget is missed. WEB_BUDGET_RATE (1000) and WEB_BUDGET_SECONDS (10) tune step 2.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { loadConfig, start } from '@distributed-dungeon/api-server';
import { createDatabase, startPostgres, startRedis } from '@distributed-dungeon/testkit';
import { Redis } from 'ioredis';
import { launchChromium } from '@distributed-dungeon/e2e';

const JS_BUDGET_KB = 150;
const rate = Number(process.env.WEB_BUDGET_RATE || 1000);
const seconds = Number(process.env.WEB_BUDGET_SECONDS || 10);
const web = path.resolve(import.meta.dirname, '..', 'web');

async function initialJsKb(): Promise<{ kb: number; files: string[] }> {
  const vite = path.join(path.dirname(createRequire(path.join(web, 'package.json')).resolve('vite/package.json')), 'bin', 'vite.js');
  await promisify(execFile)(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: web, env: { ...process.env, NODE_ENV: 'production' } });
  const html = await readFile(path.join(web, 'dist', 'index.html'), 'utf8');
  const files = [...html.matchAll(/<script[^>]+src="([^"]+\.js)"|<link[^>]+rel="modulepreload"[^>]+href="([^"]+\.js)"/g)].map((m) => (m[1] ?? m[2])!);
  let bytes = 0;
  for (const f of files) bytes += gzipSync(await readFile(path.join(web, 'dist', f))).length;
  return { kb: bytes / 1024, files };
}

async function main(): Promise<number> {
  const js = await initialJsKb();
  console.log(`initial JavaScript: ${js.kb.toFixed(1)} KB gzipped (${js.files.join(', ')}); budget ${JS_BUDGET_KB} KB`);

  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  const adminToken = `budget-${randomBytes(12).toString('hex')}`;
  const api = await start(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', DATABASE_URL: await createDatabase(postgres.adminUrl, 'budget'), REDIS_URL: redis.url, DUNGEON_ADMIN_TOKEN: adminToken, LOG_LEVEL: 'warn', JWT_SIGNING_KEYS: `b:${randomBytes(32).toString('base64url')}` }),
  );
  const publisher = new Redis(redis.url);
  const browser = await launchChromium();
  try {
    const headers = { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' };
    const session = (await (await fetch(`${api.url}/api/sessions`, { method: 'POST', headers, body: '{}' })).json()) as { id: string };
    const state = (await (await fetch(`${api.url}/api/sessions/${session.id}/state`, { headers })).json()) as { gameState: { version: number; rooms: { id: string; monsters: { id: string }[] }[] } };
    const room = state.gameState.rooms.find((r) => r.monsters.length > 0)!;
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(api.url);
    await page.getByLabel('Game master: admin token').fill(adminToken);
    await page.getByRole('button', { name: 'Sign in as game master' }).click();
    await page.getByRole('heading', { name: 'Sessions' }).waitFor();
    await page.goto(`${api.url}/#/sessions/${session.id}`);
    await page.getByText('live', { exact: true }).waitFor();
    await page.getByText(`version ${state.gameState.version}`).waitFor();

    // What the Dungeon Master publishes in a fight: attacks and damage, each with the next version.
    const total = rate * seconds;
    let version = state.gameState.version;
    const envelope = (i: number) =>
      JSON.stringify({
        id: `budget-${i}`,
        type: i % 2 ? 'combat.damage' : 'combat.attack',
        sessionId: session.id,
        timestamp: new Date().toISOString(),
        version: ++version,
        data: i % 2
          ? { roomId: room.id, targetKind: 'monster', targetId: room.monsters[0]!.id, amount: 1, hp: 5, maxHp: 7, sourceId: 'x' }
          : { roomId: room.id, attackerKind: 'monster', attackerId: room.monsters[0]!.id, targetKind: 'character', targetId: 'x', weapon: 'claws', roll: 12, bonus: 2, total: 14, targetAc: 13, hit: true, critical: false },
      });
    const applied = async () => Number(await page.locator('[data-events-applied]').getAttribute('data-events-applied'));
    const before = await applied();
    const channel = `session:${session.id}:combat`;
    const started = Date.now();
    let published = 0;
    let maxBacklog = 0;
    const tickMs = 50;
    while (published < total) {
      const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate));
      const pipe = publisher.pipeline();
      for (; published < due; published++) pipe.publish(channel, envelope(published));
      await pipe.exec();
      maxBacklog = Math.max(maxBacklog, published - ((await applied()) - before));
      await new Promise((r) => setTimeout(r, tickMs));
    }
    const publishedIn = (Date.now() - started) / 1000;
    while ((await applied()) - before < total && Date.now() - started < (seconds + 30) * 1000) await new Promise((r) => setTimeout(r, 20));
    const doneIn = (Date.now() - started) / 1000;
    const got = (await applied()) - before;
    const perSecond = got / doneIn;
    console.log(
      `session page: ${got}/${total} events applied in ${doneIn.toFixed(2)} s (published over ${publishedIn.toFixed(2)} s at ${rate}/s) = ${perSecond.toFixed(0)} events/s; ` +
        `largest backlog ${maxBacklog} events (${((maxBacklog / rate) * 1000).toFixed(0)} ms); finished ${((doneIn - publishedIn) * 1000).toFixed(0)} ms after the last publish`,
    );
    // Headroom: a burst published at once, applied as fast as the page can.
    const burst = Number(process.env.WEB_BUDGET_BURST || 5000);
    const burstBase = await applied();
    const pipe = publisher.pipeline();
    for (let i = 0; i < burst; i++) pipe.publish(channel, envelope(total + i));
    const burstStart = Date.now();
    await pipe.exec();
    while ((await applied()) - burstBase < burst && Date.now() - burstStart < 30_000) await new Promise((r) => setTimeout(r, 10));
    const burstSeconds = (Date.now() - burstStart) / 1000;
    console.log(`burst: ${(await applied()) - burstBase}/${burst} events applied in ${burstSeconds.toFixed(2)} s = ${((await applied()) - burstBase) / burstSeconds | 0} events/s at most`);
    // Falling behind = still catching up a second after the publisher stopped.
    const keptUp = got === total && doneIn - publishedIn < 1;
    const jsOk = js.kb <= JS_BUDGET_KB;
    console.log(`budgets: initial JS ${jsOk ? 'OK' : 'OVER'}; ${rate} events/s ${keptUp ? 'kept up' : 'FELL BEHIND'}`);
    return jsOk && keptUp ? 0 : 1;
  } finally {
    await browser.close();
    publisher.disconnect();
    await api.stop();
    await Promise.all([postgres.destroy(), redis.destroy()]);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
