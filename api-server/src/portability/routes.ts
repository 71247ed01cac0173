import { Router } from 'express';
import { CharacterId, ExportRequest, ImportRequest, TrustIssuerRequest } from '@distributed-dungeon/contracts';
import { z } from 'zod';
import { apiKeyOf } from '../http/auth.ts';
import { appError } from '../http/errors.ts';
import type { ApiModule, ModuleContext } from '../http/module.ts';
import { parse } from '../http/validate.ts';
import { ARCHIVE_BODY_LIMIT } from './archive.ts';
import { PortabilityService } from './service.ts';

function router(ctx: ModuleContext): Router {
  const service = new PortabilityService(ctx);
  const r = Router();

  r.get('/issuer', async (_req, res) => {
    res.json(await service.issuer());
  });

  r.get('/trusted-issuers', ctx.auth.admin, async (_req, res) => {
    res.json({ issuers: await service.trusted() });
  });

  r.put('/trusted-issuers', ctx.auth.admin, async (req, res) => {
    const { name, publicKey } = parse(TrustIssuerRequest, req.body);
    res.status(201).json({ fingerprint: await service.trust(name, publicKey) });
  });

  r.delete('/trusted-issuers/:fingerprint', ctx.auth.admin, async (req, res) => {
    const { fingerprint } = parse(z.object({ fingerprint: z.string().regex(/^[a-f0-9]{32}$/) }), req.params, 'path');
    await service.distrust(fingerprint);
    res.status(204).end();
  });

  r.post('/export', async (req, res) => {
    const key = apiKeyOf(req);
    if (!key) throw appError('auth.missing_credentials', 'export with the character\'s API key: "X-API-Key: <key>"');
    const body = parse(ExportRequest, req.body ?? {});
    res.json(await service.exportWithKey(key, body));
  });

  r.get('/exports/:characterId', ctx.auth.admin, async (req, res) => {
    const { characterId } = parse(z.object({ characterId: CharacterId }), req.params, 'path');
    res.json(await service.exportOf(characterId));
  });

  r.post('/import', ctx.auth.admin, async (req, res) => {
    const { archive, characterId } = parse(ImportRequest, req.body);
    res.json(await service.import(archive, characterId));
  });

  return r;
}

export const portabilityModule: ApiModule = {
  name: 'portability',
  path: '/api/portability',
  // Archives carry a character's whole /data: more than the API's usual 64 kB.
  bodyLimit: ARCHIVE_BODY_LIMIT,
  router,
  openapi: {
    '/api/portability/issuer': { get: { summary: "This platform's archive-signing identity (name, Ed25519 public key, fingerprint)", tags: ['portability'], responses: { '200': 'IssuerInfo' } } },
    '/api/portability/trusted-issuers': {
      get: { summary: 'Issuers whose archives this platform imports', tags: ['portability'], security: ['admin'], responses: { '200': null } },
      put: { summary: 'Trust an issuer (its GET /api/portability/issuer)', tags: ['portability'], security: ['admin'], requestBody: 'TrustIssuerRequest', responses: { '201': null, '400': null } },
    },
    '/api/portability/trusted-issuers/{fingerprint}': {
      delete: { summary: 'Stop trusting an issuer', tags: ['portability'], security: ['admin'], parameters: [{ name: 'fingerprint', in: 'path', required: true }], responses: { '204': null, '404': null } },
    },
    '/api/portability/export': {
      post: {
        summary: "Export this character: a signed archive of its spec, image, /data state and items (carried, worn per slot, and its worn or carried containers' contents); the items leave and the key is revoked",
        tags: ['portability'],
        security: ['apiKey'],
        requestBody: 'ExportRequest',
        responses: { '200': 'CharacterArchive', '401': null },
      },
    },
    '/api/portability/exports/{characterId}': {
      get: { summary: 'The archive a character left with', tags: ['portability'], security: ['admin'], parameters: [{ name: 'characterId', in: 'path', required: true }], responses: { '200': 'CharacterArchive', '404': null } },
    },
    '/api/portability/import': {
      post: {
        summary: 'Import an archive from a trusted issuer (formats @1 and @2): restores the items, what was worn and the containers in one transaction, returns the state for /data',
        tags: ['portability'],
        security: ['admin'],
        requestBody: 'ImportRequest',
        responses: { '200': 'ImportResult', '400': null, '403': null, '409': null, '422': null },
      },
    },
  },
};
