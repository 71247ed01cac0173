import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server instance, so two instances in one process (tests) do not collide. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'dungeon_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'dungeon_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly registrations = new Counter({
    name: 'dungeon_registrations_total',
    help: 'Successful character registrations',
    registers: [this.registry],
  });
  readonly activeSessions: Gauge;
  readonly collectErrors = new Counter({
    name: 'dungeon_metrics_collect_errors_total',
    help: 'Scrapes where a gauge could not be read from its source',
    registers: [this.registry],
  });
  readonly wsConnections = new Gauge({
    name: 'dungeon_ws_connections',
    help: 'Open WebSocket gateway connections',
    registers: [this.registry],
  });
  readonly wsDropped = new Counter({
    name: 'dungeon_ws_slow_consumers_dropped_total',
    help: 'WebSocket clients cut off for falling too far behind',
    registers: [this.registry],
  });
  readonly eventsPublished = new Counter({
    name: 'dungeon_events_published_total',
    help: 'Events published on the event bus by topic',
    labelNames: ['topic'] as const,
    registers: [this.registry],
  });
  readonly rateLimited = new Counter({
    name: 'dungeon_rate_limited_requests_total',
    help: 'Requests refused with 429',
    registers: [this.registry],
  });
  readonly actions = new Counter({
    name: 'dungeon_actions_total',
    help: 'Actions handled by type and status',
    labelNames: ['type', 'status'] as const,
    registers: [this.registry],
  });

  constructor(opts: { activeSessions?: () => Promise<number>; defaultMetrics?: boolean } = {}) {
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'dungeon_' });
    const count = opts.activeSessions;
    const errors = this.collectErrors;
    this.activeSessions = new Gauge({
      name: 'dungeon_active_sessions',
      help: 'Sessions with at least one registered character',
      registers: [this.registry],
      // Read at scrape time from PostgreSQL, so every replica reports the same truth; while it is
      // away the last value stays and the error counter says so.
      async collect() {
        if (!count) return;
        try {
          this.set(await count());
        } catch (err) {
          errors.inc();
          void err;
        }
      },
    });
  }
}
