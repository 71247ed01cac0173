import { describe, expect, it } from 'vitest';
import { ACTION_TYPES, Action, ActionResult, actionCapability } from './actions.ts';
import { EventEnvelope, characterChannel, characterChannels, sessionChannel, topicOfEventType } from './events.ts';
import { CharacterId, RegistrationRequest, RegistrationResponse } from './registry.ts';

const seedBody = {
  characterId: 'unique-character-id',
  name: 'Thorin Ironbeard',
  class: 'fighter',
  level: 5,
  containerEndpoint: 'http://character-container:3000',
  capabilities: ['combat', 'exploration', 'social'],
  version: '1.0.0',
};

describe('registration', () => {
  it('accepts the seed’s body as written', () => {
    expect(RegistrationRequest.parse(seedBody)).toEqual(seedBody);
  });

  it('names each bad field', () => {
    const r = RegistrationRequest.safeParse({ ...seedBody, characterId: 'Bad_Id', level: 0, capabilities: ['flying'], version: 'one', containerEndpoint: 'ftp://x' });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['capabilities.0', 'characterId', 'containerEndpoint', 'level', 'version']);
  });

  it('keeps character ids DNS-label-like, 1..63 characters', () => {
    expect(CharacterId.safeParse('a').success).toBe(true);
    expect(CharacterId.safeParse('a'.repeat(63)).success).toBe(true);
    expect(CharacterId.safeParse('a'.repeat(64)).success).toBe(false);
    expect(CharacterId.safeParse('-a').success).toBe(false);
    expect(CharacterId.safeParse('a.b').success).toBe(false);
  });

  it('describes the response with the seed’s fields plus the bus credentials', () => {
    const ok = RegistrationResponse.safeParse({
      sessionId: 'game-session-123',
      characterToken: 'jwt',
      tokenExpiresAt: '2025-10-03T22:45:00.000Z',
      gameState: {},
      eventChannels: characterChannels('game-session-123', 'thorin'),
      eventBus: { url: 'redis://redis:6379', username: 'char:thorin', password: 'p' },
      websocketUrl: '/ws',
    });
    expect(ok.success).toBe(true);
  });
});

describe('actions', () => {
  it('accepts the seed’s examples', () => {
    expect(Action.parse({ type: 'combat.attack', characterId: 'thorin-ironbeard', target: 'goblin-1', weapon: 'battle-axe', timestamp: '2025-10-03T22:45:00Z' }).type).toBe('combat.attack');
    expect(Action.parse({ type: 'exploration.move', characterId: 'thorin-ironbeard', direction: 'north', cautious: true }).type).toBe('exploration.move');
  });

  it('is one union over every listed type', () => {
    expect(Action.options.map((o) => o.shape.type.value)).toEqual([...ACTION_TYPES]);
  });

  it('names the bad field and caps a said message at 500 characters', () => {
    const r = Action.safeParse({ type: 'social.say', characterId: 'a', message: 'x'.repeat(501) });
    expect(r.error!.issues[0]!.path).toEqual(['message']);
    expect(Action.safeParse({ type: 'nope', characterId: 'a' }).error!.issues[0]!.path).toEqual(['type']);
  });

  it('maps action types to capabilities', () => {
    expect(actionCapability('combat.cast')).toBe('combat');
    expect(actionCapability('social.talk')).toBe('social');
    expect(actionCapability('rest')).toBeUndefined();
  });

  it('has a result shape with an id', () => {
    expect(ActionResult.safeParse({ actionId: 'x', accepted: true, status: 'accepted' }).success).toBe(true);
  });
});

describe('events', () => {
  it('names channels as DESIGN.md does', () => {
    expect(sessionChannel('s1', 'combat')).toBe('session:s1:combat');
    expect(characterChannel('thorin')).toBe('character:thorin');
    expect(characterChannels('s1', 'thorin')).toHaveLength(5);
  });

  it('routes event types to topics', () => {
    expect(topicOfEventType('combat.damage')).toBe('combat');
    expect(topicOfEventType('container.opened')).toBe('system');
  });

  it('validates the envelope', () => {
    expect(EventEnvelope.safeParse({ id: '1', type: 'combat.attack', sessionId: 's', timestamp: new Date().toISOString(), data: {}, version: 3 }).success).toBe(true);
    expect(EventEnvelope.safeParse({ id: '1', type: '', sessionId: 's', timestamp: 'yesterday', data: {} }).success).toBe(false);
  });
});
