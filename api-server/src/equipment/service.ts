import { EquipRequest, UnequipRequest, type Action, type ActionResult } from '@distributed-dungeon/contracts';
import { ActionsService } from '../actions/service.ts';
import type { AppContext } from '../context.ts';
import { appError } from '../http/errors.ts';
import type { CharacterPrincipal } from '../http/tokens.ts';
import { parse } from '../http/validate.ts';

// The equipment use cases behind the REST routes. Equipping is a game action (in a fight it is
// the character's turn, a dead character cannot), so a route is the same `item.equip` /
// `item.unequip` as `POST /api/actions`: the Dungeon Master decides, and applies it to the item
// tables through the wearable-container hooks in the transaction of its log entry.

export class EquipmentService {
  readonly #actions: ActionsService;
  constructor(ctx: AppContext) {
    this.#actions = new ActionsService(ctx);
  }

  equip(principal: CharacterPrincipal, characterId: string, body: unknown): Promise<ActionResult> {
    const req = parse(EquipRequest, body);
    return this.#submit(principal, characterId, { type: 'item.equip', characterId, itemId: req.itemId, ...optional(req.clientActionId) });
  }

  unequip(principal: CharacterPrincipal, characterId: string, body: unknown): Promise<ActionResult> {
    const req = parse(UnequipRequest, body);
    return this.#submit(principal, characterId, { type: 'item.unequip', characterId, slot: req.slot, ...optional(req.clientActionId) });
  }

  #submit(principal: CharacterPrincipal, characterId: string, action: Action): Promise<ActionResult> {
    if (characterId !== principal.characterId) throw appError('auth.forbidden', 'a character may equip only itself');
    return this.#actions.submit(principal, action);
  }
}

function optional(clientActionId: string | undefined): { clientActionId?: string } {
  return clientActionId === undefined ? {} : { clientActionId };
}
