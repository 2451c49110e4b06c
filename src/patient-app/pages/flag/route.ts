/**
 * GET/POST /patient/flag/:type/:id — report that an entry looks wrong (creates a Task for the
 * organisation it came from); GET /patient/requests — the reports made and their progress.
 */
import type { PageHandler } from '../../http/page.js';
import { sourceOf } from '../../model/fhir-values.js';
import { itemConcept } from '../../model/record-items.js';
import { queryTask, queryView, QUERY_REASONS, validateQuery } from '../../model/record-query.js';
import { loadRecord } from '../record-loader.js';

const FLAGGABLE = new Set(['Condition', 'MedicationRequest', 'MedicationStatement', 'AllergyIntolerance', 'Immunization', 'Observation', 'DiagnosticReport', 'Encounter', 'DocumentReference', 'Procedure']);
const notFound = { view: 'errors/not-found.njk', title: 'Page not found', model: {}, status: 404 } as const;

export const flagPage: PageHandler = async ({ ctx, params, form }) => {
  const type = params.type ?? '';
  if (!FLAGGABLE.has(type)) return notFound;
  // The entry must be in this person's record and visible to them.
  const record = await loadRecord(ctx.client, ctx.profile.patientId, [type], ctx.viewer, ctx.log, ctx.level);
  const item = record.byType.get(type)?.find((r) => r.id === params.id);
  if (!item) return notFound;
  const explained = ctx.glossary.explain(itemConcept(item), 'This entry');
  const source = ctx.directory.find((s) => s.uri === sourceOf(item));
  const model = (errors: { text: string; href: string }[]) => ({
    item: explained, owner: source?.organisation?.name ?? source?.name, form, action: `/patient/flag/${type}/${item.id}`,
    reasonItems: QUERY_REASONS.map((r) => ({ value: r.code, text: r.text, hint: { text: r.hint }, checked: form.reason === r.code })),
    errReason: errors.find((e) => e.href === '#reason')?.text, errDetails: errors.find((e) => e.href === '#details')?.text,
  });
  if (form.csrf === undefined) return { view: 'flag/flag.njk', title: 'Something looks wrong', model: model([]) };
  const errors = validateQuery(form);
  if (errors.length) return { view: 'flag/flag.njk', title: 'Something looks wrong', model: model(errors), status: 400, errors };
  const appSource = ctx.directory.find((s) => s.kind === 'app')?.uri;
  await ctx.client.create(queryTask({
    reason: form.reason!, ...(form.details ? { details: form.details } : {}), item, itemTitle: explained.title, patientId: ctx.profile.patientId,
    requester: { ...(ctx.principal.fhirUser ? { reference: ctx.principal.fhirUser } : {}), display: ctx.userName },
    ...(source?.organisation ? { owner: source.organisation } : {}), ...(appSource ? { source: appSource } : {}), now: ctx.now,
  }));
  return { redirect: '/patient/requests?sent=1' };
};

export const requestsPage: PageHandler = async ({ ctx, query }) => {
  const tasks = await ctx.client.search('Task', [['patient', `Patient/${ctx.profile.patientId}`]], 200);
  const views = tasks.map(queryView).sort((a, b) => b.time - a.time);
  return {
    view: 'flag/requests.njk', title: 'Things I have reported', nav: 'home', model: { views },
    ...(query.sent ? { banner: 'Thank you. Your report has been sent to the organisation that holds this entry.' } : {}),
  };
};
