import { Router } from 'express';
import { characterOf } from '../http/auth.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { ActionsService } from './service.ts';

function router(ctx: ModuleContext): Router {
  const actions = new ActionsService(ctx);
  const r = Router();
  r.post('/', ctx.auth.character, async (req, res) => {
    const me = characterOf(res);
    // Spent before validation, so a flood of malformed actions is limited too.
    await ctx.rateLimit(me.characterId);
    res.status(200).json(await actions.submit(me, req.body));
  });
  return r;
}

export const actionsModule: ApiModule = { name: 'actions', path: '/api/actions', router };
