/**
 * A deterministic generator of FHIR search queries over the loaded data: every parameter type
 * and modifier of https://hl7.org/fhir/R4/search.html, with values drawn from the resources (so
 * most queries match something) and some that match nothing.
 *
 * Values holding the search syntax characters `, | $ \` are not drawn: the oracle does not
 * unescape them, so such queries would test its escaping, not the search.
 */
import { Rng } from './prng.js';
import { canonicalOrder, type StoredResource } from './data-set.js';
import { dateTexts, identifierTypes, quantityTerms, referenceIdentifiers, referenceStrings, stringParts, tokenTerms, tokenTexts } from './terms.js';
import { componentType, correctExpression, evaluate, searchParams, specValues, type ParamDef, type Typed } from './values.js';

/** One generated search. */
export interface GenQuery {
  resourceType: string;
  params: [string, string][];
  /** The kind of query, for the summary (`date:ge:day`, `token:not`, …). */
  form: string;
}

/** `Type?k=v&…` with each key and value percent-encoded. */
export function queryUrl(q: GenQuery): string {
  return `${q.resourceType}?${q.params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`;
}

interface Hit {
  resource: StoredResource;
  values: Typed[];
}

/** The loaded resources, indexed for drawing values. */
export class Catalog {
  readonly byType = new Map<string, StoredResource[]>();
  readonly byRef = new Map<string, StoredResource>();
  /** type → param code → resources where the parameter has a value. */
  private readonly hits = new Map<string, Map<string, Hit[]>>();
  /** param type → [resourceType, def] pairs that have values. */
  private readonly withValues = new Map<string, [string, ParamDef][]>();

  readonly resources: StoredResource[];

  constructor(stored: StoredResource[]) {
    this.resources = canonicalOrder(stored);
    for (const r of this.resources) {
      const list = this.byType.get(r.resourceType) ?? [];
      list.push(r);
      this.byType.set(r.resourceType, list);
      this.byRef.set(`${r.resourceType}/${r.id}`, r);
    }
    for (const [type, list] of [...this.byType].sort(([a], [b]) => a.localeCompare(b))) {
      const perParam = new Map<string, Hit[]>();
      for (const def of searchParams(type)) {
        if (!def.expression || def.type === 'special' || def.code === '_id' || def.code === '_lastUpdated') continue;
        const found: Hit[] = [];
        for (const resource of list) {
          if (isLoadRecord(resource)) continue;
          const values = specValues(resource, def);
          if (values.length > 0) found.push({ resource, values });
        }
        if (found.length === 0) continue;
        perParam.set(def.code, found);
        const pairs = this.withValues.get(def.type) ?? [];
        pairs.push([type, def]);
        this.withValues.set(def.type, pairs);
      }
      this.hits.set(type, perParam);
    }
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  /** [type, def] pairs of a parameter type that have values (sorted, so the draw is stable). */
  candidates(paramType: string): [string, ParamDef][] {
    return this.withValues.get(paramType) ?? [];
  }

  hitsOf(type: string, code: string): Hit[] {
    return this.hits.get(type)?.get(code) ?? [];
  }

  /** Params of `type` with values (for chains and _has). */
  paramsWithValues(type: string): ParamDef[] {
    const codes = this.hits.get(type);
    return codes ? searchParams(type).filter((d) => codes.has(d.code)) : [];
  }

  resolve(ref: string): StoredResource | undefined {
    const m = /(?:^|\/)([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})$/.exec(ref);
    return m ? this.byRef.get(m[1]!) : undefined;
  }
}

/**
 * The Provenance the import writes records when it ran: values are not drawn from it, so the
 * queries (and the disagreement categories) do not depend on the day the test runs.
 */
function isLoadRecord(r: StoredResource): boolean {
  return r.resourceType === 'Provenance' && /^Imported from /.test((r.activity as { text?: string } | undefined)?.text ?? '');
}

const SPECIAL = /[,|$\\]/;
const PREFIXES = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'] as const;
const PRECISIONS = ['year', 'month', 'day', 'minute', 'second'] as const;

/** Hostile values: quotes, wildcards, escapes, unicode, control-free oddities. */
export const HOSTILE_VALUES = [
  "'", "' OR '1'='1", '%', '_', '\\', '\\\\', ':', '|', '||', ',', '$', '$$', '\\,', '\\|', '*', '?', 'null',
  'Zoë', '李小龍', '🩺', '\u202eevil', ' ', 'x'.repeat(3000), 'gt', 'eq', 'ne2020-13-45', 'ap', '1e999', '-0', '0x10',
  'Patient/', 'Patient/../x', '/', 'http://', 'urn:uuid:', 'a|b|c|d', '$gt5', 'lt', 'sa2020', 'eb',
];

type FormGen = (g: Generator) => GenQuery | undefined;

/** Draws queries. */
export class Generator {
  /** One stream per form, so a form that draws more or fewer values does not shift the others. */
  private readonly streams = new Map<string, Rng>();
  private current: Rng;
  private readonly counters = new Map<string, number>();
  get rng(): Rng {
    return this.current;
  }
  private use(form: string): void {
    let r = this.streams.get(form);
    if (!r) {
      let h = this.seed;
      for (const ch of form) h = Math.imul(h ^ ch.charCodeAt(0), 0x9e3779b1) >>> 0;
      this.streams.set(form, (r = new Rng(h)));
    }
    this.current = r;
  }
  /** 0, 1, 2, … per name. */
  counter(name: string): number {
    const n = this.counters.get(name) ?? 0;
    this.counters.set(name, n + 1);
    return n;
  }
  constructor(readonly catalog: Catalog, private readonly seed: number, readonly valueSets: { url: string; type: string; code: string }[] = []) {
    this.current = new Rng(seed);
  }

  /** A random resource with a value for a random parameter of `paramType`. */
  draw(paramType: string, filter: (type: string, def: ParamDef) => boolean = () => true): { type: string; def: ParamDef; hit: Hit } | undefined {
    const pairs = this.catalog.candidates(paramType).filter(([t, d]) => filter(t, d));
    if (pairs.length === 0) return undefined;
    const [type, def] = this.rng.pick(pairs);
    return { type, def, hit: this.rng.pick(this.catalog.hitsOf(type, def.code)) };
  }

  /**
   * Distinct queries, about `count` of them: every form gets the same quota and its own random
   * stream, so the set does not depend on what other forms drew (only `_lastUpdated` values,
   * stamped at load time, vary between runs). Forms with fewer distinct values give fewer.
   */
  generate(count: number): GenQuery[] {
    const seen = new Set<string>();
    const out: GenQuery[] = [];
    const forms = Object.entries(FORMS);
    const quota = Math.ceil(count / forms.length);
    for (const [name, gen] of forms) {
      this.use(name);
      for (let made = 0, tries = 0; made < quota && tries < quota * 20; tries++) {
        const q = gen(this);
        const url = q && queryUrl(q);
        if (!q || seen.has(url!)) continue;
        seen.add(url!);
        out.push({ ...q, form: q.form || name });
        made++;
      }
    }
    return out;
  }

  /** Queries with hostile values on parameters of every type: they must never cause a 500. */
  hostile(): GenQuery[] {
    this.use('hostile');
    const out: GenQuery[] = [];
    const keys: [string, string][] = [];
    for (const t of ['token', 'string', 'date', 'number', 'quantity', 'reference', 'uri', 'composite']) {
      for (const [type, def] of this.catalog.candidates(t).slice(0, 4)) keys.push([type, def.code]);
    }
    keys.push(['Patient', '_id'], ['Patient', '_lastUpdated'], ['Patient', 'name:exact'], ['Patient', 'name:contains'], ['Observation', 'code:text'],
      ['Observation', 'code:not'], ['Observation', 'subject:Patient.name'], ['Patient', '_has:Observation:patient:code'], ['Observation', 'code:in'],
      ['Patient', '_list'], ['Observation', 'subject:identifier'], ['Patient', 'identifier:of-type'], ['ValueSet', 'url:below'], ['Questionnaire', 'url:above']);
    // Every value on a few keys of each kind, and a random third of them on the rest.
    for (const [i, [type, key]] of keys.entries()) {
      for (const v of HOSTILE_VALUES) if (i % 4 === 0 || this.rng.chance(0.33)) out.push({ resourceType: type, params: [[key, v]], form: 'hostile' });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// Value helpers

const tz = (text: string): string => /(Z|[+-]\d\d:\d\d)$/.exec(text)?.[1] ?? 'Z';
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The search value for `text` at `precision`, optionally moved by one unit; undefined when too coarse. */
function dateAt(text: string, precision: (typeof PRECISIONS)[number], shift: number): string | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2}))?)?)?/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const hasTime = h !== undefined;
  if ((precision === 'month' && !mo) || (precision === 'day' && !d) || ((precision === 'minute' || precision === 'second') && !hasTime)) return undefined;
  const date = new Date(Date.UTC(Number(y), Number(mo ?? 1) - 1, Number(d ?? 1), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)));
  if (precision === 'year') date.setUTCFullYear(date.getUTCFullYear() + shift);
  else if (precision === 'month') date.setUTCMonth(date.getUTCMonth() + shift);
  else if (precision === 'day') date.setUTCDate(date.getUTCDate() + shift);
  else if (precision === 'minute') date.setUTCMinutes(date.getUTCMinutes() + shift);
  else date.setUTCSeconds(date.getUTCSeconds() + shift);
  const Y = pad(date.getUTCFullYear(), 4);
  const M = pad(date.getUTCMonth() + 1);
  const D = pad(date.getUTCDate());
  switch (precision) {
    case 'year': return Y;
    case 'month': return `${Y}-${M}`;
    case 'day': return `${Y}-${M}-${D}`;
    case 'minute': return `${Y}-${M}-${D}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}${tz(text)}`;
    default: return `${Y}-${M}-${D}T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${tz(text)}`;
  }
}

/** A decimal written to `decimals` places (no exponent). */
function fixed(n: number, decimals: number): string {
  return n.toFixed(Math.min(decimals, 20));
}

function numberText(g: Generator, value: number, text: string | undefined): string {
  const decimals = text?.includes('.') ? text.length - text.indexOf('.') - 1 : 0;
  switch (g.rng.int(5)) {
    case 0: return text ?? String(value);
    case 1: return fixed(value, Math.max(0, decimals - 1)); // coarser: a wider implicit range
    case 2: return fixed(value, decimals + 1); // finer
    case 3: return fixed(value + (g.rng.chance(0.5) ? 1 : -1) * 10 ** -decimals, decimals); // a neighbour
    default: {
      // Exponential form with at least two significant digits.
      const e = value.toExponential(Math.max(1, Math.min(6, (text ?? '').replace(/[-.]/g, '').replace(/^0+/, '').length - 1)));
      return e.replace('e+', 'e');
    }
  }
}

function changeCase(g: Generator, s: string): string {
  return g.rng.chance(0.5) ? s.toUpperCase() : s.toLowerCase();
}

/** Strips accents, as a client typing without them would. */
function unaccent(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '');
}

// ---------------------------------------------------------------------------------------------
// Forms

function tokenForm(form: string, make: (g: Generator, terms: ReturnType<typeof tokenTerms>, values: Typed[]) => string | undefined, key = (code: string) => code): FormGen {
  return (g) => {
    const d = g.draw('token', (_t, def) => def.code !== '_id');
    if (!d) return undefined;
    const v = make(g, tokenTerms(d.hit.values).filter((t) => !SPECIAL.test(t.code) && !SPECIAL.test(t.system ?? '')), d.hit.values);
    return v === undefined ? undefined : { resourceType: d.type, params: [[key(d.def.code), v]], form };
  };
}

function stringForm(form: string, make: (g: Generator, part: string) => string | undefined, modifier = ''): FormGen {
  return (g) => {
    const d = g.draw('string');
    if (!d) return undefined;
    const parts = stringParts(d.hit.values).filter((p) => !SPECIAL.test(p) && p.trim() === p && p.length > 0);
    if (parts.length === 0) return undefined;
    const v = make(g, g.rng.pick(parts));
    return v ? { resourceType: d.type, params: [[`${d.def.code}${modifier}`, v]], form } : undefined;
  };
}

function dateForm(prefix: (typeof PREFIXES)[number], precision: (typeof PRECISIONS)[number]): FormGen {
  return (g) => {
    const d = g.draw('date');
    if (!d) return undefined;
    const texts = dateTexts(d.hit.values);
    if (texts.length === 0) return undefined;
    const shift = g.rng.chance(0.35) ? (g.rng.chance(0.5) ? 1 : -1) : 0;
    const v = dateAt(g.rng.pick(texts), precision, shift);
    return v ? { resourceType: d.type, params: [[d.def.code, `${prefix === 'eq' && g.rng.chance(0.5) ? '' : prefix}${v}`]], form: `date:${prefix}:${precision}` } : undefined;
  };
}

function numberForm(paramType: 'number' | 'quantity', prefix: (typeof PREFIXES)[number], unit: 'none' | 'system' | 'code' | 'wrong' = 'none'): FormGen {
  return (g) => {
    const d = g.draw(paramType);
    if (!d) return undefined;
    const terms = quantityTerms(d.hit.values).filter((q) => Number.isFinite(q.low) || Number.isFinite(q.high));
    if (terms.length === 0) return undefined;
    const q = g.rng.pick(terms);
    const base = Number.isFinite(q.low) ? q.low : q.high;
    let v = `${prefix === 'eq' && g.rng.chance(0.5) ? '' : prefix}${numberText(g, base, q.text)}`;
    if (unit === 'system') {
      if (!q.system || !q.code || SPECIAL.test(q.system + q.code)) return undefined;
      v += `|${q.system}|${q.code}`;
    } else if (unit === 'code') {
      const c = g.rng.chance(0.5) ? q.code : q.unit;
      if (!c || SPECIAL.test(c)) return undefined;
      v += `||${c}`;
    } else if (unit === 'wrong') v += '|http://unitsofmeasure.org|furlong';
    return { resourceType: d.type, params: [[d.def.code, v]], form: `${paramType}:${prefix}${unit === 'none' ? '' : `:unit-${unit}`}` };
  };
}

function missingForm(paramType: string, missing: boolean): FormGen {
  return (g) => {
    const pairs = g.catalog.candidates(paramType);
    if (pairs.length === 0) return undefined;
    const [type, def] = g.rng.pick(pairs);
    return { resourceType: type, params: [[`${def.code}:missing`, String(missing)]], form: `${paramType}:missing-${missing}` };
  };
}

/** A simple inner criterion on `type` drawn from `resource`, for chains and _has. */
function innerCriterion(g: Generator, type: string, resource: StoredResource): [string, string] | undefined {
  const defs = g.catalog.paramsWithValues(type).filter((d) => d.type === 'token' || d.type === 'string' || d.type === 'date');
  const own = defs.filter((d) => g.catalog.hitsOf(type, d.code).some((h) => h.resource === resource));
  if (own.length === 0) return undefined;
  const def = g.rng.pick(own);
  const values = g.catalog.hitsOf(type, def.code).find((h) => h.resource === resource)!.values;
  if (def.type === 'token') {
    const t = tokenTerms(values).filter((x) => !SPECIAL.test(x.code + (x.system ?? '')));
    if (t.length === 0) return undefined;
    const term = g.rng.pick(t);
    return [def.code, term.system && !term.pipeless ? `${term.system}|${term.code}` : term.code];
  }
  if (def.type === 'string') {
    const p = stringParts(values).filter((s) => !SPECIAL.test(s) && s.length > 0);
    return p.length ? [def.code, g.rng.pick(p).slice(0, 4)] : undefined;
  }
  const d = dateTexts(values).map((x) => dateAt(x, 'day', 0)).filter((x): x is string => !!x);
  return d.length ? [def.code, `ge${g.rng.pick(d)}`] : undefined;
}

const FORMS: Record<string, FormGen> = {
  // token — https://hl7.org/fhir/R4/search.html#token
  'token:code': tokenForm('token:code', (g, t) => (t.length ? g.rng.pick(t).code : undefined)),
  'token:system|code': tokenForm('token:system|code', (g, t) => {
    const c = t.filter((x) => x.system && !x.pipeless);
    if (!c.length) return undefined;
    const x = g.rng.pick(c);
    return `${x.system}|${x.code}`;
  }),
  'token:|code': tokenForm('token:|code', (g, t) => {
    const c = t.filter((x) => !x.pipeless);
    return c.length ? `|${g.rng.pick(c).code}` : undefined;
  }),
  'token:system|': tokenForm('token:system|', (g, t) => {
    const c = t.filter((x) => x.system && !x.pipeless);
    return c.length ? `${g.rng.pick(c).system}|` : undefined;
  }),
  'token:or': (g) => {
    const a = g.draw('token', (_t, d) => d.code !== '_id');
    if (!a) return undefined;
    const other = g.rng.pick(g.catalog.hitsOf(a.type, a.def.code));
    const codes = [...tokenTerms(a.hit.values), ...tokenTerms(other.values)].map((t) => t.code).filter((c) => !SPECIAL.test(c));
    if (codes.length < 2) return undefined;
    return { resourceType: a.type, params: [[a.def.code, `${g.rng.pick(codes)},${g.rng.pick(codes)},no-such-code`]], form: 'token:or' };
  },
  'token:not': tokenForm('token:not', (g, t) => {
    if (!t.length) return undefined;
    const x = g.rng.pick(t);
    return x.system && !x.pipeless && g.rng.chance(0.5) ? `${x.system}|${x.code}` : x.code;
  }, (c) => `${c}:not`),
  'token:text': tokenForm('token:text', (g, _t, values) => {
    const texts = tokenTexts(values).filter((s) => !SPECIAL.test(s));
    if (!texts.length) return undefined;
    const s = g.rng.pick(texts);
    switch (g.rng.int(4)) {
      case 0: return s;
      case 1: return s.slice(0, Math.max(3, Math.ceil(s.length / 2))).trimEnd();
      case 2: return changeCase(g, unaccent(s));
      default: return s.split(/\s+/).at(-1); // a later word: matches only where a text starts with it
    }
  }, (c) => `${c}:text`),
  'token:of-type': (g) => {
    const typed = g.catalog.candidates('token').filter(([, def]) => def.code === 'identifier')
      .flatMap(([type]) => g.catalog.hitsOf(type, 'identifier').map((h) => ({ type, ids: identifierTypes(h.values).filter((x) => !SPECIAL.test(x.system + x.code + x.value)) })))
      .filter((x) => x.ids.length > 0);
    if (!typed.length) return undefined;
    const { type, ids } = g.rng.pick(typed);
    const x = g.rng.pick(ids);
    return { resourceType: type, params: [['identifier:of-type', `${x.system}|${x.code}|${g.rng.chance(0.8) ? x.value : 'no-such-value'}`]], form: 'token:of-type' };
  },
  // A display text used as a code: it is not one, so nothing should match on it.
  'token:display-as-code': tokenForm('token:display-as-code', (g, t, values) => {
    // Not a display that is also a code in another case (that would ask about case sensitivity).
    const texts = tokenTexts(values).filter((s) => !SPECIAL.test(s) && !t.some((x) => x.code.toLowerCase() === s.toLowerCase()));
    if (!texts.length) return undefined;
    const s = g.rng.pick(texts);
    return g.rng.chance(0.5) ? s : `|${s.toLowerCase()}`;
  }),
  'token:in': (g) => {
    if (!g.valueSets.length) return undefined;
    const vs = g.rng.pick(g.valueSets);
    return { resourceType: vs.type, params: [[`${vs.code}:in`, vs.url]], form: 'token:in' };
  },
  'token:not-in': (g) => {
    if (!g.valueSets.length) return undefined;
    const vs = g.rng.pick(g.valueSets);
    return { resourceType: vs.type, params: [[`${vs.code}:not-in`, vs.url]], form: 'token:not-in' };
  },
  'token:unknown-code': tokenForm('token:unknown-code', (g, t) => (t.length && t[0]!.system && !t[0]!.pipeless ? `${t[0]!.system}|no-such-code` : 'no-such-code')),
  'token:missing-true': missingForm('token', true),
  'token:missing-false': missingForm('token', false),

  // string — https://hl7.org/fhir/R4/search.html#string
  'string:prefix': stringForm('string:prefix', (g, p) => p.slice(0, 1 + g.rng.int(Math.min(5, p.length))).toLowerCase()),
  'string:full': stringForm('string:full', (_g, p) => p),
  'string:case-accent': stringForm('string:case-accent', (g, p) => changeCase(g, unaccent(p))),
  'string:contains': stringForm('string:contains', (g, p) => {
    if (p.length < 3) return p;
    const start = 1 + g.rng.int(p.length - 2);
    return p.slice(start, start + 2 + g.rng.int(4));
  }, ':contains'),
  'string:exact': stringForm('string:exact', (_g, p) => p, ':exact'),
  'string:exact-other-case': stringForm('string:exact-other-case', (g, p) => (p.toUpperCase() === p.toLowerCase() ? undefined : changeCase(g, p)), ':exact'),
  'string:or': stringForm('string:or', (g, p) => `zz-none,${p.slice(0, 3)}`),
  'string:missing-true': missingForm('string', true),
  'string:missing-false': missingForm('string', false),

  // date — https://hl7.org/fhir/R4/search.html#date
  ...Object.fromEntries(PREFIXES.flatMap((p) => PRECISIONS.map((pr) => [`date:${p}:${pr}`, dateForm(p, pr)]))),
  'date:range': (g) => {
    const d = g.draw('date');
    const texts = d ? dateTexts(d.hit.values) : [];
    if (!d || !texts.length) return undefined;
    const a = dateAt(g.rng.pick(texts), 'month', -1);
    const b = dateAt(g.rng.pick(texts), 'month', 1);
    return a && b ? { resourceType: d.type, params: [[d.def.code, `ge${a}`], [d.def.code, `lt${b}`]], form: 'date:range' } : undefined;
  },
  'date:missing-true': missingForm('date', true),
  'date:missing-false': missingForm('date', false),

  // number and quantity — https://hl7.org/fhir/R4/search.html#number, #quantity
  ...Object.fromEntries(PREFIXES.map((p) => [`number:${p}`, numberForm('number', p)])),
  ...Object.fromEntries(PREFIXES.map((p) => [`quantity:${p}`, numberForm('quantity', p)])),
  'quantity:unit-system': numberForm('quantity', 'eq', 'system'),
  'quantity:unit-system-ge': numberForm('quantity', 'ge', 'system'),
  'quantity:unit-code': numberForm('quantity', 'eq', 'code'),
  'quantity:unit-wrong': numberForm('quantity', 'eq', 'wrong'),
  'number:missing-true': missingForm('number', true),
  'quantity:missing-false': missingForm('quantity', false),

  // reference — https://hl7.org/fhir/R4/search.html#reference
  ...Object.fromEntries((['Type/id', 'id', ':Type', 'absolute', 'or'] as const).map((how) => [`reference:${how}`, (g: Generator): GenQuery | undefined => {
    const d = g.draw('reference');
    if (!d) return undefined;
    const refs = referenceStrings(d.hit.values).map((r) => /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(r)).filter((m): m is RegExpExecArray => !!m);
    if (!refs.length) return undefined;
    const [, type, id] = g.rng.pick(refs);
    const values: Record<typeof how, [string, string]> = {
      'Type/id': [d.def.code, `${type}/${id}`],
      id: [d.def.code, id!],
      ':Type': [`${d.def.code}:${type}`, id!],
      absolute: [d.def.code, `http://tessera.test/fhir/${type}/${id}`],
      or: [d.def.code, `${type}/${id},${type}/no-such-id`],
    };
    return { resourceType: d.type, params: [values[how]], form: `reference:${how}` };
  }])),
  'reference:canonical': (g) => {
    const d = g.draw('reference');
    const urls = d ? referenceStrings(d.hit.values).filter((r) => /^[a-z]+:/.test(r) && !SPECIAL.test(r)) : [];
    return d && urls.length ? { resourceType: d.type, params: [[d.def.code, g.rng.pick(urls)]], form: 'reference:canonical' } : undefined;
  },
  'reference:identifier': (g) => {
    const d = g.draw('reference', (t, def) => g.catalog.hitsOf(t, def.code).some((h) => referenceIdentifiers(h.values).length > 0));
    if (!d) return undefined;
    const hit = g.catalog.hitsOf(d.type, d.def.code).find((h) => referenceIdentifiers(h.values).length > 0)!;
    const ids = referenceIdentifiers(hit.values).filter((i) => !SPECIAL.test(i.value + (i.system ?? '')));
    if (!ids.length) return undefined;
    const i = g.rng.pick(ids);
    return { resourceType: d.type, params: [[`${d.def.code}:identifier`, i.system ? `${i.system}|${i.value}` : i.value]], form: 'reference:identifier' };
  },
  'reference:missing-true': missingForm('reference', true),
  'reference:missing-false': missingForm('reference', false),
  ...Object.fromEntries(([false, true] as const).map((typed) => [`reference:chain${typed ? '-typed' : ''}`, (g: Generator): GenQuery | undefined => {
    const d = g.draw('reference');
    if (!d) return undefined;
    // Only targets the parameter declares (a chain through another type is rightly refused).
    const targets = referenceStrings(d.hit.values).map((r) => g.catalog.resolve(r)).filter((r): r is StoredResource => !!r && (d.def.target ?? []).includes(r.resourceType));
    if (!targets.length) return undefined;
    const target = g.rng.pick(targets);
    const inner = innerCriterion(g, target.resourceType, target);
    if (!inner) return undefined;
    return { resourceType: d.type, params: [[`${d.def.code}${typed ? `:${target.resourceType}` : ''}.${inner[0]}`, inner[1]]], form: `reference:chain${typed ? '-typed' : ''}` };
  }])),

  // uri — https://hl7.org/fhir/R4/search.html#uri
  ...Object.fromEntries((['exact', 'below', 'above', 'other'] as const).map((how) => [`uri:${how}`, (g: Generator): GenQuery | undefined => {
    const d = g.draw('uri');
    if (!d) return undefined;
    const uris = d.hit.values.map((v) => v.value).filter((v): v is string => typeof v === 'string' && !SPECIAL.test(v));
    if (!uris.length) return undefined;
    const u = g.rng.pick(uris);
    const cut = u.lastIndexOf('/') > 8 ? u.slice(0, u.lastIndexOf('/')) : u.slice(0, Math.max(1, u.length - 3));
    const v = { exact: [d.def.code, u], below: [`${d.def.code}:below`, cut], above: [`${d.def.code}:above`, `${u}/child/_history/1`], other: [d.def.code, cut] }[how] as [string, string];
    return { resourceType: d.type, params: [v], form: `uri:${how}` };
  }])),
  'uri:missing-true': missingForm('uri', true),

  // composite — https://hl7.org/fhir/R4/search.html#composite
  composite: (g) => compositeQuery(g),
  'composite:second': (g) => compositeQuery(g),

  // parameters for all resources — https://hl7.org/fhir/R4/search.html#all
  _id: (g) => {
    // Walk the types in order, so every type (Binary too) gets an _id search.
    const types = g.catalog.types();
    const type = types[g.counter('_id') % types.length]!;
    const r = g.rng.pick(g.catalog.byType.get(type)!);
    const other = g.rng.pick(g.catalog.resources);
    return { resourceType: type, params: [['_id', g.rng.chance(0.5) ? r.id : `${r.id},${other.id}`]], form: '_id' };
  },
  ...Object.fromEntries(PREFIXES.map((p) => [`_lastUpdated:${p}`, (g: Generator): GenQuery | undefined => {
    const r = g.rng.pick(g.catalog.resources);
    const lu = (r.meta as { lastUpdated?: string } | undefined)?.lastUpdated;
    if (!lu) return undefined;
    const v = dateAt(lu, g.rng.pick(['day', 'minute', 'second'] as const), g.rng.chance(0.3) ? -1 : 0) ?? lu;
    return { resourceType: r.resourceType, params: [['_lastUpdated', `${p}${v}`]], form: `_lastUpdated:${p}` };
  }])),
  _tag: (g) => {
    const d = g.draw('token', (_t, def) => def.code === '_tag');
    const t = d ? tokenTerms(d.hit.values) : [];
    if (!d || !t.length) return undefined;
    const x = g.rng.pick(t);
    const v = g.rng.pick([`${x.system}|${x.code}`, x.code, `${x.system}|`]);
    return { resourceType: d.type, params: [[g.rng.chance(0.2) ? '_tag:not' : '_tag', v]], form: '_tag' };
  },
  _profile: (g) => {
    const d = g.draw('uri', (_t, def) => def.code === '_profile');
    const v = d?.hit.values.find((x) => typeof x.value === 'string')?.value as string | undefined;
    if (!d || !v) return undefined;
    return { resourceType: d.type, params: [g.rng.pick<[string, string]>([['_profile', v], ['_profile:below', v.slice(0, v.lastIndexOf('/'))], ['_profile:missing', 'false']])], form: '_profile' };
  },
  _security: (g) => {
    const d = g.draw('token', (_t, def) => def.code === '_security');
    const t = d ? tokenTerms(d.hit.values) : [];
    return d && t.length ? { resourceType: d.type, params: [['_security', t[0]!.system ? `${t[0]!.system}|${t[0]!.code}` : t[0]!.code]], form: '_security' } : undefined;
  },
  _list: (g) => {
    const lists = g.catalog.byType.get('List') ?? [];
    if (!lists.length) return undefined;
    const list = g.rng.pick(lists);
    const items = ((list.entry as { item?: { reference?: string } }[] | undefined) ?? []).map((e) => e.item?.reference).filter((x): x is string => !!x);
    const type = items.length && g.rng.chance(0.8) ? g.rng.pick(items).split('/')[0]! : 'Patient';
    return /^[A-Z]/.test(type) ? { resourceType: type, params: [['_list', list.id]], form: '_list' } : undefined;
  },
  _has: (g) => {
    const d = g.draw('reference');
    if (!d) return undefined;
    const targets = referenceStrings(d.hit.values).map((r) => g.catalog.resolve(r)).filter((r): r is StoredResource => !!r);
    if (!targets.length) return undefined;
    const target = g.rng.pick(targets);
    const inner = innerCriterion(g, d.type, d.hit.resource);
    if (!inner) return undefined;
    return { resourceType: target.resourceType, params: [[`_has:${d.type}:${d.def.code}:${inner[0]}`, inner[1]]], form: '_has' };
  },
  // Two parameters AND-ed: a drawn token plus a drawn date on the same type.
  and: (g) => {
    const a = g.draw('token', (_t, d) => d.code !== '_id');
    if (!a) return undefined;
    const inner = innerCriterion(g, a.type, a.hit.resource);
    const t = tokenTerms(a.hit.values).filter((x) => !SPECIAL.test(x.code));
    if (!inner || !t.length || inner[0] === a.def.code) return undefined;
    return { resourceType: a.type, params: [[a.def.code, g.rng.pick(t).code], inner], form: 'and' };
  },
};

/** A composite value built from one context node: each component's value from the same element. */
function compositeQuery(g: Generator): GenQuery | undefined {
  const d = g.draw('composite');
  if (!d || !d.def.component) return undefined;
  const node = g.rng.pick(d.hit.values);
  const parts: string[] = [];
  for (const c of d.def.component) {
    const type = componentType(c.definition);
    const values = compositeComponentValues(node, c.expression, d.hit.resource);
    let v: string | undefined;
    if (type === 'token') {
      const t = tokenTerms(values).filter((x) => !SPECIAL.test(x.code + (x.system ?? '')));
      if (t.length) {
        const x = g.rng.pick(t);
        v = x.system && !x.pipeless ? `${x.system}|${x.code}` : x.code;
      }
    } else if (type === 'quantity' || type === 'number') {
      const q = quantityTerms(values).filter((x) => Number.isFinite(x.low));
      if (q.length) {
        const x = g.rng.pick(q);
        v = `${g.rng.pick(['', 'gt', 'le', 'ne'])}${numberText(g, x.low, x.text)}`;
      }
    } else if (type === 'date') {
      const t = dateTexts(values);
      if (t.length) v = `${g.rng.pick(['', 'ge', 'lt'])}${dateAt(g.rng.pick(t), 'day', 0) ?? ''}`;
    } else if (type === 'string') {
      const s = stringParts(values).filter((x) => !SPECIAL.test(x));
      if (s.length) v = g.rng.pick(s).slice(0, 3);
    } else if (type === 'reference') {
      const r = referenceStrings(values).filter((x) => !SPECIAL.test(x));
      if (r.length) v = g.rng.pick(r);
    }
    if (!v) return undefined;
    parts.push(v);
  }
  return { resourceType: d.type, params: [[d.def.code, parts.join('$')]], form: `composite:${d.def.code}` };
}

/** A component's values relative to its context node (`%resource` is the whole resource). */
function compositeComponentValues(node: Typed, expression: string, resource: object): Typed[] {
  return evaluate(correctExpression(expression), node, resource);
}
