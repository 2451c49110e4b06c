/**
 * The R4 search rules as this test reads them, applied in memory to the same resources: what
 * each generated query SHOULD return. It is used in two ways:
 *
 * - Tessera must return exactly these results for every query;
 * - where the oracle (`@medplum/core`) returns something else, the difference must be one of the
 *   oracle's known mistakes or gaps listed in `oracle-disagreements.ts`.
 *
 * Values are found with medplum's FHIRPath engine (not Tessera's), with one correction: its
 * `as(T)` *function* returns its input unfiltered, so expressions are evaluated with `ofType(T)`,
 * which is what `as(T)` means (https://hl7.org/fhirpath/N1/#as-type-specifier).
 *
 * @see https://hl7.org/fhir/R4/search.html
 */
import type { StoredResource } from './data-set.js';
import type { Catalog } from './query-generator.js';
import { fold, identifierTypes, quantityTerms, referenceIdentifiers, referenceStrings, stringParts, tokenTerms, tokenTexts, type QuantityTerm } from './terms.js';
import { componentType, correctExpression, evaluate, isObj, searchParam, specValues, type ParamDef, type Typed } from './values.js';

/** The server base references may be written against. */
export const BASE = 'http://tessera.test/fhir';

/** A ValueSet the test stored, expanded: what `:in` / `:not-in` test against. */
export interface ExpandedValueSet {
  url: string;
  codes: { system: string; code?: string }[];
}

/** Splits on `sep` not escaped with `\`, and removes the escapes. https://hl7.org/fhir/R4/search.html#escaping */
export function splitValue(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) cur += value[++i];
    else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Splits `value` into `sep`-separated parts, keeping escapes (for a later split). */
function splitKeep(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) {
      cur += ch + value[++i];
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Dates: https://hl7.org/fhir/R4/search.html#date

/** [start, end) in ms. */
export interface Range {
  start: number;
  end: number;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** The implicit range of a date, dateTime or instant written as `text`. */
export function dateRange(text: string): Range | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, tz] = m;
  if (h !== undefined && mi === undefined) return undefined;
  const off = !tz || tz === 'Z' ? 0 : (tz[0] === '-' ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
  const at = (Y: number, M: number, D: number, H = 0, Mi = 0, S = 0, ms = 0) => {
    const t = new Date(0);
    t.setUTCFullYear(Y, M, D);
    t.setUTCHours(H, Mi, S, ms);
    return t.getTime();
  };
  const Y = Number(y);
  if (!mo) return { start: at(Y, 0, 1), end: at(Y + 1, 0, 1) };
  if (!d) return { start: at(Y, Number(mo) - 1, 1), end: at(Y, Number(mo), 1) };
  if (!h) return { start: at(Y, Number(mo) - 1, Number(d)), end: at(Y, Number(mo) - 1, Number(d) + 1) };
  if (!s) {
    const start = at(Y, Number(mo) - 1, Number(d), Number(h), Number(mi)) - off;
    return { start, end: start + 60_000 };
  }
  if (!frac) {
    const start = at(Y, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - off;
    return { start, end: start + 1000 };
  }
  const digits = Math.min(frac.length - 1, 3);
  const start = at(Y, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(frac.slice(1, 4).padEnd(3, '0'))) - off;
  return { start, end: start + 10 ** (3 - digits) };
}

/** Target ranges: each date/dateTime/instant; a Period; a Timing's outer limits. */
export function targetRanges(values: Typed[]): Range[] {
  const out: Range[] = [];
  for (const { value } of values) {
    if (typeof value === 'string') {
      const r = dateRange(value);
      if (r) out.push(r);
    } else if (isObj(value)) {
      if ('start' in value || 'end' in value) {
        out.push({ start: dateRange(value.start ?? '')?.start ?? -Infinity, end: dateRange(value.end ?? '')?.end ?? Infinity });
      } else if (Array.isArray(value.event) || isObj(value.repeat)) {
        // "the specified scheduling details are ignored and only the outer limits matter"
        const parts: Range[] = (value.event ?? []).map((e: string) => dateRange(e)).filter(Boolean);
        const b = isObj(value.repeat) && isObj(value.repeat.boundsPeriod) ? value.repeat.boundsPeriod : undefined;
        if (b) parts.push({ start: dateRange(b.start ?? '')?.start ?? -Infinity, end: dateRange(b.end ?? '')?.end ?? Infinity });
        if (parts.length) out.push({ start: Math.min(...parts.map((p) => p.start)), end: Math.max(...parts.map((p) => p.end)) });
      }
    }
  }
  return out;
}

const PREFIX = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)(?=[^a-z])/;

function prefixOf(v: string): { prefix: string; rest: string } {
  const m = PREFIX.exec(v);
  return m ? { prefix: m[1]!, rest: v.slice(2) } : { prefix: 'eq', rest: v };
}

/** One search date against one target range (https://hl7.org/fhir/R4/search.html#prefix). */
export function dateMatches(prefix: string, s: Range, t: Range, now: number): boolean {
  switch (prefix) {
    case 'eq': return t.start >= s.start && t.end <= s.end;
    case 'ne': return !(t.start >= s.start && t.end <= s.end);
    case 'gt': return t.end > s.end;
    case 'lt': return t.start < s.start;
    case 'ge': return t.end > s.start;
    case 'le': return t.start < s.end;
    case 'sa': return t.start >= s.end;
    case 'eb': return t.end <= s.start;
    default: {
      // ap: "10% of the gap between now and the date" (at least a day) on each side.
      const slack = Math.max(86_400_000, Math.abs(now - s.start) * 0.1);
      return t.start < s.end + slack && t.end > s.start - slack;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Numbers and quantities: https://hl7.org/fhir/R4/search.html#number

/** The implicit range of a written decimal: its significant digits, leading zeros excluded. */
export function numberRange(text: string): { value: number; low: number; high: number } | undefined {
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) return undefined;
  const value = Number(text);
  const [mantissa = '', exp = '0'] = text.toLowerCase().replace(/^-/, '').split('e');
  const decimals = mantissa.includes('.') ? mantissa.length - mantissa.indexOf('.') - 1 : 0;
  const half = 0.5 * 10 ** (Number(exp) - decimals);
  return { value, low: value - half, high: value + half };
}

function numberMatches(prefix: string, s: { value: number; low: number; high: number }, t: QuantityTerm): boolean {
  const v = s.value;
  switch (prefix) {
    case 'eq': return t.low >= s.low && t.high < s.high;
    case 'ne': return !(t.low >= s.low && t.high < s.high);
    case 'gt': case 'sa': return t.high > v;
    case 'lt': case 'eb': return t.low < v;
    case 'ge': return t.high >= v;
    case 'le': return t.low <= v;
    default: return t.high >= v - Math.abs(v) * 0.1 && t.low <= v + Math.abs(v) * 0.1;
  }
}

function quantityValueMatches(raw: string, terms: QuantityTerm[]): boolean {
  const { prefix, rest } = prefixOf(raw);
  const [num = '', system, code] = splitValue(rest, '|');
  const s = numberRange(num);
  if (!s) return false;
  return terms.some((t) => {
    if (system && t.system !== system) return false;
    if (code && (system ? t.code !== code : t.code !== code && t.unit !== code)) return false;
    if (!Number.isFinite(t.low) && !Number.isFinite(t.high)) return false;
    return numberMatches(prefix, s, t);
  });
}

// ---------------------------------------------------------------------------------------------
// Tokens, strings, references, uris

function tokenValueMatches(raw: string, values: Typed[]): boolean {
  const terms = tokenTerms(values);
  const parts = splitValue(raw, '|');
  if (parts.length === 1) return terms.some((t) => t.code === parts[0]);
  const [system = '', code = ''] = parts;
  if (system === '') return terms.some((t) => t.system === undefined && t.code === code);
  if (code === '') return terms.some((t) => t.system === system && !t.pipeless);
  return terms.some((t) => t.system === system && t.code === code && !t.pipeless);
}

function referenceValueMatches(raw: string, modifier: string | undefined, values: Typed[]): boolean {
  const refs = referenceStrings(values).map(localForm);
  if (modifier && /^[A-Z]/.test(modifier)) return refs.includes(`${modifier}/${raw}`);
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(raw)) return refs.some((r) => r.endsWith(`/${raw}`) && /^[A-Z][A-Za-z]+\/[^/]+$/.test(r));
  return refs.includes(localForm(raw));
}

/** `http://tessera.test/fhir/Patient/1` and `Patient/1/_history/2` → `Patient/1`; anything else as is. */
function localForm(ref: string): string {
  const local = ref.startsWith(`${BASE}/`) ? ref.slice(BASE.length + 1) : ref;
  const m = /^([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(local);
  return m ? m[1]! : ref;
}

function stringMatches(raw: string, modifier: string | undefined, parts: string[]): boolean {
  if (modifier === 'exact') return parts.includes(raw);
  const q = fold(raw);
  return modifier === 'contains' ? parts.some((p) => fold(p).includes(q)) : parts.some((p) => fold(p).startsWith(q));
}

// ---------------------------------------------------------------------------------------------
// The matcher

/** A parsed parameter key. */
export interface ParsedKey {
  kind: 'param' | 'chain' | 'has' | 'id' | 'lastUpdated' | 'list';
  code: string;
  modifier?: string;
  /** Chains: the target type (from `:Type`) and the rest of the key. */
  targetType?: string;
  rest?: string;
  /** _has: the referring type and its reference parameter. */
  sourceType?: string;
}

export function parseKey(key: string): ParsedKey {
  const has = /^_has:([A-Z][A-Za-z]+):([a-z0-9-]+):(.+)$/.exec(key);
  if (has) return { kind: 'has', sourceType: has[1]!, code: has[2]!, rest: has[3]! };
  const dot = key.indexOf('.');
  if (dot > 0) {
    const [code = '', type] = key.slice(0, dot).split(':');
    return { kind: 'chain', code, ...(type ? { targetType: type } : {}), rest: key.slice(dot + 1) };
  }
  const [code = '', modifier] = key.split(':');
  if (code === '_id') return { kind: 'id', code };
  if (code === '_lastUpdated') return { kind: 'lastUpdated', code };
  if (code === '_list') return { kind: 'list', code };
  return { kind: 'param', code, ...(modifier ? { modifier } : {}) };
}

/** Matches resources against single search parameters, following the R4 rules. */
export class SpecMatcher {
  constructor(private readonly catalog: Catalog, private readonly valueSets: ExpandedValueSet[], private readonly now: number) {}

  /** All parameters AND-ed. */
  matches(resource: StoredResource, params: [string, string][]): boolean {
    return params.every(([k, v]) => this.matchesParam(resource, k, v));
  }

  matchesParam(resource: StoredResource, key: string, value: string): boolean {
    const k = parseKey(key);
    switch (k.kind) {
      case 'id': return splitValue(value, ',').includes(resource.id);
      case 'lastUpdated': {
        const lu = (resource.meta as { lastUpdated?: string } | undefined)?.lastUpdated;
        const t = lu ? dateRange(lu) : undefined;
        return !!t && splitKeep(value, ',').some((v) => {
          const { prefix, rest } = prefixOf(v);
          const s = dateRange(rest);
          return !!s && dateMatches(prefix, s, t, this.now);
        });
      }
      case 'list': return splitValue(value, ',').some((listId) => {
        const list = this.catalog.byRef.get(`List/${listId}`);
        return ((list?.entry as { item?: { reference?: string } }[] | undefined) ?? []).some((e) => e.item?.reference === `${resource.resourceType}/${resource.id}`);
      });
      case 'chain': {
        const def = searchParam(resource.resourceType, k.code);
        if (!def) return false;
        return referenceStrings(specValues(resource, def)).some((ref) => {
          const target = this.catalog.byRef.get(localForm(ref));
          if (!target || (k.targetType && target.resourceType !== k.targetType)) return false;
          const innerCode = parseKey(k.rest!).code;
          if (!k.targetType && parseKey(k.rest!).kind === 'param' && !searchParam(target.resourceType, innerCode)) return false;
          return this.matchesParam(target, k.rest!, value);
        });
      }
      case 'has': {
        const me = `${resource.resourceType}/${resource.id}`;
        const def = searchParam(k.sourceType!, k.code);
        if (!def) return false;
        return (this.catalog.byType.get(k.sourceType!) ?? []).some((src) =>
          referenceStrings(specValues(src, def)).some((r) => localForm(r) === me) && this.matchesParam(src, k.rest!, value));
      }
      default: {
        const def = searchParam(resource.resourceType, k.code);
        if (!def) return false;
        const values = specValues(resource, def);
        if (k.modifier === 'missing') return (values.length === 0) === (value === 'true');
        if (k.modifier === 'not') return !splitKeep(value, ',').some((v) => tokenValueMatches(v, values));
        if (k.modifier === 'not-in') return !splitValue(value, ',').some((v) => this.inValueSet(v, values));
        return splitKeep(value, ',').some((v) => this.valueMatches(resource, def, k.modifier, v, values));
      }
    }
  }

  private inValueSet(url: string, values: Typed[]): boolean {
    const vs = this.valueSets.find((x) => x.url === url || `ValueSet/${x.url.split('/').pop()}` === url);
    if (!vs) return false;
    return tokenTerms(values).some((t) => !t.pipeless && vs.codes.some((c) => c.system === t.system && (c.code === undefined || c.code === t.code)));
  }

  private valueMatches(resource: StoredResource, def: ParamDef, modifier: string | undefined, raw: string, values: Typed[]): boolean {
    switch (def.type) {
      case 'token':
        if (modifier === 'text') return stringMatches(splitValue(raw, '|').join('|'), undefined, tokenTexts(values));
        if (modifier === 'in') return this.inValueSet(splitValue(raw, '|').join('|'), values);
        if (modifier === 'of-type') {
          const [system, code, v] = splitValue(raw, '|');
          return identifierTypes(values).some((x) => x.system === system && x.code === code && x.value === v);
        }
        return tokenValueMatches(raw, values);
      case 'string':
        return stringMatches(splitValue(raw, '|').join('|'), modifier, stringParts(values));
      case 'uri': {
        const v = splitValue(raw, '|').join('|');
        const uris = values.map((x) => x.value).filter((x): x is string => typeof x === 'string');
        if (modifier === 'below') return uris.some((u) => u.startsWith(v));
        if (modifier === 'above') return uris.some((u) => v.startsWith(u));
        return uris.includes(v);
      }
      case 'date': {
        const { prefix, rest } = prefixOf(raw);
        const s = dateRange(rest);
        return !!s && targetRanges(values).some((t) => dateMatches(prefix, s, t, this.now));
      }
      case 'number':
      case 'quantity':
        return quantityValueMatches(raw, quantityTerms(values));
      case 'reference': {
        if (modifier === 'identifier') {
          const [system, v] = raw.includes('|') ? splitValue(raw, '|') : [undefined, splitValue(raw, '|')[0]];
          return referenceIdentifiers(values).some((i) => i.value === v && (system === undefined || i.system === system));
        }
        return referenceValueMatches(splitValue(raw, '|').join('|'), modifier, values);
      }
      case 'composite':
        return this.compositeMatches(resource, def, raw, values);
      default:
        return false;
    }
  }

  /** Each context node gives its components' values; all parts must match in the same node. */
  private compositeMatches(resource: StoredResource, def: ParamDef, raw: string, nodes: Typed[]): boolean {
    const parts = splitKeep(raw, '$');
    const comps = def.component ?? [];
    if (parts.length !== comps.length) return false;
    return nodes.some((node) =>
      comps.every((c, i) => {
        const values = evaluate(correctExpression(c.expression), node, resource);
        const type = componentType(c.definition);
        const sub: ParamDef = { code: def.code, type: type ?? 'token' };
        return this.valueMatches(resource, sub, undefined, parts[i]!, values);
      }));
  }
}
