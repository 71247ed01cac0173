import { Router } from 'express';
import { CreateSessionRequest, SessionId, SessionStatus } from '@distributed-dungeon/contracts';
import { z } from 'zod';
import { principalOf } from '../http/auth.ts';
import { appError } from '../http/errors.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { SessionsService } from './service.ts';

const IdParams = z.object({ id: SessionId });

function router(ctx: ModuleContext): Router {
  const sessions = new SessionsService(ctx);
  const r = Router();

  r.post('/', ctx.auth.admin, async (req, res) => {
    res.status(201).json(await sessions.create(parse(CreateSessionRequest, req.body ?? {})));
  });

  r.get('/', ctx.auth.any, async (req, res) => {
    const { status } = parse(z.object({ status: SessionStatus.optional() }), req.query, 'query');
    res.json({ items: await sessions.list(status) });
  });

  r.get('/:id', ctx.auth.any, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'path');
    res.json(await sessions.get(id));
  });

  r.get('/:id/state', ctx.auth.any, async (req, res) => {
    const { id } = parse(IdParams, req.params, 'path');
    const who = principalOf(res);
    if (who.kind === 'character' && who.sessionId !== id) throw appError('auth.forbidden', 'a character may only read the state of its own session');
    res.json(await sessions.state(id, who.kind === 'character' ? who.characterId : undefined));
  });
  return r;
}

export const sessionsModule: ApiModule = { name: 'sessions', path: '/api/sessions', router };
