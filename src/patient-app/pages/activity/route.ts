/** GET /patient/activity — who has looked at the record. */
import type { PageHandler } from '../../http/page.js';
import { accessViews } from '../../model/audit.js';

const LIMIT = 100;

export const activityPage: PageHandler = async ({ ctx }) => {
  let failed = false;
  let events: Awaited<ReturnType<typeof ctx.client.accessLog>> = [];
  try {
    events = await ctx.client.accessLog(ctx.profile.patientId, LIMIT);
  } catch (err) {
    ctx.log.warn({ err }, 'patient app: audit entries could not be loaded');
    failed = true;
  }
  const own = [ctx.principal.fhirUser, `Patient/${ctx.profile.patientId}`].filter((x): x is string => !!x);
  const views = accessViews(events, own);
  return { view: 'activity/activity.njk', title: 'Who has looked at my record', nav: 'activity', model: { views, failed, breakGlass: views.filter((v) => v.isBreakGlass).length, limit: LIMIT } };
};
