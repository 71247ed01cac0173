// Process entrypoint: `node --conditions=source src/main.ts` (or `npm -w api-server start`).
import { pino } from 'pino';
import { ConfigError, loadConfig } from './config/config.ts';
import { start } from './server.ts';

const bootLogger = pino({ base: { service: 'dungeon-api' } });

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
  const server = await start(config);
  let signals = 0;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      // A second signal means "now".
      if (++signals > 1) process.exit(130);
      bootLogger.info({ signal: sig }, 'shutting down');
      server.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          bootLogger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
} catch (err) {
  bootLogger.fatal({ err }, 'start-up failed');
  process.exit(1);
}
