import { appendFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/**
 * Appends "passed failed skipped" for this vitest run to $DUNGEON_TEST_TALLY, so `make test`,
 * which runs the unit, integration and e2e rungs as separate runs, can print one closing total.
 */
export default class TallyReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const file = process.env.DUNGEON_TEST_TALLY;
    if (!file) return;
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      if (m.state() === 'failed' && [...m.children.allTests()].length === 0) failed++; // a suite that failed to load
    }
    appendFileSync(file, `${passed} ${failed} ${skipped}\n`);
  }
}
