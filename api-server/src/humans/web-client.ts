// Serves the built web client (web/dist, from `npm run build -w web`) at `/`. The client uses
// hash routes, so nothing but the files themselves needs serving.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import type { ApiModule } from '../http/module.ts';

/** Where `vite build` writes, relative to this file both in src/ and in dist/. */
export const WEB_DIST_DIR = fileURLToPath(new URL('../../../web/dist', import.meta.url));

// The client loads nothing from elsewhere and runs no inline script: say so to the browser.
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function createWebClientModule(dir: string = process.env.WEB_DIST_DIR || WEB_DIST_DIR): ApiModule {
  return {
    name: 'web-client',
    path: '/',
    router(ctx) {
      const r = Router();
      if (!existsSync(dir)) {
        ctx.logger.info({ dir }, 'web client not built; serving the API only');
        return r;
      }
      r.use((_req, res, next) => {
        res.setHeader('content-security-policy', CSP);
        res.setHeader('x-content-type-options', 'nosniff');
        res.setHeader('referrer-policy', 'no-referrer');
        next();
      });
      r.use('/assets', express.static(`${dir}/assets`, { immutable: true, maxAge: '365d', fallthrough: false }));
      r.use(express.static(dir, { index: 'index.html', maxAge: 0 }));
      return r;
    },
  };
}

export const webClientModule: ApiModule = createWebClientModule();
