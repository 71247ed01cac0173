import { describe, expect, it } from 'vitest';
import { ACTION_TYPES } from '@distributed-dungeon/contracts';
import { AUDIT_OPERATIONS } from '../containers/audit.ts';
import { gmModule } from '../gm/routes.ts';
import { buildOpenApi } from './openapi.ts';

describe('buildOpenApi', () => {
  it('describes the routes with component schemas generated from the contracts', () => {
    const doc = buildOpenApi([{ openapi: { '/api/extra': { get: { summary: 'x', responses: { '200': 'SessionRecord' } } } } }]) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { oneOf?: unknown[]; properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/registry/character', '/api/actions', '/api/sessions', '/api/extra']));
    expect(doc.components.schemas.Action?.oneOf).toHaveLength(ACTION_TYPES.length);
    expect(Object.keys(doc.components.schemas.RegistrationRequest?.properties ?? {})).toEqual(
      expect.arrayContaining(['characterId', 'name', 'class', 'level', 'containerEndpoint', 'capabilities', 'version']),
    );
    expect(JSON.stringify(doc)).not.toContain('not representable');
  });

  it("lists the values of an enumerated parameter: the game master's audit actions, item actions included", () => {
    const doc = buildOpenApi([gmModule]) as { paths: Record<string, { get: { parameters: { name: string; schema: { enum?: string[] } }[] } }> };
    const action = doc.paths['/api/gm/audit']!.get.parameters.find((p) => p.name === 'action');
    expect(action?.schema.enum).toEqual([...AUDIT_OPERATIONS]);
    expect(action?.schema.enum).toEqual(expect.arrayContaining(['equip', 'unequip', 'use', 'unlock', 'pick_lock']));
  });
});
