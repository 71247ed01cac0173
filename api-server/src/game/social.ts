import type { ActionOf } from '@distributed-dungeon/contracts';
import type { Refusal } from './actions-combat.ts';
import { grant } from './items.ts';
import { emit, roomOf, type CharacterState, type Ctx } from './state.ts';
import type { WorldNpc } from './world.ts';

// Social: saying things to the room, and NPC dialogue by topic (a topic can require another one
// heard first, which makes a small dialogue tree).

export function say(ctx: Ctx, c: CharacterState, action: ActionOf<'social.say'>): Refusal | undefined {
  emit(ctx, 'social.say', { roomId: c.roomId, characterId: c.id, name: c.name, message: action.message });
  return undefined;
}

function availableTopics(npc: WorldNpc, heard: readonly string[]): string[] {
  return Object.entries(npc.topics)
    .filter(([, t]) => t.requires === undefined || heard.includes(t.requires))
    .map(([k]) => k);
}

export function talk(ctx: Ctx, c: CharacterState, action: ActionOf<'social.talk'>): Refusal | undefined {
  if (ctx.state.encounters[c.roomId]) return { reason: 'in_combat', message: 'no time to talk while fighting' };
  const npc = roomOf(ctx.state, c.roomId).npcs.find((n) => n.id === action.npc);
  if (!npc) return { reason: 'no_such_npc', message: `no "${action.npc}" here to talk to` };
  const heard = (c.topicsHeard[npc.id] ??= []);
  const asked = action.topic?.trim().toLowerCase();
  emit(ctx, 'social.talk', { roomId: c.roomId, characterId: c.id, npcId: npc.id, topic: asked ?? null });

  let text = npc.greeting;
  let items: unknown[] = [];
  let known = true;
  if (asked !== undefined) {
    const key = Object.keys(npc.topics).find((k) => k.toLowerCase() === asked);
    const topic = key === undefined ? undefined : npc.topics[key];
    if (!key || !topic || (topic.requires !== undefined && !heard.includes(topic.requires))) {
      text = npc.unknown;
      known = false;
    } else {
      text = topic.text;
      if (!heard.includes(key)) {
        heard.push(key);
        // Gifts are given once per character, the first time it hears the topic.
        grant(ctx, c, topic.gives, `npc:${npc.id}:${key}`);
        items = structuredClone(topic.gives);
      }
    }
  }
  emit(ctx, 'social.npc_reply', {
    roomId: c.roomId,
    characterId: c.id,
    npcId: npc.id,
    name: npc.name,
    topic: asked ?? null,
    known,
    text,
    items,
    topics: availableTopics(npc, heard),
  });
  return undefined;
}
