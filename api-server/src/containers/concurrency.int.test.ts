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

// The transfer storm in a process of its own, for the kill -9 tests.
const CLI = fileURLToPath(new URL('../../test/containers/workload-cli.ts', import.meta.url));

/** Until a workload process has printed at least 100 successful transfers. */
const flowing = (what: string, out: () => string, err: () => string) =>
  eventually(`${what} to get going (100 transfers)`, () => {
    if (/ok [1-9]\d{2,}/.test(out())) return true;
    throw new Error(err() || 'no transfers yet');
  }, 30_000, 50);

const uniqueName = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** The database URL with an application_name, so the process's server connections can be found. */
function named(name: string): string {
  const u = new URL(url);
  u.searchParams.set('application_name', name);
  return u.toString();
}

/** How many server connections the process named `name` has open. */
async function backends(name: string): Promise<number> {
  const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
  return Number(rows[0]!.n);
}

/** Until PostgreSQL has noticed that the killed process's connections dropped (and so rolled back what they had open). */
const backendsGone = (name: string) => eventually(`the server connections of ${name} to close`, async () => (await backends(name)) === 0, 30_000, 50);

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
    const name = uniqueName('storm');
    const child = spawn(process.execPath, ['--conditions=source', CLI, named(name), JSON.stringify(setup), '30'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    // Wait until transfers are flowing, then kill it without warning.
    await flowing('the workload', () => out, () => err);
    expect(await backends(name)).toBeGreaterThan(0);
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    // Transactions cut off mid-way are rolled back by PostgreSQL once it sees the connections drop.
    await backendsGone(name);
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
    const replica = (seconds: number) => {
      const child = spawn(process.execPath, ['--conditions=source', CLI, url, JSON.stringify(setup), String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
      const seen = { out: '', err: '' };
      child.stdout.on('data', (d: Buffer) => (seen.out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (seen.err += d.toString()));
      const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
      return { child, seen, exited };
    };
    const doomed = replica(30);
    const survivor = replica(15);
    await flowing('the doomed replica', () => doomed.seen.out, () => doomed.seen.err);
    await flowing('the surviving replica', () => survivor.seen.out, () => survivor.seen.err);
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
    const child = spawn(process.execPath, ['--conditions=source', CLI, url, JSON.stringify(setup), '30', 'use'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    await flowing('the workload', () => out, () => err);
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
