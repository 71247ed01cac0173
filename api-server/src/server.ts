import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { AppContext } from './context.ts';
import { createPool } from './db/pool.ts';
import { migrate } from './db/migrate.ts';
import { postgresDependency, redisDependency, waitForDependencies } from './ops/startup-wait.ts';
import type { GameEngineFactory } from './engine/game-engine.ts';
import { defaultGameEngine } from './engine/dungeon-master-engine.ts';
import { BusUsers } from './events/bus-users.ts';
import { createOutboxBus } from './events/publisher-bus.ts';
import { createCommandClient, createSubscriberClient } from './events/redis.ts';
import { listenAdmin, markPublic, publicOnly, type AdminListener } from './admin-port.ts';
import { createApp } from './app.ts';
import type { ApiModule } from './http/module.ts';
import { TokenService } from './http/tokens.ts';
import { HumanGateway } from './humans/gateway.ts';
import { DEFAULT_MODULES } from './modules.ts';
import { Metrics } from './ops/metrics.ts';
import { startHeartbeatExpiry } from './registry/expiry.ts';
import { reapplyBusUsers } from './registry/bus-acl.ts';
import { countActiveSessions } from './sessions/service.ts';
import { WsGateway } from './ws/gateway.ts';
import { upgradeListener } from './ws/upgrade.ts';
import { clientErrorListener } from './http/client-error.ts';

export interface StartOptions {
  /**
   * The game engine; defaults to the Dungeon Master (src/engine/dungeon-master-engine.ts) with
   * `config.game`. `recordOnlyEngine` (src/engine/record-only-engine.ts) records without rules.
   */
  engine?: GameEngineFactory;
  /** Routers to mount; defaults to DEFAULT_MODULES (src/modules.ts). A later module replaces an earlier one of the same name. */
  modules?: ApiModule[];
  logger?: Logger;
}

export interface RunningServer {
  url: string;
  port: number;
  /** The admin port's URL when ADMIN_PORT is set. */
  adminUrl?: string;
  context: AppContext;
  /** Graceful: stop accepting, finish in-flight requests, close WebSockets, release pools. */
  stop(): Promise<void>;
}

/**
 * One module per name, in first-seen order: a module given again (`[...DEFAULT_MODULES,
 * createContainersModule({...})]`) replaces the default of its name instead of mounting twice.
 */
function byName(modules: ApiModule[]): ApiModule[] {
  const out = new Map<string, ApiModule>();
  for (const m of modules) out.set(m.name, m);
  return [...out.values()];
}

export async function start(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'dungeon-api' } });
  if (config.jwt.generated) {
    logger.warn({ kid: config.jwt.activeKid }, 'JWT signing key generated for development; set JWT_SIGNING_KEYS so tokens survive restarts and replicas agree');
  }
  // Read before anything opens a connection, so an unreadable certificate leaves nothing running.
  const tlsFiles = config.tls ? readTlsFiles(config.tls) : undefined;
  await waitForDependencies([postgresDependency(config.databaseUrl, config.db.connectTimeoutMs), redisDependency(config.redisUrl)], {
    deadlineMs: config.startupWaitMs,
    logger,
  });
  if (config.db.migrateOnStart) await migrate(config.databaseUrl, logger);
  // Worlds are read and validated before anything else starts: a bad world file stops start-up.
  const engineFactory = options.engine ?? (await defaultGameEngine(config));

  const db = createPool({ url: config.databaseUrl, max: config.db.poolMax, connectTimeoutMs: config.db.connectTimeoutMs, logger });
  const redis = createCommandClient(config.redisUrl, logger);
  const subscriber = createSubscriberClient(config.redisUrl, logger);
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
  } catch (err) {
    redis.disconnect();
    subscriber.disconnect();
    await db.end();
    throw new Error(`cannot reach Redis at REDIS_URL: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }

  const metrics = new Metrics({ activeSessions: () => countActiveSessions(db) });
  const { bus: events, relay } = createOutboxBus({ db, redis, logger, onPublished: (topic) => metrics.eventsPublished.inc({ topic }) });
  const busUsers = new BusUsers(redis);
  // Known once the server listens; other replicas forward to a session's owner at this URL.
  let selfUrl = '';
  const engine = engineFactory({ events, db, logger: logger.child({ component: 'engine' }), replica: { url: () => selfUrl, adminToken: config.adminToken } });
  const ctx: AppContext = { config, logger, db, redis, tokens: new TokenService(config.jwt), busUsers, events, engine, metrics };

  // Redis keeps ACL users in memory only: after it restarts, recreate them from the stored hashes.
  const resyncAcl = async () => {
    const count = await reapplyBusUsers(db, busUsers);
    if (count) logger.info({ count }, 'event-bus users re-applied');
  };
  let firstReady = true;
  redis.on('ready', () => {
    if (firstReady) return;
    resyncAcl().catch((err: unknown) => logger.warn({ err }, 'event-bus user resync failed'));
  });
  firstReady = false;
  await resyncAcl();

  let shuttingDown = false;
  const app = createApp(ctx, byName(options.modules ?? DEFAULT_MODULES), { isShuttingDown: () => shuttingDown });
  const gateway = new WsGateway(ctx, subscriber);
  const humanSubscriber = createSubscriberClient(config.redisUrl, logger);
  await humanSubscriber.connect();
  const humans = new HumanGateway(ctx, humanSubscriber);
  const stopExpiry = startHeartbeatExpiry(ctx);
  const publicApp = config.adminPort === undefined ? app : publicOnly(app, config.adminToken, config.adminPort);
  const server = tlsFiles ? createTlsServer(tlsFiles, publicApp) : createServer(publicApp);
  // A cookie-only upgrade is a human's (humans/gateway.ts); a token's is a character's.
  const upgrades = { handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => (humans.claims(req) ? humans : gateway).handleUpgrade(req, socket, head) };
  const publicUpgrades = upgradeListener({ path: config.ws.path, target: upgrades, isShuttingDown: () => shuttingDown, logger });
  // With an admin port, the public port's upgrades are marked as such too (no game master there).
  server.on('upgrade', config.adminPort === undefined ? publicUpgrades : (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    markPublic(req);
    publicUpgrades(req, socket, head);
  });
  server.on('clientError', clientErrorListener(logger));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // Replicas forward to each other with the admin token: through the admin port when there is one.
  const admin: AdminListener | undefined = config.adminPort === undefined ? undefined : await listenAdmin(app, config.adminPort, config.host, tlsFiles);
  selfUrl = config.replicaUrl ?? admin?.url ?? url;
  // A game master signs in on the admin port (the public one refuses it): its page's /ws is there too.
  admin?.server.on('upgrade', upgradeListener({ path: config.ws.path, target: upgrades, isShuttingDown: () => shuttingDown, logger }));
  admin?.server.on('clientError', clientErrorListener(logger));
  logger.info({ port, url, adminUrl: admin?.url }, 'api-server listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      shuttingDown = true;
      const closed = Promise.all([server, ...(admin ? [admin.server] : [])].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      server.closeIdleConnections();
      admin?.server.closeIdleConnections();
      await gateway.close(Math.min(2000, config.shutdownGraceMs));
      await humans.close();
      let timer: NodeJS.Timeout | undefined;
      const forced = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn('shutdown grace elapsed; closing remaining connections');
          server.closeAllConnections();
          admin?.server.closeAllConnections();
          resolve();
        }, config.shutdownGraceMs);
      });
      await Promise.race([closed.then(() => undefined), forced]);
      clearTimeout(timer);
      await stopExpiry();
      await engine.close();
      await relay.stop();
      await Promise.all([
        redis.quit().catch(() => redis.disconnect()),
        subscriber.quit().catch(() => subscriber.disconnect()),
        humanSubscriber.quit().catch(() => humanSubscriber.disconnect()),
        db.end(),
      ]);
      logger.info('api-server stopped');
    })());

  return { url, port, ...(admin ? { adminUrl: admin.url } : {}), context: ctx, stop };
}

/** Reads the PEM pair once at start-up, naming the file that cannot be read. */
function readTlsFiles(tls: { certFile: string; keyFile: string }): { cert: Buffer; key: Buffer } {
  const read = (variable: string, file: string) => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new Error(`${variable}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return { cert: read('TLS_CERT_FILE', tls.certFile), key: read('TLS_KEY_FILE', tls.keyFile) };
}
