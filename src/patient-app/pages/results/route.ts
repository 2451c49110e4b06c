/** GET /patient/results (panels, paged) and GET /patient/results/:analyte (one test's trend). */
import type { PageHandler } from '../../http/page.js';
import { allows } from '../../model/access-level.js';
import { analyteByKey } from '../../model/analytes.js';
import { isLaboratory } from '../../model/sections.js';
import { loadRecord } from '../record-loader.js';
import { resultsModel, trendModel } from './view-model.js';

const notFound = { view: 'errors/not-found.njk', title: 'Page not found', model: {}, status: 404 } as const;

export const resultsPage: PageHandler = async ({ ctx, query }) => {
  if (!allows(ctx.level, 'detailed-coded')) return notFound;
  const record = await loadRecord(ctx.client, ctx.profile.patientId, ['Observation', 'DiagnosticReport', 'Condition'], ctx.viewer, ctx.log, ctx.level);
  const obs = (record.byType.get('Observation') ?? []).filter(isLaboratory);
  const m = resultsModel(obs, record.byType.get('DiagnosticReport') ?? [], record.updatedBySource, ctx.glossary, ctx.directory, Number.parseInt(query.page ?? '1', 10) || 1);
  return { view: 'results/results.njk', title: m.pages > 1 ? `Test results (page ${m.page} of ${m.pages})` : 'Test results', nav: 'results', model: { m, failed: record.failed.size > 0 } };
};

export const trendPage: PageHandler = async ({ ctx, params }) => {
  const analyte = analyteByKey(params.analyte ?? '');
  if (!analyte || !allows(ctx.level, 'detailed-coded')) return notFound;
  const record = await loadRecord(ctx.client, ctx.profile.patientId, ['Observation'], ctx.viewer, ctx.log, ctx.level);
  const m = trendModel(analyte, record.byType.get('Observation') ?? [], ctx.directory);
  if (m.points.length === 0 && m.unconverted.length === 0) return notFound;
  return { view: 'results/trend.njk', title: analyte.name, nav: 'results', model: { m } };
};
