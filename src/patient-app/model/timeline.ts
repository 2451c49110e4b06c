/**
 * A journey, not a list: the record as episodes in time — diagnoses, hospital stays,
 * appointments, tests and vaccinations — grouped by year, newest first. Pure.
 */
import type { Resource } from '../../fhir/types.js';
import { clinicalDate, codings, list, obj, parseDate, str, type Ref } from './fhir-values.js';
import { formatDate, isoDay } from './format.js';
import { isHospitalEncounter } from './record-items.js';
import type { Glossary } from '../glossary/glossary.js';
import type { SourceSystemInfo } from './sources.js';
import { sourceName } from './sources.js';
import { sourceOf } from './fhir-values.js';

/** One episode. */
export interface Episode {
  time: number;
  date: string;
  dateIso: string;
  kind: string;
  title: string;
  detail?: string;
  href?: string;
  sourceName: string;
}

/** A year of episodes. */
export interface TimelineYear {
  year: string;
  episodes: Episode[];
}

/** Builds the episodes of a record. */
export function episodes(byType: ReadonlyMap<string, readonly Resource[]>, glossary: Glossary, directory: readonly SourceSystemInfo[]): Episode[] {
  const out: Episode[] = [];
  const add = (r: Resource, when: Date | undefined, kind: string, title: string, detail?: string, href?: string) => {
    if (!when) return;
    out.push({ time: when.getTime(), date: formatDate(when), dateIso: isoDay(when), kind, title, ...(detail ? { detail } : {}), ...(href ? { href } : {}), sourceName: sourceName(sourceOf(r), directory) });
  };
  for (const c of byType.get('Condition') ?? []) {
    const e = glossary.explain(c.code);
    add(c, parseDate(c.onsetDateTime) ?? clinicalDate(c), 'Diagnosis', `Diagnosed: ${e.title}`, e.title !== e.clinicalTerm ? e.clinicalTerm : undefined, `/patient/conditions/${c.id}`);
  }
  for (const enc of byType.get('Encounter') ?? []) {
    const reason = list(enc.reasonCode)[0];
    const what = reason ? glossary.explain(reason).title : undefined;
    const p = obj<{ start?: string; end?: string }>(enc.period);
    const start = parseDate(p?.start);
    const end = parseDate(p?.end);
    const where = str(obj<Ref>(enc.serviceProvider)?.display);
    if (isHospitalEncounter(enc, directory) && codings({ coding: [obj(enc.class) ?? {}] })[0]?.code === 'IMP') {
      const days = start && end ? Math.max(1, Math.round((end.getTime() - start.getTime()) / 86_400_000)) : undefined;
      add(enc, start, 'Hospital stay', `Hospital stay${what ? `: ${what}` : ''}`, [where, days ? `${days} day${days === 1 ? '' : 's'}` : undefined].filter(Boolean).join(', ') || undefined, '/patient/record/hospital');
    } else {
      add(enc, start, isHospitalEncounter(enc, directory) ? 'Hospital appointment' : 'Appointment', `${isHospitalEncounter(enc, directory) ? 'Hospital appointment' : 'Appointment'}${what ? `: ${what}` : ''}`, where, isHospitalEncounter(enc, directory) ? '/patient/record/hospital' : '/patient/record/consultations');
    }
  }
  for (const r of byType.get('DiagnosticReport') ?? []) add(r, clinicalDate(r), 'Test', `Test: ${glossary.explain(r.code).title}`, undefined, '/patient/results');
  for (const i of byType.get('Immunization') ?? []) add(i, clinicalDate(i), 'Vaccination', `Vaccination: ${glossary.explain(i.vaccineCode).title}`, undefined, '/patient/record/immunisations');
  return out.sort((a, b) => b.time - a.time || a.title.localeCompare(b.title));
}

/** Groups episodes by year (UK time), newest year first. */
export function byYear(list: readonly Episode[]): TimelineYear[] {
  const years = new Map<string, Episode[]>();
  for (const e of list) {
    const y = e.dateIso.slice(0, 4);
    const l = years.get(y) ?? [];
    l.push(e);
    years.set(y, l);
  }
  return [...years.entries()].map(([year, episodes]) => ({ year, episodes }));
}
