/**
 * The NHS design system (`nhsuk-frontend`) as Tessera serves it: where the installed package's
 * files are, and a route that serves an allow-list of them (stylesheet, script, images,
 * manifest) under a prefix, each read once. No CDN. Used by the patient app
 * (`/patient/assets/nhsuk/`) and the sign-in pages (`/oauth2/assets/nhsuk/`).
 *
 * @see https://github.com/nhsuk/nhsuk-frontend
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** `node_modules/nhsuk-frontend/dist`: its Nunjucks templates and built assets. */
export const NHSUK_DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('nhsuk-frontend/package.json')), 'dist');

/** Content types of the files served. */
export const ASSET_TYPES: Readonly<Record<string, string>> = {
  '.css': 'text/css; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/manifest+json', '.map': 'application/json',
};

/** Files of the design system that may be served (relative to `dist/nhsuk`). */
const NHSUK_FILE = /^(nhsuk-frontend\.min\.(css|js)(\.map)?|assets\/manifest\.json|assets\/images\/[a-z0-9-]+\.(svg|png|ico))$/;

/** Serves the design system's allow-listed files at `<prefix>/*` (e.g. `/patient/assets/nhsuk`). */
export function registerNhsukAssets(app: FastifyInstance, prefix: string): void {
  const cache = new Map<string, Buffer>();
  const root = path.join(NHSUK_DIST, 'nhsuk');
  app.get<{ Params: { '*': string } }>(`${prefix}/*`, async (req, reply) => {
    const rel = req.params['*'];
    if (!NHSUK_FILE.test(rel)) return reply.code(404).type('text/plain').send('Not found');
    let body = cache.get(rel);
    if (!body) {
      body = readFileSync(path.join(root, rel));
      cache.set(rel, body);
    }
    return reply
      .headers({ 'content-type': ASSET_TYPES[path.extname(rel)] ?? 'application/octet-stream', 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' })
      .send(body);
  });
}
