/**
 * Serves the NHS design system's stylesheet, script and images (`design-system/nhsuk-assets.ts`)
 * under `/patient/assets/nhsuk/`, and the app's own stylesheet and script under
 * `/patient/assets/`. No CDN. Each file is read once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ASSET_TYPES, registerNhsukAssets } from '../../design-system/nhsuk-assets.js';
import { APP_DIR } from './paths.js';

/** Registers the asset routes. */
export function registerAssets(app: FastifyInstance): void {
  registerNhsukAssets(app, '/patient/assets/nhsuk');
  const cache = new Map<string, Buffer>();
  for (const name of ['app.css', 'app.js']) {
    app.get(`/patient/assets/${name}`, async (_req, reply) => {
      let body = cache.get(name);
      if (!body) {
        body = readFileSync(path.join(APP_DIR, 'assets', name));
        cache.set(name, body);
      }
      return reply.headers({ 'content-type': ASSET_TYPES[path.extname(name)]!, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' }).send(body);
    });
  }
}
