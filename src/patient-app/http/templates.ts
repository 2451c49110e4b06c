/**
 * The Nunjucks environment: the app's page templates and layouts first, then the NHS design
 * system's components and page template. Autoescaping is on, so every value from a record is
 * escaped unless a template marks it safe (none of ours does with record data).
 *
 * @see https://mozilla.github.io/nunjucks/api.html#autoescaping
 */
import path from 'node:path';
import nunjucks from 'nunjucks';
import { APP_DIR, NHSUK_DIST } from './paths.js';

/** Renders a named template with a context. */
export type Render = (template: string, context: Record<string, unknown>) => string;

/** Creates the renderer (templates are compiled once and cached). */
export function createRenderer(): Render {
  const loader = new nunjucks.FileSystemLoader([
    path.join(APP_DIR, 'views'),
    path.join(APP_DIR, 'pages'),
    NHSUK_DIST,
    path.join(NHSUK_DIST, 'nhsuk'),
  ], { noCache: false });
  const env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
  return (template, context) => env.render(template, context);
}
