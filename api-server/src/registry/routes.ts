import { Router } from 'express';
import { CharacterId, MintKeyRequest, RegistrationRequest, SessionId, UpdateKeySpecRequest } from '@distributed-dungeon/contracts';
import { z } from 'zod';
import { apiKeyOf, characterOf, principalOf } from '../http/auth.ts';
import { appError } from '../http/errors.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { RegistryService } from './service.ts';

const IdParams = z.object({ id: CharacterId });
const ListQuery = z.object({ sessionId: SessionId.optional() });

function router(ctx: ModuleContext): Router {
  const registry = new RegistryService(ctx);
  const r = Router();

  r.post('/keys', ctx.auth.admin, async (req, res) => {
    const { characterId, spec, owner } = parse(MintKeyRequest, req.body);
    res.status(201).json(await registry.mintKey(characterId, spec, owner));
  });

  r.put('/keys/:characterId/spec', ctx.auth.admin, async (req, res) => {
    const { characterId } = parse(z.object({ characterId: CharacterId }), req.params, 'path');
    const { spec } = parse(UpdateKeySpecRequest, req.body);
    await registry.updateKeySpec(characterId, spec);
    res.status(204).end();
  });

  r.delete('/keys/:characterId', ctx.auth.admin, async (req, res) => {
    const { characterId } = parse(z.object({ characterId: CharacterId }), req.params, 'path');
    // ownerUid: revoke only if the key is that Character's (409 when another's).
    const { ownerUid } = parse(z.object({ ownerUid: z.string().min(1).max(128).optional() }), req.query, 'query');
    await registry.revokeKey(characterId, ownerUid);
    res.status(204).end();
  });

  r.post('/character', async (req, res) => {
    const key = apiKeyOf(req);
    if (!key) throw appError('auth.missing_credentials', 'send the API key as "Authorization: Bearer <key>" or "X-API-Key: <key>"');
    const owner = await registry.authenticateKey(key);
    await ctx.rateLimit(owner);
    const body = parse(RegistrationRequest, req.body);
    res.status(200).json(await registry.register(key, body));
  });

  r.post('/token', ctx.auth.character, async (_req, res) => {
    const me = characterOf(res);
    await ctx.rateLimit(me.characterId);
    res.json(await registry.refreshToken(me));
  });

  r.post('/character/:id/heartbeat', ctx.auth.character, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'path');
    const me = characterOf(res);
    await ctx.rateLimit(me.characterId);
    res.json(await registry.heartbeat(me, id));
  });

  r.delete('/character/:id', ctx.auth.any, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'path');
    const who = principalOf(res);
    if (who.kind === 'character' && who.characterId !== id) throw appError('auth.forbidden', 'a character may only deregister itself');
    await registry.deregister(id);
    res.status(204).end();
  });

  const list = async (req: import('express').Request, res: import('express').Response) => {
    const { sessionId } = parse(ListQuery, req.query, 'query');
    res.json({ items: await registry.list(sessionId) });
  };
  r.get('/character', ctx.auth.admin, list);
  r.get('/characters', ctx.auth.admin, list);

  const getOne = async (req: import('express').Request, res: import('express').Response) => {
    const { id } = parse(IdParams, req.params, 'path');
    const who = principalOf(res);
    if (who.kind === 'character' && who.characterId !== id) throw appError('auth.forbidden', 'a character may only read its own record');
    res.json(await registry.get(id));
  };
  r.get('/character/:id', ctx.auth.any, getOne);
  r.get('/characters/:id', ctx.auth.any, getOne);
  return r;
}

export const registryModule: ApiModule = {
  name: 'registry',
  path: '/api/registry',
  router,
};
