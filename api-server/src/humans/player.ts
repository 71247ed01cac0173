// What a signed-in player reads beyond the character API: the containers of the character's room
// and its inventory, as the item-container tables hold them (the one source of truth for items).
import type { CharacterGameView } from '@distributed-dungeon/contracts';
import { Router } from 'express';
import { z } from 'zod';
import { parse } from '../http/validate.ts';
import { getContainersByRoomId } from '../containers/persistence.ts';
import { getInventory } from '../containers/inventory.ts';
import { toWire } from '../containers/model.ts';
import { appError } from '../http/errors.ts';
import type { ModuleContext } from '../http/module.ts';
import { isManual, setManual } from './manual.ts';
import { platformOf } from './platform.ts';
import { registrationOf } from './repository.ts';
import { humanOf } from './translate.ts';

const playersOnly = () => appError('humans.players_only', 'sign in through your player link');

export function playerRoutes(ctx: ModuleContext): Router {
  const r = Router();
  r.get('/my/character', async (_req, res) => {
    const human = humanOf(res);
    if (human?.kind !== 'player') throw playersOnly();
    const characterId = human.characterId!;
    const reg = await registrationOf(ctx.db, characterId);
    const inventory = await getInventory(ctx.db, characterId);
    const manual = await isManual(ctx.redis, characterId);
    const platform = await platformOf(ctx.db, characterId);
    if (!reg) {
      res.json({ characterId, sessionId: null, view: null, containers: [], inventory, manual, platform });
      return;
    }
    const view = (await ctx.engine.getState(reg.sessionId, characterId)) as unknown as CharacterGameView;
    const containers = await getContainersByRoomId(ctx.db, view.me.roomId, { gameSession: reg.sessionId });
    res.json({ characterId, sessionId: reg.sessionId, view, containers: containers.map(toWire), inventory, manual, platform });
  });
  // Take (manual: true) or release control of the character; its module's own changes wait meanwhile.
  r.post('/my/control', async (req, res) => {
    const human = humanOf(res);
    if (human?.kind !== 'player') throw playersOnly();
    const { manual } = parse(z.strictObject({ manual: z.boolean() }), req.body ?? {});
    await setManual(ctx.redis, human.characterId!, manual, human.expiresAt);
    res.json({ characterId: human.characterId, manual });
  });
  return r;
}
