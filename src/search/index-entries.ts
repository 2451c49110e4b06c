/**
 * Turns the values a search parameter's expression finds into rows for the search index tables.
 * One function per parameter type, each following the matching rules of the R4 search spec.
 *
 * @see https://hl7.org/fhir/R4/search.html#ptypes
 */
import type { PathNode } from './fhirpath-lite.js';
import { referenceTargetType } from './fhirpath-lite.js';
import { MAX_TIME, MIN_TIME, parseDateRange } from './date-range.js';
import { normalizeString } from './normalize.js';

/** https://hl7.org/fhir/R4/search.html#token */
export interface TokenEntry { param: string; system: string | null; code: string | null; text: string | null }
/** https://hl7.org/fhir/R4/search.html#string */
export interface StringEntry { param: string; value: string; exact: string }
/** https://hl7.org/fhir/R4/search.html#date — a half-open range in epoch ms. */
export interface DateEntry { param: string; start: number; end: number }
/** https://hl7.org/fhir/R4/search.html#number and #quantity — the value's implicit precision range. */
export interface QuantityEntry {
  param: string; value: number; low: number; high: number;
  system: string | null; code: string | null; unit: string | null;
}
/** https://hl7.org/fhir/R4/search.html#reference */
export interface ReferenceEntry { param: string; targetType: string | null; targetId: string | null; url: string }
/** https://hl7.org/fhir/R4/search.html#uri */
export interface UriEntry { param: string; value: string }

/** One component of a composite row, in the shape of its own parameter type. */
export type CompositePart =
  | { kind: 'token'; system: string | null; code: string | null }
  | { kind: 'quantity'; value: number; system: string | null; code: string | null; unit: string | null }
  | { kind: 'date'; start: number; end: number }
  | { kind: 'string'; value: string };

/**
 * https://hl7.org/fhir/R4/search.html#composite — one row per combination of component values
 * found in the same element, so `code-value-quantity` matches a code and value of one component.
 */
export interface CompositeEntry { param: string; parts: CompositePart[] }

/** Every index row for one resource. */
export interface IndexEntries {
  token: TokenEntry[];
  string: StringEntry[];
  date: DateEntry[];
  quantity: QuantityEntry[];
  reference: ReferenceEntry[];
  uri: UriEntry[];
  composite: CompositeEntry[];
}

/** A fresh, empty set of index rows. */
export function emptyEntries(): IndexEntries {
  return { token: [], string: [], date: [], quantity: [], reference: [], uri: [], composite: [] };
}

/** The parts one component contributes for one context node (several codings → several parts). */
export function compositeParts(type: string, nodes: PathNode[]): CompositePart[] {
  switch (type) {
    case 'token': {
      const rows: TokenEntry[] = [];
      addTokens(rows, '', nodes);
      return rows.filter((r) => r.code !== null).map((r) => ({ kind: 'token', system: r.system, code: r.code }));
    }
    case 'reference': {
      const rows: ReferenceEntry[] = [];
      addReferences(rows, '', nodes);
      return rows.filter((r) => r.param === '').map((r) => ({ kind: 'token', system: r.targetType, code: r.targetId ?? r.url }));
    }
    case 'quantity':
    case 'number': {
      const rows: QuantityEntry[] = [];
      addQuantities(rows, '', nodes);
      return rows.map((r) => ({ kind: 'quantity', value: r.value, system: r.system, code: r.code, unit: r.unit }));
    }
    case 'date': {
      const rows: DateEntry[] = [];
      addDates(rows, '', nodes);
      return rows.map((r) => ({ kind: 'date', start: r.start, end: r.end }));
    }
    case 'string': {
      const rows: StringEntry[] = [];
      addStrings(rows, '', nodes);
      return rows.map((r) => ({ kind: 'string', value: r.value }));
    }
    default:
      return [];
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.length > 0 ? v : null);

/** Token rows: Coding, CodeableConcept, Identifier, ContactPoint, code/string/boolean/id primitives. */
export function addTokens(out: TokenEntry[], param: string, nodes: PathNode[]): void {
  for (const { value } of nodes) {
    if (typeof value === 'string') out.push({ param, system: null, code: value, text: null });
    else if (typeof value === 'boolean') out.push({ param, system: null, code: String(value), text: null });
    else if (isObj(value)) {
      if (Array.isArray(value.coding) || typeof value.text === 'string') {
        // CodeableConcept: one row per coding, carrying its display for :text searches, and one
        // row for CodeableConcept.text: ":text … searches text associated with the code/value -
        // either CodeableConcept.text, Coding.display, or Identifier.type.text" (R4 search#token).
        const codings = Array.isArray(value.coding) ? value.coding.filter(isObj) : [];
        const displays = codings.map((c) => textOf(c.display));
        codings.forEach((c, i) => out.push({ param, system: str(c.system), code: str(c.code), text: displays[i]! }));
        const text = textOf(value.text);
        if (text && !displays.includes(text)) out.push({ param, system: null, code: null, text });
      } else if (('value' in value || 'type' in value) && !('code' in value) && !('display' in value)) {
        // Identifier (system is a URI) or ContactPoint (system is phone/email/…): both match on value.
        const typeText = isObj(value.type) ? textOf(value.type.text) : null;
        out.push({ param, system: isContactPointSystem(value.system) ? null : str(value.system), code: str(value.value), text: typeText });
        // :of-type searches match the identifier's type coding together with its value.
        if (isObj(value.type) && Array.isArray(value.type.coding)) {
          for (const c of value.type.coding.filter(isObj)) {
            out.push({ param: `${param}:of-type`, system: str(c.system), code: `${str(c.code) ?? ''}|${str(value.value) ?? ''}`, text: null });
          }
        }
      } else {
        // Coding (or Quantity used as a token: system/code).
        out.push({ param, system: str(value.system), code: str(value.code), text: textOf(value.display) });
      }
    }
  }
}

/** Text for :text searches, normalised like string values (case and accents removed). */
function textOf(v: unknown): string | null {
  const s = str(v);
  return s === null ? null : normalizeString(s);
}

const CONTACT_SYSTEMS = new Set(['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other']);
function isContactPointSystem(v: unknown): boolean {
  return typeof v === 'string' && CONTACT_SYSTEMS.has(v);
}

const NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix'];
const ADDRESS_PARTS = ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'];

/** String rows: strings, HumanName parts, Address parts; other objects contribute their string leaves. */
export function addStrings(out: StringEntry[], param: string, nodes: PathNode[]): void {
  const add = (s: unknown) => {
    if (typeof s === 'string' && s.length > 0) out.push({ param, value: normalizeString(s), exact: s });
    else if (Array.isArray(s)) s.forEach(add);
  };
  for (const { value } of nodes) {
    if (typeof value === 'string') add(value);
    else if (isObj(value)) {
      const parts = 'family' in value || 'given' in value ? NAME_PARTS : 'line' in value || 'city' in value || 'postalCode' in value ? ADDRESS_PARTS : null;
      if (parts) for (const p of parts) add(value[p]);
      else for (const v of Object.values(value)) if (typeof v === 'string') add(v);
    }
  }
}

/** Date rows: date/dateTime/instant strings, Period, Timing (events and bounds). */
export function addDates(out: DateEntry[], param: string, nodes: PathNode[]): void {
  for (const { value } of nodes) {
    if (typeof value === 'string') {
      const r = parseDateRange(value);
      if (r) out.push({ param, start: r.start, end: r.end });
    } else if (isObj(value)) {
      if ('start' in value || 'end' in value) {
        const s = typeof value.start === 'string' ? parseDateRange(value.start) : undefined;
        const e = typeof value.end === 'string' ? parseDateRange(value.end) : undefined;
        out.push({ param, start: s?.start ?? MIN_TIME, end: e?.end ?? MAX_TIME });
      } else if (Array.isArray(value.event) || isObj(value.repeat)) {
        if (Array.isArray(value.event)) addDates(out, param, value.event.map((v) => ({ value: v })));
        const bounds = isObj(value.repeat) ? value.repeat.boundsPeriod : undefined;
        if (isObj(bounds)) addDates(out, param, [{ value: bounds }]);
      }
    }
  }
}

/**
 * The implicit range of a decimal from its written precision: `100` means [99.5, 100.5),
 * `1e2` likewise. Used for stored values and search values alike.
 * @see https://hl7.org/fhir/R4/search.html#number
 */
export function precisionRange(value: number, text = String(value)): { low: number; high: number } {
  const t = text.toLowerCase();
  const [mantissa = '', exp = '0'] = t.split('e');
  const decimals = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
  const half = 0.5 * 10 ** (Number(exp) - decimals);
  return { low: value - half, high: value + half };
}

/** Quantity and number rows: Quantity (and Age, Duration…), Money, Range, plain numbers. */
export function addQuantities(out: QuantityEntry[], param: string, nodes: PathNode[]): void {
  for (const { value } of nodes) {
    if (typeof value === 'number') {
      out.push({ param, value, ...precisionRange(value), system: null, code: null, unit: null });
    } else if (isObj(value)) {
      if (typeof value.value === 'number') {
        const v = value.value;
        out.push({
          param, value: v, ...precisionRange(v),
          system: str(value.system), code: str(value.code) ?? str(value.currency), unit: str(value.unit),
        });
      } else if (isObj(value.low) || isObj(value.high)) {
        // Range: stored as its bounds so `ap`/`eq` can test overlap.
        const lo = isObj(value.low) && typeof value.low.value === 'number' ? value.low.value : -Infinity;
        const hi = isObj(value.high) && typeof value.high.value === 'number' ? value.high.value : Infinity;
        const unitSrc = isObj(value.low) ? value.low : isObj(value.high) ? value.high : {};
        out.push({
          param, value: Number.isFinite(lo) ? lo : hi, low: lo, high: hi,
          system: str(unitSrc.system), code: str(unitSrc.code), unit: str(unitSrc.unit),
        });
      }
    }
  }
}

const LOCAL_REF = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;
const ABS_REF = /\/([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/** Parses a reference string into type and id when it has the `Type/id` shape. */
export function parseReference(ref: string): { type: string; id: string } | undefined {
  const m = LOCAL_REF.exec(ref) ?? ABS_REF.exec(ref);
  return m ? { type: m[1]!, id: m[2]! } : undefined;
}

/** Reference rows: Reference (relative, absolute, with `type`), canonical and uri strings. */
export function addReferences(out: ReferenceEntry[], param: string, nodes: PathNode[]): void {
  for (const { value } of nodes) {
    if (typeof value === 'string') {
      const p = parseReference(value);
      out.push({ param, targetType: p?.type ?? null, targetId: p?.id ?? null, url: value });
    } else if (isObj(value)) {
      // A contained reference (`#x`) is a value of the parameter but not searchable by reference;
      // registry.extract records its presence for :missing.
      if (typeof value.reference === 'string' && !value.reference.startsWith('#')) {
        const ref = value.reference;
        const p = parseReference(ref);
        out.push({ param, targetType: p?.type ?? referenceTargetType(value) ?? null, targetId: p?.id ?? null, url: ref });
      }
      // The logical identifier, with or without a literal reference: searchable with :identifier.
      // https://hl7.org/fhir/R4/search.html#reference
      if (isObj(value.identifier)) {
        const idf = value.identifier;
        out.push({ param: `${param}:identifier`, targetType: str(value.type), targetId: null, url: `${str(idf.system) ?? ''}|${str(idf.value) ?? ''}` });
      }
    }
  }
}

/** URI rows. */
export function addUris(out: UriEntry[], param: string, nodes: PathNode[]): void {
  for (const { value } of nodes) if (typeof value === 'string' && value.length > 0) out.push({ param, value });
}
