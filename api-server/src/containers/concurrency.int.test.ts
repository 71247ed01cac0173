import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type pg from 'pg';
import { createDatabase, eventually } from '@distributed-dungeon/testkit';
import { itemTotals, migratedPool } from '../../test/containers/support.ts';
import { engineUse, prepareUses, usesOf } from '../../test/containers/workload-items.ts';
import { limitViolations, runWorkload, setupWorkload } from '../../test/containers/workload.ts';

// The storm's length: ~10 s here; CONTAINERS_STRESS_SECONDS=30 for the seed's full 30 s.
const SECONDS = Number(process.env.CONTAINERS_STRESS_SECONDS ?? 10);
let pool: pg.Pool;
let url: string;

beforeAll(async () => {
  url = await createDatabase(inject('postgresAdminUrl'), 'containers_stress');
  pool = await migratedPool(url, 32);
  await prepareUses(pool);
});
afterAll(async () => {
  await pool?.end();
});

describe('transfers under contention', () => {
  it(`64 clients for ${SECONDS}s: every item total preserved, no capacity exceeded`, async () => {
    const setup = await setupWorkload(pool, { clients: 64 });
    const before = await itemTotals(pool);
    const r = await runWorkload(pool, setup, { durationMs: SECONDS * 1000 });
    console.log('storm', JSON.stringify({ ok: r.ok, refused: r.byCode, ms: r.elapsedMs }));
    expect(r.unexpected.map(String)).toEqual([]);
    expect(r.ok).toBeGreaterThan(100);
    // The chests and inventories are small on purpose: capacity refusals must have happened.
    expect(r.byCode['container.capacity_exceeded'] ?? 0).toBeGreaterThan(0);
    expect(await itemTotals(pool)).toEqual(before);
    expect(await limitViolations(pool)).toEqual([]);
  }, (SECONDS + 60) * 1000);

  it('kill -9 of the process in the middle of a burst leaves exact totals', async () => {
    const setup = await setupWorkload(pool, { clients: 32 });
    const before = await itemTotals(pool);
    const cli = fileURLToPath(new URL('../../test/containers/workload-cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', cli, url, JSON.stringify(setup), '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    // Wait until transfers are flowing, then kill it without warning.
    const deadline = Date.now() + 30_000;
    while (!/ok [1-9]\d{2,}/.test(out)) {
      if (Date.now() > deadline) throw new Error(`workload never got going: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Transactions cut off mid-way are rolled back by PostgreSQL when the connections drop.
    await new Promise((r) => setTimeout(r, 500));
    expect(await itemTotals(pool)).toEqual(before);
    expect(await limitViolations(pool)).toEqual([]);
    // And the system keeps working afterwards.
    const after = await runWorkload(pool, setup, { durationMs: 1000, clients: 8 });
    expect(after.unexpected.map(String)).toEqual([]);
    expect(await itemTotals(pool)).toEqual(before);
  }, 90_000);

  it('two replicas serve the same chests; one is killed -9 mid-burst, the other carries on, totals exact', async () => {
    const setup = await setupWorkload(pool, { clients: 32 });
    const before = await itemTotals(pool);
    const cli = fileURLToPath(new URL('../../test/containers/workload-cli.ts', import.meta.url));
    const replica = (seconds: number) => {
      const child = spawn(process.execPath, ['--conditions=source', cli, url, JSON.stringify(setup), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
      const seen = { out: '', err: '' };
      child.stdout.on('data', (d: Buffer) => (seen.out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (seen.err += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      return { child, seen, exited };
    };
    const doomed = replica(30);
    const survivor = replica(15);
    const deadline = Date.now() + 30_000;
    while (!/ok [1-9]\d{2,}/.test(doomed.seen.out) || !/ok [1-9]\d{2,}/.test(survivor.seen.out)) {
      if (Date.now() > deadline) throw new Error(`replicas never got going: ${doomed.seen.err} ${survivor.seen.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    doomed.child.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');
    // The survivor keeps transferring on the same rows after its peer's transactions were cut off.
    const okAtKill = Number(/ok (\d+)\n(?![\s\S]*ok \d)/.exec(survivor.seen.out)?.[1] ?? 0);
    expect(await survivor.exited).toEqual({ code: 0, signal: null });
    expect(survivor.seen.err).toBe('');
    const okAtEnd = Number(/ok (\d+)\n(?![\s\S]*ok \d)/.exec(survivor.seen.out)?.[1] ?? 0);
    expect(okAtEnd).toBeGreaterThan(okAtKill);
    expect(await itemTotals(pool)).toEqual(before);
    expect(await limitViolations(pool)).toEqual([]);
  }, 90_000);

  it(`64 clients wearing backpacks and drinking potions for ${SECONDS}s: totals exact (drunk potions accounted), no slot or weight limit exceeded`, async () => {
    const setup = await setupWorkload(pool, { clients: 64, wearables: true });
    const before = await itemTotals(pool);
    const r = await runWorkload(pool, setup, { durationMs: SECONDS * 1000, use: engineUse(pool, setup) });
    console.log('storm+items', JSON.stringify({ ok: r.ok, used: r.used, refused: r.byCode, ms: r.elapsedMs }));
    expect(r.unexpected.map(String)).toEqual([]);
    expect(r.used).toBeGreaterThan(0);
    expect(await usesOf(pool, setup, 'potion')).toBe(r.used);
    // Items went in and out of the worn backpacks, not only the chests.
    const moved = await pool.query(`SELECT 1 FROM audit_log WHERE outcome = 'success' AND operation = 'transfer' AND resource_id = ANY($1) LIMIT 1`, [Object.values(setup.backpacks!)]);
    expect(moved.rowCount).toBe(1);
    expect(await itemTotals(pool)).toEqual({ ...before, potion: before.potion! - r.used });
    expect(await limitViolations(pool)).toEqual([]);
  }, (SECONDS + 60) * 1000);

  it('kill -9 mid-burst with backpacks and potions: totals exact, each committed use accounted', async () => {
    const setup = await setupWorkload(pool, { clients: 32, wearables: true });
    const before = await itemTotals(pool);
    const cli = fileURLToPath(new URL('../../test/containers/workload-cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--conditions=source', cli, url, JSON.stringify(setup), '30', 'use'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    const deadline = Date.now() + 30_000;
    while (!/ok [1-9]\d{2,}/.test(out)) {
      if (Date.now() > deadline) throw new Error(`workload never got going: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Cut-off transactions roll back once PostgreSQL sees the connections drop.
    const used = await usesOf(pool, setup, 'potion');
    expect(used).toBeGreaterThan(0);
    await eventually('the totals to settle exactly', async () => {
      const now = await itemTotals(pool);
      return JSON.stringify(now) === JSON.stringify({ ...before, potion: before.potion! - (await usesOf(pool, setup, 'potion')) }) ? now : undefined;
    }, 10_000);
    expect(await limitViolations(pool)).toEqual([]);
  }, 90_000);
});
