/**
 * Serves the NHS design system's stylesheet, script and images from the installed
 * `nhsuk-frontend` package, and the app's own stylesheet and script, under
 * `/patient/assets/`. No CDN. Only an allow-list of files is served; each is read once.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { APP_DIR, NHSUK_DIST } from './paths.js';

const TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/manifest+json', '.map': 'application/json',
};

/** Files of the design system that may be served (relative to `dist/nhsuk`). */
const NHSUK_FILE = /^(nhsuk-frontend\.min\.(css|js)(\.map)?|assets\/manifest\.json|assets\/images\/[a-z0-9-]+\.(svg|png|ico))$/;

/** Registers the asset routes. */
export function registerAssets(app: FastifyInstance): void {
  const cache = new Map<string, Buffer>();
  const send = (file: string, root: string, rel: string) => {
    let body = cache.get(file);
    if (!body) {
      body = readFileSync(path.join(root, rel));
      cache.set(file, body);
    }
    return body;
  };
  app.get<{ Params: { '*': string } }>('/patient/assets/nhsuk/*', async (req, reply) => {
    const rel = req.params['*'];
    if (!NHSUK_FILE.test(rel)) return reply.code(404).type('text/plain').send('Not found');
    return reply
      .headers({ 'content-type': TYPES[path.extname(rel)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' })
      .send(send(`nhsuk:${rel}`, path.join(NHSUK_DIST, 'nhsuk'), rel));
  });
  for (const name of ['app.css', 'app.js']) {
    app.get(`/patient/assets/${name}`, async (_req, reply) =>
      reply.headers({ 'content-type': TYPES[path.extname(name)]!, 'cache-control': 'public, max-age=3600', 'x-content-type-options': 'nosniff' })
        .send(send(`app:${name}`, path.join(APP_DIR, 'assets'), name)));
  }
}
