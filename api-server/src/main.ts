// Process entrypoint: `node --conditions=source src/main.ts` (or `npm -w api-server start`).
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config/config.ts';
import { start } from './server.ts';

const bootLogger = pino({ base: { service: 'dungeon-api' } });

// Request logs go to stdout asynchronously (written off the request path, batched while a write
// is in flight). Every exit below ends the stream first, which waits for the write in flight and
// writes what is buffered, so the last lines (shutdown, failures) are not lost.
const destination = pino.destination({ dest: 1, sync: false });
let ended = false;
function exit(code: number): void {
  ended = true;
  destination.once('close', () => process.exit(code));
  destination.end();
}
// A crash skips those exits: write out what is still buffered, synchronously, as the process goes.
process.on('exit', () => {
  if (ended) return;
  try {
    destination.flushSync();
  } catch (err) {
    process.stderr.write(`log lines lost at exit: ${(err as Error).message}\n`);
  }
});

let config;
try {
  config = loadConfig(process.env);
} catch (err) {
  if (err instanceof ConfigError) {
    for (const i of err.issues) bootLogger.fatal({ variable: i.variable }, `configuration: ${i.variable} ${i.message}`);
    process.exit(2);
  }
  throw err;
}

try {
  const server = await start(config, { logger: pino({ level: config.logLevel, base: { service: 'dungeon-api' } }, destination) });
  let signals = 0;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      // A second signal means "now".
      if (++signals > 1) exit(130);
      bootLogger.info({ signal: sig }, 'shutting down');
      server.stop().then(
        () => exit(0),
        (err: unknown) => {
          bootLogger.error({ err }, 'shutdown failed');
          exit(1);
        },
      );
    });
  }
} catch (err) {
  bootLogger.fatal({ err }, 'start-up failed');
  exit(1);
}
