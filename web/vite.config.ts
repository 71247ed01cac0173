import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run build -w web` writes web/dist, which the api-server serves at `/`. In `vite` dev mode
// the API and /ws are proxied to an api-server on DUNGEON_API (default localhost:8080).
const api = process.env.DUNGEON_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  server: { proxy: { '/api': api, '/ws': { target: api, ws: true } } },
});
