/** GET/POST /patient/profiles — the people I care for: switch whose record is shown, with the scope of the access. */
import type { PageHandler } from '../../http/page.js';
import { accessLevelFor, accessLevelText, PERMISSION_WORDS } from '../../model/access-level.js';
import { personName } from '../../model/format.js';

export const profilesPage: PageHandler = async ({ ctx, form }) => {
  const people = await Promise.all(ctx.profiles.map(async (p) => {
    const patient = await ctx.client.read('Patient', p.patientId).catch(() => undefined);
    const name = patient ? personName(patient) : 'Name not available';
    return {
      id: p.patientId, name, isOwn: p.isOwn, isCurrent: p.patientId === ctx.profile.patientId,
      can: p.isOwn ? [] : p.permissions.map((x) => PERMISSION_WORDS[x] ?? x),
      level: accessLevelText(accessLevelFor(p.isOwn, p.permissions, ctx.ownLevel)),
    };
  }));
  if (form.csrf !== undefined) {
    const chosen = people.find((p) => p.id === form.profile);
    if (!chosen) return { view: 'profiles/profiles.njk', title: 'People I care for', nav: 'profiles', model: { people }, status: 400, errors: [{ text: 'Select whose record to see', href: '#profile' }] };
    return { redirect: '/patient', session: { profile: chosen.id, ...(chosen.isOwn ? { profileName: undefined } : { profileName: chosen.name }) } };
  }
  return { view: 'profiles/profiles.njk', title: 'People I care for', nav: 'profiles', model: { people } };
};
