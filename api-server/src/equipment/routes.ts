// POST /api/characters/{id}/equip and /unequip: a character puts on or takes off its own things.
import { CharacterId } from '@distributed-dungeon/contracts';
import { Router } from 'express';
import { z } from 'zod';
import { characterOf } from '../http/auth.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { EquipmentService } from './service.ts';

const IdParams = z.object({ id: CharacterId });

function router(ctx: ModuleContext): Router {
  const equipment = new EquipmentService(ctx);
  const r = Router();
  r.post('/:id/equip', ctx.auth.character, async (req, res) => {
    const me = characterOf(res);
    await ctx.rateLimit(me.characterId);
    res.status(200).json(await equipment.equip(me, parse(IdParams, req.params, 'path').id, req.body));
  });
  r.post('/:id/unequip', ctx.auth.character, async (req, res) => {
    const me = characterOf(res);
    await ctx.rateLimit(me.characterId);
    res.status(200).json(await equipment.unequip(me, parse(IdParams, req.params, 'path').id, req.body));
  });
  return r;
}

export const equipmentModule: ApiModule = {
  name: 'equipment',
  path: '/api/characters',
  router,
  openapi: {
    '/api/characters/{id}/equip': {
      post: {
        summary: 'Equip an item from my inventory into its slot (the item.equip action: a backpack becomes a worn container)',
        security: ['character'],
        parameters: [{ name: 'id', in: 'path' }],
        requestBody: 'EquipRequest',
        responses: { '200': 'ActionResult' },
        tags: ['equipment'],
      },
    },
    '/api/characters/{id}/unequip': {
      post: {
        summary: 'Take off what is in a slot, into my inventory (the item.unequip action: a backpack keeps its contents)',
        security: ['character'],
        parameters: [{ name: 'id', in: 'path' }],
        requestBody: 'UnequipRequest',
        responses: { '200': 'ActionResult' },
        tags: ['equipment'],
      },
    },
  },
};
