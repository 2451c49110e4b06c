/**
 * One record entry as a page shows it: its everyday name with the clinical term, a plain
 * explanation, the facts that matter for its kind (status, dose, reaction …) in plain words,
 * when it happened, which system it came from and when that copy was last updated. Pure.
 */
import type { Resource } from '../../fhir/types.js';
import { ACT_CODE } from '../../access/codes.js';
import type { Explained, Glossary } from '../glossary/glossary.js';
import { clinicalDate, codeIn, codings, conceptText, keyOf, lastUpdatedOf, list, obj, sourceOf, str, type Ref } from './fhir-values.js';
import { formatDate, isoDay } from './format.js';
import { sourceName, type SourceSystemInfo } from './sources.js';

/** A fact shown under an item. */
export interface Fact {
  label: string;
  value: string;
}

/** An entry as pages show it. */
export interface ItemView {
  /** `Type/id`. */
  key: string;
  resourceType: string;
  id: string;
  explained: Explained;
  /** Status in plain words, if the kind has one ("Current", "Stopped"). */
  status?: string;
  /** Whether the status is a current/active one (for tags). */
  isCurrent?: boolean;
  facts: Fact[];
  /** When it happened, in words, and as an ISO day. */
  date: string;
  dateIso?: string;
  time: number;
  sourceUri?: string;
  sourceName: string;
  /** When this copy was last updated. */
  updated: string;
  updatedTime: number;
  /** Changed since the person's last visit. */
  isNew: boolean;
  /** The free text of a note or letter (full record only). */
  text?: string;
}

/** What item building needs. */
export interface ItemContext {
  glossary: Glossary;
  directory: readonly SourceSystemInfo[];
  /** The previous visit; undefined for a first visit. */
  since?: Date;
}

const CLINICAL: Readonly<Record<string, string>> = {
  active: 'Current', recurrence: 'Current (came back)', relapse: 'Current (came back)', inactive: 'Past', remission: 'In remission', resolved: 'Resolved',
};
const MEDICATION: Readonly<Record<string, string>> = {
  active: 'Currently prescribed', 'on-hold': 'On hold', cancelled: 'Cancelled', completed: 'Finished', stopped: 'Stopped', draft: 'Not yet prescribed', unknown: 'Status not recorded',
  intended: 'Planned', 'not-taken': 'Not taken',
};
const CRITICALITY: Readonly<Record<string, string>> = { high: 'High risk of a serious reaction', low: 'Low risk of a serious reaction', 'unable-to-assess': 'Risk not assessed' };
const SEVERITY: Readonly<Record<string, string>> = { mild: 'mild', moderate: 'moderate', severe: 'severe' };
const ENCOUNTER_CLASS: Readonly<Record<string, string>> = {
  IMP: 'Hospital stay', AMB: 'Appointment', VR: 'Telephone or video appointment', EMER: 'Emergency department visit', HH: 'Home visit', ACUTE: 'Hospital stay', NONAC: 'Hospital stay', OBSENC: 'Observation stay', PRENC: 'Pre-admission appointment', SS: 'Short stay', FLD: 'Visit',
};

/** The plain status of an item, and whether it counts as current. */
function statusOf(r: Resource): { status?: string; isCurrent?: boolean } {
  switch (r.resourceType) {
    case 'Condition':
    case 'AllergyIntolerance': {
      const code = codings(r.clinicalStatus)[0]?.code;
      return code ? { status: CLINICAL[code] ?? code, isCurrent: ['active', 'recurrence', 'relapse'].includes(code) } : {};
    }
    case 'MedicationRequest':
    case 'MedicationStatement': {
      const code = str(r.status);
      return code ? { status: MEDICATION[code] ?? code, isCurrent: code === 'active' } : {};
    }
    case 'Immunization':
      return r.status === 'not-done' ? { status: 'Not given' } : { status: 'Given' };
    default:
      return {};
  }
}

/** The concept that names an item. */
export function itemConcept(r: Resource): unknown {
  switch (r.resourceType) {
    case 'MedicationRequest':
    case 'MedicationStatement':
      return r.medicationCodeableConcept ?? { text: str(obj<Ref>(r.medicationReference)?.display) };
    case 'Immunization':
      return r.vaccineCode;
    case 'Encounter':
      return list(r.reasonCode)[0] ?? list(r.type)[0];
    case 'DocumentReference':
      return r.type ?? { text: str(r.description) };
    default:
      return r.code;
  }
}

function factsOf(r: Resource, ctx: ItemContext): Fact[] {
  const facts: Fact[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value) facts.push({ label, value });
  };
  switch (r.resourceType) {
    case 'Condition':
      add('Started', str(r.onsetDateTime) ? formatDate(clinicalDate({ resourceType: 'x', onsetDateTime: r.onsetDateTime })) : str(obj<{ text?: string }>(r.onsetString)?.text));
      if (str(r.abatementDateTime)) add('Ended', formatDate(clinicalDate({ resourceType: 'x', onsetDateTime: r.abatementDateTime })));
      break;
    case 'MedicationRequest':
    case 'MedicationStatement': {
      const dose = list<{ text?: string }>(r.dosageInstruction ?? r.dosage).map((d) => str(d.text)).filter(Boolean).join('; ');
      add('How to take it', dose || undefined);
      add('Reason stopped', conceptText(r.statusReason));
      const course = codings(r.courseOfTherapyType)[0]?.code;
      add('Kind of prescription', course === 'continuous' ? 'Repeat (long-term)' : course === 'acute' ? 'One-off course' : undefined);
      break;
    }
    case 'AllergyIntolerance': {
      const reactions = list<{ manifestation?: unknown[]; severity?: string }>(r.reaction).map((x) => {
        const what = list(x.manifestation).map((m) => ctx.glossary.explain(m).title).join(', ');
        return `${what}${x.severity ? ` (${SEVERITY[x.severity] ?? x.severity})` : ''}`;
      }).filter(Boolean);
      add('Reaction', reactions.join('; ') || undefined);
      add('Risk', CRITICALITY[str(r.criticality) ?? '']);
      break;
    }
    case 'Immunization': {
      const targets = list<{ targetDisease?: unknown[]; doseNumberPositiveInt?: number }>(r.protocolApplied);
      const diseases = targets.flatMap((t) => list(t.targetDisease).map((d) => ctx.glossary.explain(d).title));
      add('Protects against', diseases.join(', ') || undefined);
      const dose = targets[0]?.doseNumberPositiveInt;
      add('Dose', dose ? `Dose ${dose}` : undefined);
      break;
    }
    case 'Encounter': {
      const cls = obj<{ code?: string }>(r.class)?.code;
      add('Kind of visit', ENCOUNTER_CLASS[cls ?? ''] ?? conceptText(list(r.type)[0]));
      add('Where', str(obj<Ref>(r.serviceProvider)?.display));
      add('Department', str(obj<{ text?: string }>(r.serviceType)?.text));
      const p = obj<{ start?: string; end?: string }>(r.period);
      if (cls === 'IMP' && p?.start && p.end) add('Dates', `${formatDate(new Date(p.start))} to ${formatDate(new Date(p.end))}`);
      break;
    }
    case 'DocumentReference':
      add('Title', str(r.description));
      add('From', list<Ref>(r.author).map((a) => str(a.display)).filter(Boolean).join(', ') || undefined);
      break;
    default:
      break;
  }
  return facts;
}

/** The plain text of a note or letter (text/plain attachments only; anything else is not shown as text). */
export function documentText(r: Resource): string | undefined {
  for (const c of list<{ attachment?: { contentType?: string; data?: string } }>(r.content)) {
    const a = c.attachment;
    if (a?.data && (a.contentType ?? '').startsWith('text/plain')) {
      try {
        return Buffer.from(a.data, 'base64').toString('utf8');
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** A placeholder view of an entry that is counted but not shown (only its key and date). */
export function lightView(r: Resource): ItemView {
  const when = clinicalDate(r);
  return {
    key: keyOf(r), resourceType: r.resourceType, id: r.id ?? '', explained: { title: '', clinicalTerm: '', known: false }, facts: [],
    date: '', time: when?.getTime() ?? 0, sourceName: '', updated: '', updatedTime: 0, isNew: false,
  };
}

/** Builds the view of one entry; `withText` decodes the text of notes and letters. */
export function itemView(r: Resource, ctx: ItemContext, withText = false): ItemView {
  const when = clinicalDate(r);
  const updated = lastUpdatedOf(r);
  const uri = sourceOf(r);
  const view: ItemView = {
    key: keyOf(r), resourceType: r.resourceType, id: r.id ?? '',
    explained: ctx.glossary.explain(itemConcept(r), r.resourceType === 'DocumentReference' ? 'Document' : 'Not named by the system that sent it'),
    ...statusOf(r),
    facts: factsOf(r, ctx),
    date: formatDate(when),
    ...(when ? { dateIso: isoDay(when) } : {}),
    time: when?.getTime() ?? 0,
    ...(uri ? { sourceUri: uri } : {}),
    sourceName: sourceName(uri, ctx.directory),
    updated: formatDate(updated),
    updatedTime: updated?.getTime() ?? 0,
    isNew: !!(ctx.since && updated && updated > ctx.since),
  };
  if (withText && r.resourceType === 'DocumentReference') {
    const text = documentText(r);
    if (text) view.text = text;
  }
  return view;
}

/** True for a hospital stay (inpatient, emergency) rather than an appointment. */
export function isHospitalEncounter(r: Resource, directory: readonly SourceSystemInfo[]): boolean {
  const cls = obj<{ code?: string; system?: string }>(r.class);
  if (cls && ['IMP', 'EMER', 'ACUTE', 'NONAC', 'OBSENC', 'SS'].includes(cls.code ?? '')) return true;
  const src = sourceOf(r);
  return directory.find((s) => s.uri === src)?.kind === 'hospital';
}

/** The v3 ActCode encounter class of an encounter. */
export function encounterClass(r: Resource): string | undefined {
  return codeIn({ coding: [obj(r.class) ?? {}] }, ACT_CODE) ?? obj<{ code?: string }>(r.class)?.code;
}

/** Newest first. */
export function byDateDescending(a: ItemView, b: ItemView): number {
  return b.time - a.time || a.key.localeCompare(b.key);
}
