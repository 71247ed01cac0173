// GET /api/characters/{id}/inventory and /api/characters/{id}/room/containers: a character reads
// its own items and the containers of its room. Its token only, and only its own id: another
// character's belongings are not a thing to browse (the game master has the admin tools in gm/).
import { CharacterId } from '@distributed-dungeon/contracts';
import { Router } from 'express';
import { z } from 'zod';
import { characterOf } from '../http/auth.ts';
import { appError } from '../http/errors.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { engineCharacterDirectory } from './adapters.ts';
import type { CharacterDirectory, Clock } from './ports.ts';
import { ContainerReads } from './reads.ts';

const IdParams = z.object({ id: CharacterId });

export interface CharacterItemsModuleOptions {
  /** Who is where; defaults to the `characters` table + the game engine's character view. */
  directory?(ctx: ModuleContext): CharacterDirectory;
  clock?: Clock;
}

export function createCharacterItemsModule(opts: CharacterItemsModuleOptions = {}): ApiModule {
  return {
    name: 'character-items',
    path: '/api/characters',
    router(ctx) {
      const reads = new ContainerReads({ db: ctx.db, directory: opts.directory?.(ctx) ?? engineCharacterDirectory(ctx.db, ctx.engine), clock: opts.clock });
      const own = (req: { params: unknown }, res: Parameters<typeof characterOf>[0]): string => {
        const { id } = parse(IdParams, req.params, 'path');
        const me = characterOf(res).characterId;
        if (id !== me) throw appError('auth.forbidden', 'a character may read only its own items and room');
        return me;
      };
      const r = Router();
      r.get('/:id/inventory', ctx.auth.character, async (req, res) => {
        const me = own(req, res);
        await ctx.rateLimit(me);
        res.json(await reads.inventoryOf(me));
      });
      r.get('/:id/room/containers', ctx.auth.character, async (req, res) => {
        const me = own(req, res);
        await ctx.rateLimit(me);
        res.json(await reads.roomContainersOf(me));
      });
      return r;
    },
    openapi: {
      '/api/characters/{id}/inventory': {
        get: { summary: 'My inventory and the wearable containers I have on, with their contents', security: ['character'], parameters: [{ name: 'id', in: 'path' }], responses: { '200': 'MyInventoryResponseSchema' }, tags: ['containers'] },
      },
      '/api/characters/{id}/room/containers': {
        get: {
          summary: 'The containers of the room I stand in: kind, lock state, visible items, corpse grace and decay times',
          security: ['character'],
          parameters: [{ name: 'id', in: 'path' }],
          responses: { '200': 'RoomContainersResponseSchema' },
          tags: ['containers'],
        },
      },
    },
  };
}

export const characterItemsModule: ApiModule = createCharacterItemsModule();
