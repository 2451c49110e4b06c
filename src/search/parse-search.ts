/**
 * Parses a FHIR search query into a {@link SearchRequest}. Nothing is silently ignored: an unknown
 * parameter, modifier or malformed value throws a 400 naming it, unless the caller asked for
 * lenient handling, in which case it is dropped and left out of `applied` (the self link).
 *
 * @see https://hl7.org/fhir/R4/search.html
 */
import { badRequest, issue, OperationOutcomeError, outcomeOf } from '../fhir/outcome.js';
import { parseDateRange } from './date-range.js';
import { precisionRange } from './index-entries.js';
import type { SearchParamDef, SearchRegistry } from './registry.js';
import type { Filter, IncludeSpec, Prefix, SearchRequest, SearchValue, SortKey } from './search-request.js';

/** Options for parsing. */
export interface ParseOptions {
  /** `Prefer: handling=lenient`: drop what cannot be applied instead of failing. */
  lenient?: boolean;
  /** This server's FHIR base: absolute references to it match like `Type/id`. */
  baseUrl?: string;
  defaultCount?: number;
  maxCount?: number;
}

const PREFIXES: Prefix[] = ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap'];
const MODIFIERS: Record<string, string[]> = {
  token: ['missing', 'not', 'text', 'of-type', 'in', 'not-in'],
  string: ['missing', 'exact', 'contains'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  reference: ['missing', 'identifier'],
  uri: ['missing', 'below', 'above'],
  composite: ['missing'],
};
const RESULT_PARAMS = new Set([
  '_count', '_sort', '_total', '_summary', '_elements', '_include', '_revinclude', '_include:iterate', '_revinclude:iterate',
  '_include:recurse', '_revinclude:recurse', '_cursor', '_format', '_pretty',
]);

/** Splits on commas not escaped with a backslash. https://hl7.org/fhir/R4/search.html#escaping */
export function splitEscaped(value: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    if (ch === '\\' && i + 1 < value.length) {
      cur += ch + value[i + 1];
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** Removes search escapes (`\,` `\|` `\$` `\\`). */
export function unescape(value: string): string {
  return value.replace(/\\([,|$\\])/g, '$1');
}

/** Parses a query (as ordered key/value pairs) for `resourceType`. */
export function parseSearch(
  registry: SearchRegistry,
  resourceType: string,
  query: readonly [string, string][],
  opts: ParseOptions = {},
): SearchRequest {
  const req: SearchRequest = {
    resourceType, filters: [], sort: [], count: opts.defaultCount ?? 20, total: 'accurate',
    include: [], revinclude: [], applied: [],
  };
  for (const [rawKey, rawValue] of query) {
    try {
      // PostgreSQL text cannot hold NUL, and no FHIR value contains control characters.
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(rawKey + rawValue)) throw badRequest(`Parameter '${rawKey.replace(/[\u0000-\u001F]/g, '?')}' contains a control character`, rawKey.replace(/[\u0000-\u001F]/g, '?'));
      if (applyResultParam(registry, req, rawKey, rawValue, opts)) {
        if (rawKey !== '_cursor' && rawKey !== '_format' && rawKey !== '_pretty') req.applied.push([rawKey, rawValue]);
        continue;
      }
      req.filters.push(parseFilter(registry, resourceType, rawKey, rawValue, opts));
      req.applied.push([rawKey, rawValue]);
    } catch (err) {
      if (!opts.lenient) throw err;
    }
  }
  return req;
}

function applyResultParam(registry: SearchRegistry, req: SearchRequest, key: string, value: string, opts: ParseOptions): boolean {
  if (!RESULT_PARAMS.has(key)) return false;
  switch (key) {
    case '_count': {
      if (!/^\d{1,6}$/.test(value)) throw badRequest(`_count must be a non-negative whole number, not '${value}'`, '_count');
      req.count = Math.min(Number(value), opts.maxCount ?? 1000);
      return true;
    }
    case '_total':
      if (value !== 'none' && value !== 'estimate' && value !== 'accurate') throw badRequest(`_total must be none, estimate or accurate`, '_total');
      req.total = value;
      return true;
    case '_summary':
      if (!['true', 'text', 'data', 'count', 'false'].includes(value)) throw badRequest(`Unknown _summary value '${value}'`, '_summary');
      req.summary = value as SearchRequest['summary'];
      return true;
    case '_elements':
      req.elements = value.split(',').map((s) => s.trim()).filter(Boolean);
      return true;
    case '_sort':
      req.sort = value.split(',').map((k): SortKey => {
        const descending = k.startsWith('-');
        const code = descending ? k.slice(1) : k;
        if (code === '_id' || code === '_lastUpdated') return { code, descending };
        const def = registry.get(req.resourceType, code);
        if (def) assertIndexed(def, '_sort');
        if (!def || !['string', 'date', 'token', 'number', 'quantity', 'reference', 'uri'].includes(def.type)) {
          throw badRequest(`Cannot sort ${req.resourceType} by '${code}'`, '_sort');
        }
        return { code, def, descending };
      });
      return true;
    case '_include':
    case '_revinclude':
    case '_include:iterate':
    case '_revinclude:iterate':
    case '_include:recurse':
    case '_revinclude:recurse': {
      const spec = parseInclude(registry, key, value, req.resourceType);
      (key.startsWith('_include') ? req.include : req.revinclude).push(spec);
      return true;
    }
    case '_cursor':
      req.cursor = value;
      return true;
    case '_format':
      if (!/json/.test(value)) throw badRequest(`Only JSON is supported, not _format=${value}`, '_format');
      return true;
    default:
      return true; // _pretty
  }
}

function parseInclude(registry: SearchRegistry, key: string, value: string, resourceType: string): IncludeSpec {
  const parts = value.split(':');
  const iterate = key.includes(':iterate') || key.includes(':recurse');
  const [sourceType = '', param = '', targetType] = parts;
  // A wildcard follows every reference parameter, so one still being indexed would make it partial.
  if (parts[0] === '*' || param === '*') {
    const types = parts[0] === '*' ? registry.resourceTypes() : [sourceType];
    for (const type of types) for (const def of registry.all(type)) if (def.type === 'reference') assertIndexed(def, key);
  }
  if (parts[0] === '*') return { sourceType: '*', param: '*', iterate, wildcard: true };
  if (!registry.get(sourceType, param) && param !== '*') throw badRequest(`Unknown ${key} parameter '${value}'`, key);
  if (param !== '*' && registry.get(sourceType, param)?.type !== 'reference') throw badRequest(`${key} '${value}' is not a reference parameter`, key);
  if (param !== '*') assertIndexed(registry.get(sourceType, param)!, key);
  void resourceType;
  return { sourceType, param, iterate, wildcard: param === '*', ...(targetType ? { targetType } : {}) };
}

/**
 * Refuses a (custom) parameter whose existing resources are still being reindexed: its index
 * holds only some of the matches, and a partial answer must never pass for a complete one.
 * 400 like any parameter that cannot be applied, so `Prefer: handling=lenient` leaves it out
 * (and the `self` link shows that); the `transient` issue code says that retrying later helps.
 */
function assertIndexed(def: SearchParamDef, key: string): void {
  if (!def.isIndexing) return;
  throw new OperationOutcomeError(400, outcomeOf([issue('transient', `Search parameter '${def.code}' is still being indexed; it can be used when reindexing finishes`, key)]));
}

function parseFilter(registry: SearchRegistry, resourceType: string, key: string, value: string, opts: ParseOptions): Filter {
  if (key.startsWith('_has:')) return parseHas(registry, resourceType, key, value, opts);
  const dot = key.indexOf('.');
  if (dot > 0) return parseChain(registry, resourceType, key, value, opts);
  const [code = '', modifier] = key.split(':', 2) as [string, string | undefined];
  if (code === '_id') {
    if (modifier && modifier !== 'missing') throw badRequest(`Unknown modifier ':${modifier}' on _id`, key);
    return { kind: 'id', values: splitEscaped(value, ',').map((v) => ({ type: 'token', code: unescape(v) })) };
  }
  if (code === '_list') {
    if (modifier) throw badRequest(`Unknown modifier ':${modifier}' on _list`, key);
    const ids = splitEscaped(value, ',').map(unescape);
    if (ids.some((i) => !/^[A-Za-z0-9\-.]{1,64}$/.test(i))) throw badRequest(`_list takes List ids, not '${value}'`, key);
    return { kind: 'list', listIds: ids };
  }
  if (code === '_lastUpdated') {
    if (modifier) throw badRequest(`Unknown modifier ':${modifier}' on _lastUpdated`, key);
    return { kind: 'lastUpdated', values: splitEscaped(value, ',').map((v) => parseDateValue(v, key)) };
  }
  const def = registry.get(resourceType, code);
  if (!def) throw badRequest(`Unknown search parameter '${code}' for ${resourceType}`, key);
  assertIndexed(def, key);
  if (!def.path && def.type !== 'composite') throw badRequest(`Search parameter '${code}' is not supported`, key);
  if (modifier !== undefined) {
    const isTypeModifier = def.type === 'reference' && /^[A-Z][A-Za-z]+$/.test(modifier);
    if (!isTypeModifier && !(MODIFIERS[def.type] ?? []).includes(modifier)) {
      throw badRequest(`Modifier ':${modifier}' is not supported on ${def.type} parameter '${code}'`, key);
    }
    if (modifier === 'of-type' && !/identifier/.test(def.expression ?? '')) throw badRequest(`:of-type applies only to identifiers`, key);
  }
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') throw badRequest(`:missing takes true or false`, key);
    return { kind: 'param', def, modifier, values: [{ type: 'missing', missing: value === 'true' }] };
  }
  const values = splitEscaped(value, ',').map((v) => parseValue(def, modifier, v, key, opts));
  return modifier !== undefined ? { kind: 'param', def, modifier, values } : { kind: 'param', def, values };
}

function parseChain(registry: SearchRegistry, resourceType: string, key: string, value: string, opts: ParseOptions): Filter {
  const dot = key.indexOf('.');
  const head = key.slice(0, dot);
  const rest = key.slice(dot + 1);
  const [code = '', typeMod] = head.split(':', 2) as [string, string | undefined];
  const def = registry.get(resourceType, code);
  if (!def || def.type !== 'reference') throw badRequest(`'${code}' is not a reference parameter of ${resourceType}, so it cannot be chained`, key);
  assertIndexed(def, key);
  const targets = def.target ?? [];
  if (typeMod) {
    if (!targets.includes(typeMod)) throw badRequest(`'${code}' cannot refer to ${typeMod}`, key);
    return { kind: 'chain', def, targets: [{ type: typeMod, inner: parseFilter(registry, typeMod, rest, value, opts) }] };
  }
  // Without a type, try every target type on which the chained parameter exists.
  const innerCode = rest.split(/[.:]/)[0]!;
  const candidates = targets.filter((tt) => registry.get(tt, innerCode) || innerCode === '_has');
  if (candidates.length === 0) throw badRequest(`Chain '${key}': no resource that '${code}' refers to has a parameter '${innerCode}'`, key);
  return { kind: 'chain', def, targets: candidates.map((type) => ({ type, inner: parseFilter(registry, type, rest, value, opts) })) };
}

function parseHas(registry: SearchRegistry, resourceType: string, key: string, value: string, opts: ParseOptions): Filter {
  // _has:Observation:patient:code=x  (the rest may itself be another _has)
  const m = /^_has:([A-Z][A-Za-z]+):([a-z0-9-]+):(.+)$/.exec(key);
  if (!m) throw badRequest(`Malformed _has parameter '${key}'`, key);
  const [, sourceType = '', refCode = '', rest = ''] = m;
  const refDef = registry.get(sourceType, refCode);
  if (!refDef || refDef.type !== 'reference') throw badRequest(`'${refCode}' is not a reference parameter of ${sourceType}`, key);
  assertIndexed(refDef, key);
  if (refDef.target && !refDef.target.includes(resourceType)) throw badRequest(`${sourceType}.${refCode} cannot refer to ${resourceType}`, key);
  return { kind: 'has', sourceType, referenceParam: refDef, inner: parseFilter(registry, sourceType, rest, value, opts) };
}

function parsePrefix(v: string): { prefix: Prefix; rest: string } {
  const p = v.slice(0, 2) as Prefix;
  if (PREFIXES.includes(p) && v.length > 2 && !/^[a-z]/.test(v.slice(2, 3))) return { prefix: p, rest: v.slice(2) };
  return { prefix: 'eq', rest: v };
}

function parseDateValue(v: string, key: string): SearchValue {
  const { prefix, rest } = parsePrefix(v);
  if (/^[a-z]{2}/.test(v) && !PREFIXES.includes(v.slice(0, 2) as Prefix)) throw badRequest(`Unknown prefix '${v.slice(0, 2)}' in ${key}`, key);
  const r = parseDateRange(rest);
  if (!r) throw badRequest(`'${v}' is not a valid date for ${key}`, key);
  return { type: 'date', prefix, start: r.start, end: r.end };
}

function parseValue(def: SearchParamDef, modifier: string | undefined, raw: string, key: string, opts: ParseOptions = {}): SearchValue {
  if (raw.length === 0) throw badRequest(`Empty value for ${key}`, key);
  switch (def.type) {
    case 'token': {
      if (modifier === 'text') return { type: 'string', value: unescape(raw) };
      if (modifier === 'in' || modifier === 'not-in') {
        const url = unescape(raw);
        if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(url) && !/^ValueSet\/[A-Za-z0-9\-.]{1,64}$/.test(url)) throw badRequest(`:${modifier} takes a ValueSet URL, not '${raw}'`, key);
        return { type: 'valueset', url };
      }
      const parts = splitEscaped(raw, '|');
      if (parts.length > 2 && modifier !== 'of-type') throw badRequest(`Too many '|' in ${key}=${raw}`, key);
      if (modifier === 'of-type') {
        if (parts.length !== 3) throw badRequest(`:of-type takes system|code|value`, key);
        return { type: 'token', system: unescape(parts[0]!), code: `${unescape(parts[1]!)}|${unescape(parts[2]!)}` };
      }
      if (parts.length === 1) return { type: 'token', code: unescape(parts[0]!) };
      const [system = '', code = ''] = parts.map(unescape);
      if (system === '' && code === '') throw badRequest(`'|' alone is not a token`, key);
      if (system === '') return { type: 'token', code, noSystem: true };
      if (code === '') return { type: 'token', system, anyCode: true };
      return { type: 'token', system, code };
    }
    case 'string':
      return { type: 'string', value: unescape(raw) };
    case 'uri':
      return { type: 'uri', value: unescape(raw) };
    case 'date':
      return parseDateValue(raw, key);
    case 'number':
    case 'quantity': {
      if (/^[a-z]{2}/.test(raw) && !PREFIXES.includes(raw.slice(0, 2) as Prefix)) throw badRequest(`Unknown prefix '${raw.slice(0, 2)}' in ${key}`, key);
      const { prefix, rest } = parsePrefix(raw);
      const parts = splitEscaped(rest, '|');
      const num = parts[0]!;
      if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(num)) throw badRequest(`'${raw}' is not a valid number for ${key}`, key);
      if (def.type === 'number' && parts.length > 1) throw badRequest(`${key} is a number; units are not allowed`, key);
      if (parts.length !== 1 && parts.length !== 3) throw badRequest(`Quantity must be number or number|system|code in ${key}`, key);
      const value = Number(num);
      const out: SearchValue = { type: 'number', prefix, value, ...precisionRange(value, num), hasUnit: parts.length === 3 };
      if (parts.length === 3) {
        const system = unescape(parts[1]!);
        const code = unescape(parts[2]!);
        if (system) out.system = system;
        if (code) out.code = code;
      }
      return out;
    }
    case 'reference': {
      const v = unescape(raw);
      if (modifier === 'identifier') {
        const [system, value] = v.includes('|') ? v.split('|', 2) : [undefined, v];
        return { type: 'reference', identifier: { ...(system ? { system } : {}), ...(value ? { value } : {}) } };
      }
      const typed = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(v);
      if (typed) return { type: 'reference', resourceType: typed[1]!, id: typed[2]! };
      if (/^[A-Za-z0-9\-.]{1,64}$/.test(v)) {
        return { type: 'reference', id: v, ...(modifier && /^[A-Z]/.test(modifier) ? { resourceType: modifier } : {}) };
      }
      if (opts.baseUrl && v.startsWith(`${opts.baseUrl}/`)) {
        const local = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(v.slice(opts.baseUrl.length + 1));
        if (local) return { type: 'reference', resourceType: local[1]!, id: local[2]! };
      }
      if (/^[a-z][a-z0-9+.-]*:/.test(v)) return { type: 'reference', url: v };
      throw badRequest(`'${raw}' is not a valid reference for ${key}`, key);
    }
    case 'composite': {
      const comps = def.components ?? [];
      const parts = splitEscaped(raw, '$');
      if (parts.length !== comps.length) throw badRequest(`${key} takes ${comps.length} parts separated by '$'`, key);
      return {
        type: 'composite',
        parts: parts.map((p, i) => parseValue({ ...def, type: comps[i]!.type, code: comps[i]!.code }, undefined, p, key)),
      };
    }
    default:
      throw badRequest(`Search parameter '${def.code}' is not supported`, key);
  }
}
