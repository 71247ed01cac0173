// Shared fixtures for the operator's unit tests (no servers).
import { CharacterSpecSchema, characterIdFor, type CharacterSpecInput } from '@distributed-dungeon/contracts';
import type { BuildContext } from '../src/builders/context.ts';
import { parsePolicy, type PolicyInput } from '../src/policy.ts';

export function testPolicy(overrides: Partial<PolicyInput> = {}) {
  return parsePolicy({ registryUrl: 'http://dungeon-api.dungeon-system.svc:8080', ...overrides });
}

export function testContext(spec: Partial<CharacterSpecInput> = {}, policy: Partial<PolicyInput> = {}, name = 'thorin-ironbeard'): BuildContext {
  const namespace = 'player-alice';
  return {
    ref: { name, namespace, uid: '0b7c1d5e-1111-2222-3333-444455556666' },
    spec: CharacterSpecSchema.parse({ displayName: 'Thorin Ironbeard', class: 'fighter', level: 5, image: 'registry.example/alice/thorin:1.0.0', ...spec }),
    characterId: characterIdFor(namespace, name),
    policy: testPolicy(policy),
  };
}
