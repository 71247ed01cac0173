// One table for `make bench`: each benchmark appends its figures, each beside the peer measured in
// the same run, to the file BENCH_JSON names; run as a script, this prints them all with ratios.
//
//   BENCH_JSON=/tmp/bench.jsonl node api-server/bench/throughput.ts; ... ; node api-server/bench/table.ts /tmp/bench.jsonl
import { appendFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface PeerRow {
  what: string;
  value: number;
  p99ms?: number;
  peer: string;
  peerValue: number;
  /** The figure is a latency: the ratio is peer/value, so ≥ 1 still means "at least as good". */
  lowerIsBetter?: boolean;
  /** The ratio the issue asks for, if any. */
  goal?: number;
}

export function writeRows(rows: PeerRow[]): void {
  const file = process.env.BENCH_JSON;
  if (!file) return;
  appendFileSync(file, rows.map((r) => JSON.stringify(r) + '\n').join(''));
}

export function ratio(r: PeerRow): number {
  return r.lowerIsBetter ? r.peerValue / r.value : r.value / r.peerValue;
}

export function formatTable(rows: PeerRow[]): string {
  const cells = rows.map((r) => {
    const q = ratio(r);
    return [
      r.what,
      r.value.toFixed(r.lowerIsBetter ? 1 : 0),
      r.p99ms === undefined ? '' : r.p99ms.toFixed(1),
      r.peer,
      r.peerValue.toFixed(0),
      Number.isFinite(q) ? q.toFixed(2) : 'n/a',
      r.goal === undefined ? '' : `${q >= r.goal ? 'met' : 'NOT met'} (≥ ${r.goal})`,
    ];
  });
  const header = ['measurement', 'figure', 'p99 ms', 'peer (same run)', 'peer figure', 'ratio', 'goal'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? process.env.BENCH_JSON;
  if (!file) throw new Error('usage: table.ts <rows.jsonl>');
  const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as PeerRow);
  console.log(`\nmake bench: every figure beside its peer from the same run (ratio: figure/peer; for a latency, goal/figure)\n`);
  console.log(formatTable(rows));
}
