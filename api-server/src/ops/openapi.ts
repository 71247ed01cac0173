import * as contracts from '@distributed-dungeon/contracts';
import { z } from 'zod';
import { CATALOGUE } from '../http/errors.ts';

// `/openapi.json`, generated from the same zod schemas that validate the requests.

export interface OpenApiOperation {
  summary: string;
  /** `admin`, `apiKey`, `character` (JWT) or a list meaning "any of". */
  security?: ('admin' | 'apiKey' | 'character')[];
  /** Name of a component schema. */
  requestBody?: string;
  /** `enum`: the values a string parameter takes (the zod enum the route parses it with). */
  parameters?: { name: string; in: 'path' | 'query'; required?: boolean; description?: string; enum?: readonly string[] }[];
  /** Status → component schema name, or `null` for no body. */
  responses: Record<string, string | null>;
  tags?: string[];
}

/** Every zod schema exported by the contracts package becomes a component. */
function componentSchemas(extra: Record<string, z.ZodType> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const all: Record<string, unknown> = { ...contracts, ...extra };
  for (const [name, value] of Object.entries(all)) {
    if (!(value instanceof z.ZodType) || !/^[A-Z]/.test(name)) continue;
    try {
      const { $schema: _drop, ...schema } = z.toJSONSchema(value, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
      out[name] = schema;
    } catch (err) {
      out[name] = { description: `not representable in JSON Schema: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
  return out;
}

const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(CATALOGUE), description: 'stable error code, e.g. registry.key_revoked (the x-error-codes table gives each its status and title)' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } } },
  },
};

function operation(op: OpenApiOperation): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(op.responses)) {
    responses[status] = schema
      ? { description: status, content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } } }
      : { description: status };
  }
  responses.default = { description: 'error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  return {
    summary: op.summary,
    ...(op.tags ? { tags: op.tags } : {}),
    ...(op.security ? { security: op.security.map((s) => ({ [s]: [] })) } : {}),
    ...(op.parameters
      ? { parameters: op.parameters.map((p) => ({ name: p.name, in: p.in, required: p.in === 'path' ? true : (p.required ?? false), schema: { type: 'string', ...(p.enum ? { enum: [...p.enum] } : {}) }, ...(p.description ? { description: p.description } : {}) })) }
      : {}),
    ...(op.requestBody
      ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.requestBody}` } } } } }
      : {}),
    responses,
  };
}

const id = (name: string) => ({ name, in: 'path' as const });

/** The api-server's own operations; modules add theirs through `ApiModule.openapi`. */
const CORE_OPERATIONS: Record<string, Record<string, OpenApiOperation>> = {
  '/api/registry/keys': { post: { summary: 'Mint an API key for a character (shown once)', tags: ['registry'], security: ['admin'], requestBody: 'MintKeyRequest', responses: { '201': 'MintKeyResponse' } } },
  '/api/registry/keys/{characterId}': { delete: { summary: 'Revoke the API key of a character (ends its registration and every token of it)', tags: ['registry'], security: ['admin'], parameters: [id('characterId')], responses: { '204': null } } },
  '/api/registry/keys/{characterId}/spec': { put: { summary: 'Record a changed Character spec for the key (registrations must match it)', tags: ['registry'], security: ['admin'], parameters: [id('characterId')], requestBody: 'UpdateKeySpecRequest', responses: { '204': null } } },
  '/api/registry/character': {
    post: { summary: 'Register a character and join a session', tags: ['registry'], security: ['apiKey'], requestBody: 'RegistrationRequest', responses: { '200': 'RegistrationResponse' } },
    get: { summary: 'List characters', tags: ['registry'], security: ['admin'], parameters: [{ name: 'sessionId', in: 'query' }], responses: { '200': 'CharacterList' } },
  },
  '/api/registry/characters': { get: { summary: 'List characters', tags: ['registry'], security: ['admin'], parameters: [{ name: 'sessionId', in: 'query' }], responses: { '200': 'CharacterList' } } },
  '/api/registry/character/{id}': {
    get: { summary: 'Get a character', tags: ['registry'], security: ['admin', 'character'], parameters: [id('id')], responses: { '200': 'CharacterRecord' } },
    delete: { summary: 'Deregister a character (removes its event-bus user)', tags: ['registry'], security: ['admin', 'character'], parameters: [id('id')], responses: { '204': null } },
  },
  '/api/registry/character/{id}/heartbeat': { post: { summary: 'Heartbeat', tags: ['registry'], security: ['character'], parameters: [id('id')], responses: { '200': 'HeartbeatResponse' } } },
  '/api/registry/token': { post: { summary: 'Refresh the character token before it expires', tags: ['registry'], security: ['character'], responses: { '200': 'TokenRefreshResponse' } } },
  '/api/sessions': {
    post: { summary: 'Create a session', tags: ['sessions'], security: ['admin'], requestBody: 'CreateSessionRequest', responses: { '201': 'SessionRecord' } },
    get: { summary: 'List sessions', tags: ['sessions'], security: ['admin', 'character'], parameters: [{ name: 'status', in: 'query' }], responses: { '200': 'SessionList' } },
  },
  '/api/sessions/{id}': { get: { summary: 'Get a session', tags: ['sessions'], security: ['admin', 'character'], parameters: [id('id')], responses: { '200': 'SessionRecord' } } },
  '/api/sessions/{id}/state': { get: { summary: 'Game state of a session', tags: ['sessions'], security: ['admin', 'character'], parameters: [id('id')], responses: { '200': 'SessionState' } } },
  '/api/actions': { post: { summary: 'Act as the token’s character', tags: ['actions'], security: ['character'], requestBody: 'Action', responses: { '200': 'ActionResult' } } },
  '/ws': { get: { summary: 'WebSocket gateway: the events of the character’s channels (token in ?token=, Authorization or Sec-WebSocket-Protocol "bearer, <jwt>")', tags: ['events'], security: ['character'], responses: { '101': null } } },
  '/healthz': { get: { summary: 'Liveness', tags: ['ops'], responses: { '200': null } } },
  '/readyz': { get: { summary: 'Readiness: PostgreSQL and Redis reachable', tags: ['ops'], responses: { '200': null, '503': null } } },
  '/metrics': { get: { summary: 'Prometheus metrics', tags: ['ops'], responses: { '200': null } } },
};

export function buildOpenApi(modules: { openapi?: Record<string, Record<string, OpenApiOperation>> }[], version = '0.1.0'): Record<string, unknown> {
  const ops: Record<string, Record<string, OpenApiOperation>> = structuredClone(CORE_OPERATIONS);
  for (const m of modules) for (const [path, methods] of Object.entries(m.openapi ?? {})) ops[path] = { ...ops[path], ...methods };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [path, methods] of Object.entries(ops)) {
    paths[path] = Object.fromEntries(Object.entries(methods).map(([method, op]) => [method, operation(op)]));
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Distributed Dungeon API', version, description: 'Registry, sessions, actions and event gateway. Errors are application/problem+json.' },
    paths,
    // Every code an error answer can carry, from the one catalogue, with its status and title.
    'x-error-codes': Object.fromEntries(Object.entries(CATALOGUE).map(([code, e]) => [code, { status: e.status, title: e.title }])),
    components: {
      schemas: { ...componentSchemas(), Problem: PROBLEM },
      securitySchemes: {
        admin: { type: 'http', scheme: 'bearer', description: 'DUNGEON_ADMIN_TOKEN' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'or Authorization: Bearer <key>' },
        character: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
      },
    },
  };
}
