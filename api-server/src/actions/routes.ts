import { Router } from 'express';
import { characterOf } from '../http/auth.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { ActionsService } from './service.ts';

function router(ctx: ModuleContext): Router {
  const actions = new ActionsService(ctx);
  const r = Router();
  // The budget is spent before validation, so a flood of malformed actions is limited too, and
  // beside the token's grounds check (Redis and PostgreSQL at once), which reads the action's
  // recorded answer in the same round trip.
  r.post(
    '/',
    ctx.auth.characterWith(
      (p) => ctx.rateLimit(p.characterId),
      (p, req, res) => actions.grounds(p, req.body, res.locals),
    ),
    async (req, res) => {
      res.status(200).json(await actions.submit(characterOf(res), req.body, res.locals));
    },
  );
  return r;
}

export const actionsModule: ApiModule = { name: 'actions', path: '/api/actions', router };
