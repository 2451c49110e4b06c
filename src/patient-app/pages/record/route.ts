/**
 * GET /patient/record — every section, the newest entries of each; GET
 * /patient/record/:section?page=N — one section in full, paged.
 */
import type { PageHandler } from '../../http/page.js';
import { allows, accessLevelText } from '../../model/access-level.js';
import { buildSection, isSectionKey, sectionsFor, SECTIONS } from '../../model/sections.js';
import { loadRecord } from '../record-loader.js';

const OVERVIEW_ITEMS = 5;
const PAGE_SIZE = 20;

export const recordPage: PageHandler = async ({ ctx }) => {
  const keys = sectionsFor(ctx.level);
  const types = [...new Set(keys.flatMap((k) => SECTIONS[k].types))];
  const record = await loadRecord(ctx.client, ctx.profile.patientId, types, ctx.viewer, ctx.log, ctx.level);
  const itemCtx = { glossary: ctx.glossary, directory: ctx.directory, ...(ctx.session.since ? { since: new Date(ctx.session.since) } : {}) };
  const sections = keys.map((k) => buildSection(k, record.byType, record.updatedBySource, itemCtx, {
    pageSize: OVERVIEW_ITEMS, failed: SECTIONS[k].types.some((t) => record.failed.has(t)),
  }));
  return { view: 'record/record.njk', title: 'My record', nav: 'record', model: { sections, levelText: accessLevelText(ctx.level), isOwn: ctx.profile.isOwn, isLimited: ctx.level !== 'full' } };
};

export const sectionPage: PageHandler = async ({ ctx, params, query }) => {
  const key = params.section ?? '';
  if (!isSectionKey(key) || !allows(ctx.level, SECTIONS[key].needs)) return { view: 'errors/not-found.njk', title: 'Page not found', model: {}, status: 404 };
  // "When each system last sent anything" needs more than this section: its own types plus
  // the kinds every source sends (diagnoses, visits, reports), in one request.
  const record = await loadRecord(ctx.client, ctx.profile.patientId, [...new Set([...SECTIONS[key].types, 'Condition', 'Encounter', 'DiagnosticReport'])], ctx.viewer, ctx.log, ctx.level);
  const itemCtx = { glossary: ctx.glossary, directory: ctx.directory, ...(ctx.session.since ? { since: new Date(ctx.session.since) } : {}) };
  const page = Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
  const section = buildSection(key, record.byType, record.updatedBySource, itemCtx, { page, pageSize: PAGE_SIZE, withText: true, failed: SECTIONS[key].types.some((t) => record.failed.has(t)) });
  return { view: 'record/section.njk', title: section.pages > 1 ? `${section.title} (page ${section.page} of ${section.pages})` : section.title, nav: 'record', model: { section } };
};
