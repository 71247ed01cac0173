import { characterIdFor } from '@distributed-dungeon/contracts';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/resources.ts';
import { idHeldByAnother } from './reconciler.ts';

const character = (namespace: string, name: string, uid: string): KubeObject => ({ metadata: { namespace, name, uid } });

describe('idHeldByAnother', () => {
  const victim = character('player-alice', 'thorin', 'uid-alice');
  const attacker = character('player-mallory', 'crafted', 'uid-mallory');

  it('refuses an id another Character UID already has, naming it', () => {
    // A crafted collision (the id function is what a shortened digest would allow).
    const sameId = () => 'thorin-0badc0de';
    const why = idHeldByAnother([victim, attacker], 'thorin-0badc0de', 'uid-mallory', sameId);
    expect(why).toContain('player-alice/thorin');
    expect(why).toContain('uid-alice');
  });

  it('lets a Character use its own id, and distinct Characters never collide with the real id', () => {
    const idOf = (c: KubeObject) => characterIdFor(c.metadata.namespace!, c.metadata.name);
    expect(idHeldByAnother([victim, attacker], idOf(victim), 'uid-alice', idOf)).toBeUndefined();
    expect(idHeldByAnother([victim, attacker], idOf(attacker), 'uid-mallory', idOf)).toBeUndefined();
  });
});
