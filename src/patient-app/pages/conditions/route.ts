/** GET /patient/conditions/:id — everything about one condition. */
import type { PageHandler } from '../../http/page.js';
import { allows } from '../../model/access-level.js';
import { loadRecord } from '../record-loader.js';
import { conditionModel } from './view-model.js';

export const conditionPage: PageHandler = async ({ ctx, params }) => {
  const notFound = { view: 'errors/not-found.njk', title: 'Page not found', model: {}, status: 404 };
  if (!allows(ctx.level, 'detailed-coded')) return notFound;
  const types = ['Condition', 'MedicationRequest', 'MedicationStatement', 'Encounter', 'Observation', ...(allows(ctx.level, 'full') ? ['DocumentReference'] : [])];
  const record = await loadRecord(ctx.client, ctx.profile.patientId, types, ctx.viewer, ctx.log, ctx.level);
  const m = conditionModel(params.id ?? '', record.byType, { glossary: ctx.glossary, directory: ctx.directory });
  if (!m) return notFound;
  return { view: 'conditions/condition.njk', title: m.main.explained.title, nav: 'record', model: { m } };
};
