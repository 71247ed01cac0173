import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Authenticators, Principal } from './auth.ts';

/**
 * The authenticators, with every read (GET, HEAD) a character makes spending its read budget
 * once it is authenticated. Done here, where each route's authentication already runs, so no
 * read route can be added without a budget; the admin (the game master's tools) is not metered.
 */
export function withReadBudget(auth: Authenticators, spend: (characterId: string) => Promise<void>): Authenticators {
  const wrap =
    (authenticate: RequestHandler): RequestHandler =>
    async (req: Request, res: Response, next: NextFunction) => {
      let passed = false;
      let failure: unknown;
      await authenticate(req, res, (err?: unknown) => {
        if (err !== undefined && err !== null) failure = err;
        else passed = true;
      });
      if (failure !== undefined) return next(failure);
      if (!passed) return;
      const who = res.locals.principal as Principal | undefined;
      if ((req.method === 'GET' || req.method === 'HEAD') && who?.kind === 'character') await spend(who.characterId);
      next();
    };
  return { ...auth, character: wrap(auth.character), any: wrap(auth.any) };
}
