/**
 * The home page: who the record is about and what has changed since the last visit. Pure.
 */
import type { Resource } from '../../../fhir/types.js';
import type { AccessLevel } from '../../model/access-level.js';
import { formatDateTime, plural } from '../../model/format.js';
import { patientSummary, type PatientSummary } from '../../model/patient-summary.js';
import { itemView, type ItemContext, type ItemView } from '../../model/record-items.js';
import { sectionResources, sectionsFor, SECTIONS, type SectionKey } from '../../model/sections.js';

/** A changed entry and where to see it. */
export interface NewItem {
  item: ItemView;
  section: string;
  href: string;
}

/** The home page model. */
export interface HomeModel {
  person: PatientSummary;
  isOwn: boolean;
  since?: string;
  newItems: NewItem[];
  newCountText?: string;
  moreNew: number;
  links: { href: string; title: string; description: string }[];
}

const MAX_NEW = 8;

/** Builds the home page model. */
export function homeModel(input: { patients: Resource[]; profileId: string; isOwn: boolean; byType: ReadonlyMap<string, readonly Resource[]>; level: AccessLevel; ctx: ItemContext }): HomeModel {
  const { ctx } = input;
  const newItems: NewItem[] = [];
  if (ctx.since) {
    for (const key of sectionsFor(input.level)) {
      for (const r of sectionResources(key as SectionKey, input.byType, ctx)) {
        const v = itemView(r, ctx);
        if (v.isNew) newItems.push({ item: v, section: SECTIONS[key].title, href: key === 'results' ? '/patient/results' : `/patient/record/${key}` });
      }
    }
  }
  newItems.sort((a, b) => b.item.updatedTime - a.item.updatedTime);
  const links = [
    { href: '/patient/record', title: 'My record', description: 'Conditions, medicines, allergies, vaccinations, letters and hospital visits' },
    { href: '/patient/results', title: 'Test results', description: 'Results grouped by test, with charts of how they have changed' },
    { href: '/patient/timeline', title: 'Timeline', description: 'Your care as a story: diagnoses, hospital stays, appointments' },
    { href: '/patient/activity', title: 'Who has looked at my record', description: 'Every time someone opened your record, and why' },
    { href: '/patient/sharing', title: 'My sharing choices', description: 'Choose what is shared, and opt out of research and planning' },
    { href: '/patient/requests', title: 'Things I have reported', description: 'Entries you said look wrong, and what has happened since' },
  ];
  return {
    person: patientSummary(input.patients, input.profileId),
    isOwn: input.isOwn,
    ...(ctx.since ? { since: formatDateTime(ctx.since) } : {}),
    newItems: newItems.slice(0, MAX_NEW),
    ...(newItems.length ? { newCountText: plural(newItems.length, 'new or updated entry', 'new or updated entries') } : {}),
    moreNew: Math.max(0, newItems.length - MAX_NEW),
    links,
  };
}
