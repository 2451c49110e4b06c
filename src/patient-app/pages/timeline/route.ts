/** GET /patient/timeline?page=N — the record as episodes by year. */
import type { PageHandler } from '../../http/page.js';
import { allows } from '../../model/access-level.js';
import { byYear, episodes } from '../../model/timeline.js';
import { loadRecord } from '../record-loader.js';

const PAGE_SIZE = 40;

export const timelinePage: PageHandler = async ({ ctx, query }) => {
  if (!allows(ctx.level, 'detailed-coded')) return { view: 'errors/not-found.njk', title: 'Page not found', model: {}, status: 404 };
  const record = await loadRecord(ctx.client, ctx.profile.patientId, ['Condition', 'Encounter', 'DiagnosticReport', 'Immunization'], ctx.viewer, ctx.log, ctx.level);
  const all = episodes(record.byType, ctx.glossary, ctx.directory);
  const pages = Math.max(1, Math.ceil(all.length / PAGE_SIZE));
  const page = Math.min(Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1), pages);
  const years = byYear(all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE));
  return { view: 'timeline/timeline.njk', title: pages > 1 ? `Timeline (page ${page} of ${pages})` : 'Timeline', nav: 'timeline', model: { years, page, pages, total: all.length } };
};
