import { describe, expect, it } from 'vitest';
import { KubeError } from '../kube/client.ts';
import { createRefusal } from './applier.ts';

const refused = (status: number, reason: string) =>
  new KubeError('POST', '/api/v1/namespaces/ns/persistentvolumeclaims', status, { kind: 'Status', reason, message: 'x' });

describe('a refused POST', () => {
  it('is applied over when the object exists, posted again after a quota conflict, and an error otherwise', () => {
    expect(createRefusal(refused(409, 'AlreadyExists'))).toBe('exists');
    expect(createRefusal(refused(409, 'Conflict'))).toBe('again');
    expect(createRefusal(refused(403, 'Forbidden'))).toBeUndefined();
    expect(createRefusal(refused(422, 'Invalid'))).toBeUndefined();
    expect(createRefusal(new Error('socket hang up'))).toBeUndefined();
  });
});
