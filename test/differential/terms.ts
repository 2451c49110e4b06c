/**
 * Reads search terms out of the typed values medplum's FHIRPath engine returns, one function per
 * search parameter type, following the tables of https://hl7.org/fhir/R4/search.html. The query
 * generator draws values from these, and the spec rules match against them. Nothing here comes
 * from Tessera's own index code.
 */
import { isObj, type Typed } from './values.js';

/** A token: https://hl7.org/fhir/R4/search.html#token (the data-type table). */
export interface TokenTerm {
  system?: string;
  code: string;
  /** ContactPoint, uri, boolean, code, string: the `|` forms do not apply. */
  pipeless: boolean;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** Coding → system|code; CodeableConcept → each coding; Identifier → system|value; ContactPoint → value; primitives → value. */
export function tokenTerms(values: Typed[]): TokenTerm[] {
  const out: TokenTerm[] = [];
  const coding = (c: unknown) => {
    if (!isObj(c) || !str(c.code)) return;
    out.push({ ...(str(c.system) ? { system: c.system } : {}), code: c.code, pipeless: false });
  };
  for (const { type, value } of values) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'boolean' || typeof value === 'number') out.push({ code: String(value), pipeless: true });
    else if (typeof value === 'string') out.push({ code: value, pipeless: true });
    else if (type === 'CodeableConcept') (value.coding ?? []).forEach(coding);
    else if (type === 'Coding') coding(value);
    else if (type === 'Identifier') {
      if (str(value.value)) out.push({ ...(str(value.system) ? { system: value.system } : {}), code: value.value, pipeless: false });
    } else if (type === 'ContactPoint') {
      if (str(value.value)) out.push({ code: value.value, pipeless: true });
    }
  }
  return out;
}

/** The text a `:text` search sees: CodeableConcept.text, Coding.display, Identifier.type.text. */
export function tokenTexts(values: Typed[]): string[] {
  const out: string[] = [];
  for (const { type, value } of values) {
    if (!isObj(value)) continue;
    if (type === 'CodeableConcept') {
      if (str(value.text)) out.push(value.text);
      for (const c of value.coding ?? []) if (isObj(c) && str(c.display)) out.push(c.display);
    } else if (type === 'Coding' && str(value.display)) out.push(value.display);
    else if (type === 'Identifier' && isObj(value.type) && str(value.type.text)) out.push(value.type.text);
  }
  return out;
}

/** `:of-type` terms: Identifier.type.coding system|code with the identifier's value. */
export function identifierTypes(values: Typed[]): { system: string; code: string; value: string }[] {
  const out: { system: string; code: string; value: string }[] = [];
  for (const { type, value } of values) {
    if (type !== 'Identifier' || !isObj(value) || !str(value.value) || !isObj(value.type)) continue;
    for (const c of value.type.coding ?? []) if (isObj(c) && str(c.system) && str(c.code)) out.push({ system: c.system, code: c.code, value: value.value });
  }
  return out;
}

const NAME_PARTS = ['text', 'family', 'given', 'prefix', 'suffix'];
const ADDRESS_PARTS = ['text', 'line', 'city', 'district', 'state', 'postalCode', 'country'];

/**
 * The strings a string search covers. "When a string search parameter refers to the types
 * HumanName and Address, the search covers the elements of type string" — each part on its own.
 */
export function stringParts(values: Typed[]): string[] {
  const out: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string' && v.length > 0) out.push(v);
    else if (Array.isArray(v)) v.forEach(add);
  };
  for (const { type, value } of values) {
    if (typeof value === 'string') add(value);
    else if (isObj(value)) {
      const parts = type === 'HumanName' ? NAME_PARTS : type === 'Address' ? ADDRESS_PARTS : Object.keys(value).filter((k) => typeof value[k] === 'string');
      for (const p of parts) add(value[p]);
    }
  }
  return out;
}

/** Date texts found (date, dateTime, instant, Period bounds, Timing events and bounds), for the generator. */
export function dateTexts(values: Typed[]): string[] {
  const out: string[] = [];
  for (const { value } of values) {
    if (typeof value === 'string') out.push(value);
    else if (isObj(value)) {
      for (const k of ['start', 'end']) if (str(value[k])) out.push(value[k]);
      for (const e of value.event ?? []) if (str(e)) out.push(e);
      const b = isObj(value.repeat) ? value.repeat.boundsPeriod : undefined;
      if (isObj(b)) for (const k of ['start', 'end']) if (str(b[k])) out.push(b[k]);
    }
  }
  return out;
}

/** A quantity-like value: Quantity (and Age, Duration, …), Money, plain numbers, or a Range. */
export interface QuantityTerm {
  low: number;
  high: number;
  system?: string;
  code?: string;
  unit?: string;
  /** The written form of a single value (for precision), absent for ranges. */
  text?: string;
}

export function quantityTerms(values: Typed[]): QuantityTerm[] {
  const out: QuantityTerm[] = [];
  for (const { type, value } of values) {
    if (typeof value === 'number') out.push({ low: value, high: value, text: String(value) });
    else if (isObj(value)) {
      if (typeof value.value === 'number') {
        out.push({
          low: value.value, high: value.value, text: String(value.value),
          ...(str(value.system) ? { system: value.system } : {}),
          ...(str(value.code) ?? str(value.currency) ? { code: (str(value.code) ?? str(value.currency))! } : {}),
          ...(str(value.unit) ? { unit: value.unit } : {}),
        });
      } else if (type === 'Range' || isObj(value.low) || isObj(value.high)) {
        const lo = isObj(value.low) && typeof value.low.value === 'number' ? value.low.value : -Infinity;
        const hi = isObj(value.high) && typeof value.high.value === 'number' ? value.high.value : Infinity;
        const u = isObj(value.low) ? value.low : isObj(value.high) ? value.high : {};
        out.push({ low: lo, high: hi, ...(str(u.system) ? { system: u.system } : {}), ...(str(u.code) ? { code: u.code } : {}), ...(str(u.unit) ? { unit: u.unit } : {}) });
      }
    }
  }
  return out;
}

/** Literal references (Reference.reference, canonical and uri strings); contained `#x` included. */
export function referenceStrings(values: Typed[]): string[] {
  const out: string[] = [];
  for (const { value } of values) {
    if (typeof value === 'string') out.push(value);
    else if (isObj(value) && str(value.reference)) out.push(value.reference);
  }
  return out;
}

/** Logical references: Reference.identifier. */
export function referenceIdentifiers(values: Typed[]): { system?: string; value: string }[] {
  const out: { system?: string; value: string }[] = [];
  for (const { value } of values) {
    if (isObj(value) && isObj(value.identifier) && str(value.identifier.value)) {
      out.push({ ...(str(value.identifier.system) ? { system: value.identifier.system } : {}), value: value.identifier.value });
    }
  }
  return out;
}

/** Normalised for string search: case and combining characters removed. */
export function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}
