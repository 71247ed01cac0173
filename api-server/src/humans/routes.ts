// Human sign-in for the web client (issue 13): a game master exchanges the admin token for a
// cookie session, a player spends the one-time link of the Secret `<character>-player`.
import { CharacterId } from '@distributed-dungeon/contracts';
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { appError } from '../http/errors.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { clearedSessionCookie, CSRF_HEADER, sessionCookie } from './cookies.ts';
import { gameMasterRoutes } from './game-master.ts';
import { manualControlGuard } from './manual.ts';
import { platformRoutes } from './platform.ts';
import { playerRoutes } from './player.ts';
import { DEFAULT_HUMAN_AUTH, HumanAuth, type HumanAuthOptions, type HumanPrincipal } from './service.ts';
import { cookieSessions, humanOf, sessionSecretOf } from './translate.ts';

const notSignedIn = () => appError('humans.not_signed_in', 'sign in as game master or through your player link');

function describe(p: HumanPrincipal) {
  return { kind: p.kind, characterId: p.characterId, csrfToken: p.csrfToken, csrfHeader: CSRF_HEADER, expiresAt: p.expiresAt.toISOString() };
}

function router(ctx: ModuleContext, opts: HumanAuthOptions): Router {
  const auth = new HumanAuth(ctx, opts);
  const secure = (req: Request) => ctx.config.tls !== null || req.secure;
  const signedIn = (req: Request, res: Response, s: { sessionSecret: string; principal: HumanPrincipal }) => {
    res.setHeader('set-cookie', sessionCookie(s.sessionSecret, { maxAgeSeconds: auth.sessionTtlSeconds, secure: secure(req) }));
    res.setHeader('cache-control', 'no-store');
    res.status(200).json(describe(s.principal));
  };

  const r = Router();
  r.use(cookieSessions(auth));
  r.use(manualControlGuard(ctx.redis));

  r.post('/humans/game-master', async (req, res) => {
    const { token } = parse(z.strictObject({ token: z.string().min(1).max(512) }), req.body ?? {});
    signedIn(req, res, await auth.signInGameMaster(token));
  });
  r.post('/humans/player', async (req, res) => {
    const { code } = parse(z.strictObject({ code: z.string().min(16).max(256) }), req.body ?? {});
    signedIn(req, res, await auth.redeemPlayerLink(code));
  });
  r.get('/humans/me', (_req, res) => {
    const human = humanOf(res);
    if (!human) throw notSignedIn();
    res.setHeader('cache-control', 'no-store');
    res.json(describe(human));
  });
  r.post('/humans/sign-out', async (req, res) => {
    const secret = sessionSecretOf(req);
    if (secret) await auth.signOut(secret);
    res.setHeader('set-cookie', clearedSessionCookie(secure(req)));
    res.status(204).end();
  });
  // The operator asks for a link per Character and writes it into the Secret `<name>-player`.
  r.post('/humans/player-links', ctx.auth.admin, async (req, res) => {
    const { characterId } = parse(z.strictObject({ characterId: CharacterId }), req.body ?? {});
    const link = await auth.mintPlayerLink(characterId);
    res.setHeader('cache-control', 'no-store');
    res.status(201).json({ characterId, code: link.code, path: `/#/sign-in/${link.code}`, expiresAt: link.expiresAt.toISOString() });
  });
  r.use('/humans', gameMasterRoutes(ctx), playerRoutes(ctx), platformRoutes(ctx));
  return r;
}

export function createHumansModule(opts: Partial<HumanAuthOptions> = {}): ApiModule {
  const options = { ...DEFAULT_HUMAN_AUTH, ...opts };
  return {
    name: 'humans',
    path: '/api',
    router: (ctx) => router(ctx, options),
    openapi: {
      '/api/humans/game-master': { post: { summary: 'Game master: exchange the admin token for a cookie session', tags: ['humans'], responses: { '200': null } } },
      '/api/humans/player': { post: { summary: 'Player: spend a one-time sign-in link for a cookie session scoped to one character', tags: ['humans'], responses: { '200': null } } },
      '/api/humans/me': { get: { summary: 'The signed-in human', tags: ['humans'], responses: { '200': null } } },
      '/api/humans/sign-out': { post: { summary: 'End the cookie session', tags: ['humans'], responses: { '204': null } } },
      '/api/humans/player-links': { post: { summary: 'Mint the one-time sign-in link of a Character (operator)', security: ['admin'], tags: ['humans'], responses: { '201': null } } },
      '/api/humans/my/character': { get: { summary: "Player: the character's view, its room's containers, inventory, manual control and platform status", tags: ['humans'], responses: { '200': null } } },
      '/api/humans/my/control': { post: { summary: "Player: take or release manual control (the character's own changes get 409 meanwhile)", tags: ['humans'], responses: { '200': null } } },
      '/api/humans/sessions/{id}/close': { post: { summary: 'Game master: close a session', security: ['admin'], tags: ['humans'], parameters: [{ name: 'id', in: 'path' }], responses: { '200': 'SessionRecord' } } },
      '/api/humans/characters': { get: { summary: 'Game master: every Character with its platform status and registration', security: ['admin'], tags: ['humans'], responses: { '200': null } } },
      '/api/humans/audit': {
        get: {
          summary: 'Game master: the audit log, newest first',
          security: ['admin'],
          tags: ['humans'],
          parameters: [{ name: 'actor', in: 'query' }, { name: 'operation', in: 'query' }, { name: 'outcome', in: 'query' }, { name: 'limit', in: 'query' }],
          responses: { '200': null },
        },
      },
      '/api/humans/platform/{characterId}': {
        put: { summary: "Operator: report a Character's platform status", security: ['admin'], tags: ['humans'], parameters: [{ name: 'characterId', in: 'path' }], responses: { '204': null } },
        delete: { summary: "Operator: withdraw a deleted Character's platform status", security: ['admin'], tags: ['humans'], parameters: [{ name: 'characterId', in: 'path' }], responses: { '204': null } },
      },
    },
  };
}

export const humansModule: ApiModule = createHumansModule();
