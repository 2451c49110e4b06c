/**
 * The sections of "My record" and how each is built from the visible record: which resources
 * it holds, the access level it needs, its entries grouped (duplicates once, disagreements side
 * by side), paged, with its "what this list does and does not contain" statement. Pure.
 */
import type { Resource } from '../../fhir/types.js';
import { allows, type AccessLevel } from './access-level.js';
import { clinicalDate, keyOf, list, obj, str } from './fhir-values.js';
import { isHospitalEncounter, itemView, lightView, type ItemContext } from './record-items.js';
import { markAllergyConflicts, reconcile, type ItemGroup } from './reconcile.js';
import { sectionCoverage, type Coverage } from './sources.js';

/** The sections, in the order the record page shows them. */
export const SECTION_KEYS = ['conditions', 'medicines', 'allergies', 'immunisations', 'results', 'consultations', 'hospital'] as const;
export type SectionKey = (typeof SECTION_KEYS)[number];

/** What defines a section. */
export interface SectionDef {
  key: SectionKey;
  title: string;
  /** Lower-case plural, for sentences ("No allergies recorded by …"). */
  what: string;
  itemWord: [string, string];
  /** Resource types it is built from. */
  types: readonly string[];
  needs: AccessLevel;
  intro: string;
}

/** Every section. */
export const SECTIONS: Readonly<Record<SectionKey, SectionDef>> = {
  conditions: { key: 'conditions', title: 'Conditions', what: 'conditions', itemWord: ['condition', 'conditions'], types: ['Condition'], needs: 'detailed-coded', intro: 'Health problems and diagnoses recorded about you, now and in the past.' },
  medicines: { key: 'medicines', title: 'Medicines', what: 'medicines', itemWord: ['medicine', 'medicines'], types: ['MedicationRequest', 'MedicationStatement'], needs: 'summary', intro: 'Medicines you have been prescribed, including ones you no longer take.' },
  allergies: { key: 'allergies', title: 'Allergies and reactions', what: 'allergies', itemWord: ['allergy', 'allergies'], types: ['AllergyIntolerance'], needs: 'summary', intro: 'Things you are allergic to or have reacted badly to.' },
  immunisations: { key: 'immunisations', title: 'Vaccinations', what: 'vaccinations', itemWord: ['vaccination', 'vaccinations'], types: ['Immunization'], needs: 'detailed-coded', intro: 'Vaccines you have been given.' },
  results: { key: 'results', title: 'Test results', what: 'test results', itemWord: ['result', 'results'], types: ['DiagnosticReport', 'Observation'], needs: 'detailed-coded', intro: 'Blood tests and other results, once a clinician has filed them.' },
  consultations: { key: 'consultations', title: 'Consultations and letters', what: 'consultations or letters', itemWord: ['entry', 'entries'], types: ['Encounter', 'DocumentReference'], needs: 'full', intro: 'Appointments, the notes written about them, and letters about your care.' },
  hospital: { key: 'hospital', title: 'Hospital visits', what: 'hospital visits', itemWord: ['visit', 'visits'], types: ['Encounter'], needs: 'detailed-coded', intro: 'Stays in hospital, emergency visits and hospital clinic appointments.' },
};

/** True for a section key. */
export function isSectionKey(s: string): s is SectionKey {
  return (SECTION_KEYS as readonly string[]).includes(s);
}

/** A section, ready to render. */
export interface SectionView {
  key: SectionKey;
  title: string;
  intro: string;
  href: string;
  groups: ItemGroup[];
  /** Entries after grouping (what "See all N" counts). */
  total: number;
  page: number;
  pages: number;
  coverage: Coverage;
  /** The section could not be loaded just now. */
  failed: boolean;
  hasDisagreements: boolean;
}

/** The resources of the record that belong in a section (results are handled by the results page). */
export function sectionResources(key: SectionKey, byType: ReadonlyMap<string, readonly Resource[]>, ctx: ItemContext): Resource[] {
  const of = (t: string) => [...(byType.get(t) ?? [])];
  switch (key) {
    case 'hospital':
      return of('Encounter').filter((e) => isHospitalEncounter(e, ctx.directory));
    case 'consultations': {
      // A note that belongs to an appointment stands for it; appointments without notes are listed themselves.
      const docs = of('DocumentReference');
      const withNotes = new Set(docs.flatMap((d) => list<{ reference?: string }>(obj<{ encounter?: unknown[] }>(d.context)?.encounter).map((e) => str(e.reference)?.split('/').slice(-2).join('/'))));
      const visits = of('Encounter').filter((e) => !isHospitalEncounter(e, ctx.directory) && !withNotes.has(`Encounter/${e.id}`));
      return [...docs, ...visits];
    }
    case 'results':
      return [...of('DiagnosticReport'), ...of('Observation').filter((o) => isLaboratory(o))];
    default:
      return SECTIONS[key].types.flatMap(of);
  }
}

/** True for a laboratory result (not a vital sign or questionnaire score). */
export function isLaboratory(o: Resource): boolean {
  return list<{ coding?: { code?: string }[] }>(o.category).some((c) => (c.coding ?? []).some((x) => x.code === 'laboratory'));
}

/** Builds one section; `pageSize` entries per page (after grouping). */
export function buildSection(key: SectionKey, byType: ReadonlyMap<string, readonly Resource[]>, updatedBySource: ReadonlyMap<string, Date>, ctx: ItemContext, opts: { page?: number; pageSize: number; failed?: boolean; withText?: boolean }): SectionView {
  const def = SECTIONS[key];
  const resources = sectionResources(key, byType, ctx);
  const reconciled = key === 'conditions' || key === 'medicines' || key === 'allergies';
  let groups: ItemGroup[];
  if (reconciled) {
    const views = resources.map((r) => itemView(r, ctx));
    groups = reconcile(resources, views);
    if (key === 'allergies') groups = markAllergyConflicts(groups, resources, views);
    // Current entries first, then the rest, newest first within each.
    groups = [...groups.filter((g) => g.main.isCurrent), ...groups.filter((g) => !g.main.isCurrent)];
  } else {
    // Entries stand alone: order by date and build views only for the page shown.
    const dated = resources.map((r) => ({ r, t: clinicalDate(r)?.getTime() ?? 0, k: keyOf(r) })).sort((a, b) => b.t - a.t || a.k.localeCompare(b.k));
    const first = ((opts.page ?? 1) - 1) * opts.pageSize;
    groups = dated.map(({ r }, i) => {
      const inPage = i >= first && i < first + opts.pageSize;
      const v = inPage ? itemView(r, ctx, opts.withText) : lightView(r);
      return { kind: 'single' as const, main: v, versions: [v], differences: [], time: v.time };
    });
  }
  const pages = Math.max(1, Math.ceil(groups.length / opts.pageSize));
  const page = Math.min(Math.max(1, opts.page ?? 1), pages);
  return {
    key, title: def.title, intro: def.intro, href: `/patient/record/${key}`,
    groups: groups.slice((page - 1) * opts.pageSize, page * opts.pageSize),
    total: groups.length, page, pages,
    coverage: sectionCoverage(resources, updatedBySource, ctx.directory, def.what, def.itemWord),
    failed: opts.failed ?? false,
    hasDisagreements: groups.some((g) => g.kind === 'disagreement'),
  };
}

/** The sections a level of access shows. */
export function sectionsFor(level: AccessLevel): SectionKey[] {
  return SECTION_KEYS.filter((k) => allows(level, SECTIONS[k].needs));
}
