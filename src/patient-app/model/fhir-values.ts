/**
 * Small readers for the FHIR R4 JSON the patient app shows: codings, references, dates and
 * quantities. Pure; every reader tolerates missing or malformed elements (records from other
 * systems are not always what the specification says).
 *
 * @see https://hl7.org/fhir/R4/datatypes.html
 */
import type { Coding, Resource } from '../../fhir/types.js';

/** A CodeableConcept as found in JSON. */
export interface Concept {
  coding?: Coding[];
  text?: string;
}

/** A Reference as found in JSON. */
export interface Ref {
  reference?: string;
  display?: string;
  identifier?: { system?: string; value?: string };
}

/** A Quantity as found in JSON. */
export interface Quantity {
  value?: number;
  comparator?: string;
  unit?: string;
  system?: string;
  code?: string;
}

/** Reads `r[key]` as an object, or undefined. */
export function obj<T = Record<string, unknown>>(value: unknown): T | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as T) : undefined;
}

/** Reads `value` as an array of objects. */
export function list<T = Record<string, unknown>>(value: unknown): T[] {
  return Array.isArray(value) ? (value.filter((v) => typeof v === 'object' && v !== null) as T[]) : [];
}

/** Reads `value` as a non-empty string. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The codings of a concept. */
export function codings(concept: unknown): Coding[] {
  return list<Coding>(obj<Concept>(concept)?.coding);
}

/** The first coding's `system|code`, the key the app groups and explains by. */
export function conceptKey(concept: unknown): string | undefined {
  const c = codings(concept).find((x) => x.code);
  return c ? `${c.system ?? ''}|${c.code}` : undefined;
}

/** Words for a concept as the source wrote them: `text`, else the first display, else the code. */
export function conceptText(concept: unknown): string | undefined {
  const c = obj<Concept>(concept);
  if (!c) return undefined;
  return str(c.text) ?? codings(c).map((x) => str(x.display)).find(Boolean) ?? codings(c).map((x) => str(x.code)).find(Boolean);
}

/** The first code of a concept in `system`. */
export function codeIn(concept: unknown, system: string): string | undefined {
  return codings(concept).find((c) => c.system === system)?.code;
}

/** `Type/id` of a relative or absolute literal reference (history suffix dropped). */
export function refKey(ref: unknown): string | undefined {
  const r = str(obj<Ref>(ref)?.reference);
  if (!r) return undefined;
  const m = /(?:^|\/)([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(r);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** `Type/id` of a resource. */
export function keyOf(r: Resource): string {
  return `${r.resourceType}/${r.id ?? ''}`;
}

/** A parsed FHIR date, dateTime or instant (partial dates at their start), or undefined. */
export function parseDate(value: unknown): Date | undefined {
  const s = str(value);
  if (!s) return undefined;
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(s);
  if (!m) return undefined;
  const t = s.length > 10 ? Date.parse(s) : Date.UTC(Number(m[1]), Number(m[2] ?? '1') - 1, Number(m[3] ?? '1'));
  return Number.isNaN(t) ? undefined : new Date(t);
}

/** The resource's `meta.source` URI, if any. */
export function sourceOf(r: Resource): string | undefined {
  return str(r.meta?.source)?.split('#')[0];
}

/** The resource's `meta.lastUpdated`. */
export function lastUpdatedOf(r: Resource): Date | undefined {
  return parseDate(r.meta?.lastUpdated);
}

/** The clinically relevant date of an item, by type (when it happened, else when recorded). */
export function clinicalDate(r: Resource): Date | undefined {
  const period = obj<{ start?: string; end?: string }>(r.period) ?? obj<{ start?: string }>(r.effectivePeriod);
  const candidates = [
    r.effectiveDateTime, r.occurrenceDateTime, r.onsetDateTime, r.authoredOn, r.recordedDate, r.performedDateTime,
    period?.start, obj<{ start?: string }>(r.performedPeriod)?.start, r.date, r.issued, r.recorded, r.dateTime,
  ];
  for (const c of candidates) {
    const d = parseDate(c);
    if (d) return d;
  }
  return lastUpdatedOf(r);
}
