/** GET/POST /patient/sharing — view and change sharing choices (Consent). */
import type { PageHandler } from '../../http/page.js';
import { CATEGORIES, choicesFromForm, currentChoices, planSharingChanges } from '../../model/sharing.js';
import { lastUpdatedBySource } from '../../model/sources.js';
import { loadRecord } from '../record-loader.js';

export const sharingPage: PageHandler = async ({ ctx, formAll, form, query }) => {
  const record = await loadRecord(ctx.client, ctx.profile.patientId, ['Consent', 'Condition', 'Encounter', 'Observation', 'MedicationRequest'], ctx.viewer, ctx.log, ctx.level);
  const consents = record.byType.get('Consent') ?? [];
  const current = currentChoices(consents);
  const holders = [...lastUpdatedBySource(record.all).keys()];
  const sources = ctx.directory.filter((s) => s.kind !== 'app' && (holders.includes(s.uri) || current.sources.includes(s.uri)));
  const canChange = ctx.profile.isOwn;
  const model = (choices: typeof current, error?: string) => ({
    canChange,
    ndooItems: [
      { value: 'share', text: 'Yes, my data can be used for research and planning', checked: !choices.optedOut },
      { value: 'opt-out', text: 'No, do not use my data for research and planning (opt out)', checked: choices.optedOut },
    ],
    categoryItems: CATEGORIES.map((c) => ({ value: c.code, text: c.text, hint: { text: c.hint }, checked: choices.categories.includes(c.code) })),
    sourceItems: sources.map((s) => ({ value: s.uri, text: s.name, checked: choices.sources.includes(s.uri) })),
    current: choices, error,
  });
  if (form.csrf === undefined) {
    return { view: 'sharing/sharing.njk', title: 'My sharing choices', nav: 'sharing', model: model(current), ...(query.saved ? { banner: 'Your sharing choices have been saved.' } : {}) };
  }
  if (!canChange) return { view: 'sharing/sharing.njk', title: 'My sharing choices', nav: 'sharing', model: model(current), status: 403 };
  const wanted = choicesFromForm(formAll, sources.map((s) => s.uri));
  if ('error' in wanted) return { view: 'sharing/sharing.njk', title: 'My sharing choices', nav: 'sharing', model: model(current, wanted.error), status: 400, errors: [{ text: wanted.error, href: '#ndoo' }] };
  const changes = planSharingChanges(ctx.profile.patientId, consents, wanted, ctx.now);
  for (const c of changes.inactivate) await ctx.client.update(c);
  for (const c of changes.create) await ctx.client.create(c);
  return { redirect: '/patient/sharing?saved=1' };
};
