import type { ActionDraft, GameState } from '../types.ts';

// Social AI: greet each NPC once, then ask about every topic it offers, once.

export class SocialAI {
  memory: { asked: Record<string, string[]> } = { asked: {} };

  decideSocial(gameState: GameState): (ActionDraft & { characterId: string }) | null {
    const s = gameState;
    if (!s.me?.alive || s.status !== 'active' || s.combat) return null;
    for (const npc of s.room?.npcs ?? []) {
      const asked = (this.memory.asked[npc.id] ??= []);
      if (!asked.includes('')) {
        asked.push('');
        return { type: 'social.talk', npc: npc.id, characterId: s.characterId };
      }
      const topic = npc.topics.find((t) => !asked.includes(t));
      if (topic !== undefined) {
        asked.push(topic);
        return { type: 'social.talk', npc: npc.id, topic, characterId: s.characterId };
      }
    }
    return null;
  }
}
