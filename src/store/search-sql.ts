/**
 * Translates the search IR into one parameterised SQL query over the resources table and the
 * search index tables. Every value is bound (`$n`); only identifiers chosen by this module
 * (table and alias names) appear in the SQL text.
 *
 * @see https://hl7.org/fhir/R4/search.html
 */
import { badRequest } from '../fhir/outcome.js';
import { normalizeString } from '../search/normalize.js';
import { presenceParam, type SearchRegistry } from '../search/registry.js';
import { UNRESTRICTED, type Visibility } from './access-sql.js';
import type { Filter, ParamFilter, Prefix, SearchRequest, SearchValue, SortKey } from '../search/search-request.js';

/** Collects bound parameters and hands out `$n` placeholders. */
export class Binder {
  readonly values: unknown[] = [];
  private aliasCount = 0;
  /**
   * @param visible what the caller may see; applied to every resource row a query reaches.
   * @param scoped for a query confined to one person: the condition on its own rows, decided up
   * front (`Visibility.forPerson`).
   */
  constructor(private readonly visible: Visibility = UNRESTRICTED, private readonly scoped?: Visibility) {}
  /**
   * ` AND <visibility of alias r>`, or nothing when unrestricted. `person`: the bound ids of the
   * one person a patient-scoped query is confined to.
   */
  visibleAnd(r: string, person?: string): string {
    if (this.visible === UNRESTRICTED) return '';
    if (person !== undefined && this.scoped) return ` AND ${this.scoped(this, r)}`;
    return ` AND ${this.visible(this, r, person)}`;
  }
  bind(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
  alias(prefix: string): string {
    return `${prefix}${++this.aliasCount}`;
  }
}

/** Escapes LIKE wildcards so a user's `%` or `_` matches literally. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * The least string greater than every string that starts with `prefix`, comparing byte-wise as
 * `text_pattern_ops` does (UTF-8 byte order is code point order): the prefix with its last code
 * point increased (past the surrogates, which are not characters), or — when that is already the
 * highest — the same for the prefix without it. `undefined` when there is none (empty prefix).
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = [...prefix];
  while (points.length > 0) {
    let next = points.pop()!.codePointAt(0)! + 1;
    if (next >= 0xd800 && next <= 0xdfff) next = 0xe000;
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next);
  }
  return undefined;
}

/**
 * `col` starts with `prefix`, in a form a prepared statement's generic plan can run through the
 * column's `text_pattern_ops` index. `LIKE` with a bound pattern is an index condition only in a
 * plan made for that one value, so PostgreSQL planned such a statement again on every call — for
 * a member of staff's `Patient?name=` search, planning took five times as long as running it. The
 * byte-wise range `[prefix, upper bound)` is usable with any value; the `LIKE` keeps it exact.
 */
function startsWith(b: Binder, col: string, prefix: string): string {
  const like = `${col} LIKE ${b.bind(`${likeEscape(prefix)}%`)}`;
  if (prefix === '') return like;
  const upper = prefixUpperBound(prefix);
  return `${col} ~>=~ ${b.bind(prefix)}${upper !== undefined ? ` AND ${col} ~<~ ${b.bind(upper)}` : ''} AND ${like}`;
}

const TABLE: Record<string, string> = {
  token: 'search_token', string: 'search_string', date: 'search_date', number: 'search_quantity',
  quantity: 'search_quantity', reference: 'search_reference', uri: 'search_uri',
};

/**
 * The patient whose record a search is confined to, when the request says so: a compartment
 * search (`Patient/X/Observation`), or a filter such as `patient=X` / `subject=Patient/X` on a
 * parameter that puts resources in the Patient compartment. Index rows carry the patient key
 * (once per patient), so every index condition can then add `patient_id = X` and start from
 * that patient's rows.
 */
export function patientScope(registry: SearchRegistry, req: SearchRequest): string[] | undefined {
  // A compartment search covers every record linked to the patient (one person, many systems).
  if (req.compartment) return req.compartment.ids ?? [req.compartment.id];
  for (const f of req.filters) {
    if (f.kind !== 'param' || f.def.type !== 'reference' || f.values.length !== 1) continue;
    if (f.modifier !== undefined && f.modifier !== 'Patient') continue;
    const v = f.values[0]!;
    if (v.type !== 'reference' || !v.id) continue;
    const isPatient = v.resourceType === 'Patient' || f.modifier === 'Patient' || (!v.resourceType && registry.refersOnlyToPatient(req.resourceType, f.def.code));
    if (isPatient && registry.isCompartmentReference(req.resourceType, f.def.code)) return [v.id];
  }
  return undefined;
}

/** Builds the WHERE conditions for all filters against alias `r` of `resources`. */
export function whereClause(b: Binder, registry: SearchRegistry, req: SearchRequest, r = 'r'): string {
  const typeParam = b.bind(req.resourceType);
  const conds = [`${r}.resource_type = ${typeParam}`, `NOT ${r}.is_deleted`];
  const scope = patientScope(registry, req);
  const scopeParam = scope !== undefined ? b.bind(scope) : undefined;
  // Positive filters become sets of ids from one index table each, intersected: PostgreSQL
  // plans `id IN (A INTERSECT B …)` several times faster than the equivalent semi-joins, and
  // planning is most of the cost of a selective search.
  const sets: string[] = [];
  if (req.compartment) {
    if (req.resourceType === 'Patient') conds.push(`${r}.id = ANY(${scopeParam}::text[])`);
    else sets.push(compartmentSet(b, registry, req.resourceType, typeParam, scopeParam!));
  }
  for (const f of req.filters) {
    const set = idSet(b, registry, f, typeParam, scopeParam);
    if (set) sets.push(set);
    else conds.push(filterCondition(b, registry, f, r, scopeParam));
  }
  if (sets.length > 0) conds.push(`${r}.id IN (${sets.map((s) => `(${s})`).join(' INTERSECT ')})`);
  return conds.join(' AND ') + b.visibleAnd(r, scopeParam);
}

/** Ids of `type` in the patient's compartment. */
function compartmentSet(b: Binder, registry: SearchRegistry, type: string, typeParam: string, pid: string): string {
  const params = registry.compartmentParams(type).map((d) => d.code);
  if (params.length === 0) return 'SELECT NULL::text WHERE false';
  const x = b.alias('c');
  return `SELECT ${x}.id FROM search_reference ${x} WHERE ${x}.patient_id = ANY(${pid}::text[]) AND ${x}.resource_type = ${typeParam}
    AND ${x}.param = ANY(${b.bind(params)}::text[]) AND ${x}.target_type = 'Patient' AND ${x}.target_id = ANY(${pid}::text[])`;
}

/** The ids matching a positive filter, as a SELECT; undefined for negative filters. */
function idSet(b: Binder, registry: SearchRegistry, f: Filter, typeParam: string, scope?: string): string | undefined {
  const scoped = (x: string) => (scope !== undefined ? ` AND ${x}.patient_id = ANY(${scope}::text[])` : '');
  switch (f.kind) {
    case 'param': {
      const { def, modifier } = f;
      if (modifier === 'not' || modifier === 'not-in') return undefined;
      if (modifier === 'missing' && f.values[0]?.type === 'missing' && f.values[0].missing) return undefined;
      const table = def.type === 'composite' ? 'search_composite' : TABLE[def.type];
      if (!table) throw badRequest(`Search parameter '${def.code}' is not supported`, def.code);
      const x = b.alias('i');
      const paramName = modifier === 'of-type' ? `${def.code}:of-type` : modifier === 'identifier' ? `${def.code}:identifier` : def.code;
      const base = `SELECT ${x}.id FROM ${table} ${x} WHERE ${x}.resource_type = ${typeParam} AND ${x}.param = ${b.bind(paramName)}${scoped(x)}`;
      if (modifier === 'missing') {
        const p = b.alias('p');
        return `${base} UNION SELECT ${p}.id FROM search_token ${p} WHERE ${p}.resource_type = ${typeParam} AND ${p}.param = ${b.bind(presenceParam(def.code))}${scoped(p)}`;
      }
      return `${base} AND (${f.values.map((v) => `(${valueCondition(b, def.type, modifier, v, x)})`).join(' OR ')})`;
    }
    case 'list': {
      const x = b.alias('l');
      return `SELECT ${x}.target_id FROM search_reference ${x} WHERE ${x}.resource_type = 'List'
        AND ${x}.id = ANY(${b.bind(f.listIds)}::text[]) AND ${x}.param = 'item' AND ${x}.target_type = ${typeParam}`;
    }
    case 'chain':
      return f.targets
        .map(({ type, inner }) => {
          const r2 = b.alias('r');
          const x = b.alias('x');
          return `SELECT ${x}.id FROM search_reference ${x} JOIN resources ${r2} ON ${r2}.resource_type = ${x}.target_type AND ${r2}.id = ${x}.target_id
            WHERE ${x}.resource_type = ${typeParam} AND ${x}.param = ${b.bind(f.def.code)}${scoped(x)} AND ${x}.target_type = ${b.bind(type)}
            AND NOT ${r2}.is_deleted${b.visibleAnd(r2)} AND ${filterCondition(b, registry, inner, r2)}`;
        })
        .join(' UNION ');
    case 'has': {
      const r2 = b.alias('r');
      const x = b.alias('x');
      return `SELECT ${x}.target_id FROM search_reference ${x} JOIN resources ${r2} ON ${r2}.resource_type = ${x}.resource_type AND ${r2}.id = ${x}.id
        WHERE ${x}.target_type = ${typeParam} AND ${x}.resource_type = ${b.bind(f.sourceType)} AND ${x}.param = ${b.bind(f.referenceParam.code)}
        AND NOT ${r2}.is_deleted${b.visibleAnd(r2)} AND ${filterCondition(b, registry, f.inner, r2)}`;
    }
    default:
      return undefined;
  }
}

function filterCondition(b: Binder, registry: SearchRegistry, f: Filter, r: string, scope?: string): string {
  switch (f.kind) {
    case 'id':
      return `${r}.id = ANY(${b.bind(f.values.map((v) => (v.type === 'token' ? v.code : '')))}::text[])`;
    case 'lastUpdated':
      return f.values
        .map((v) => (v.type === 'date' ? dateCondition(b, v.prefix, v.start, v.end, `${r}.last_updated`, `${r}.last_updated + interval '1 millisecond'`) : 'false'))
        .map((c) => `(${c})`)
        .join(' OR ');
    case 'chain':
      return f.targets
        .map(({ type, inner }) => {
          const r2 = b.alias('r');
          const x = b.alias('x');
          const cond = filterCondition(b, registry, inner, r2);
          return `EXISTS (SELECT 1 FROM search_reference ${x} JOIN resources ${r2} ON ${r2}.resource_type = ${x}.target_type AND ${r2}.id = ${x}.target_id
        WHERE ${x}.resource_type = ${r}.resource_type AND ${x}.id = ${r}.id AND ${x}.param = ${b.bind(f.def.code)}
        AND ${x}.target_type = ${b.bind(type)} AND NOT ${r2}.is_deleted${b.visibleAnd(r2)} AND ${cond})`;
        })
        .join(' OR ');
    case 'has': {
      const r2 = b.alias('r');
      const x = b.alias('x');
      const inner = filterCondition(b, registry, f.inner, r2);
      return `EXISTS (SELECT 1 FROM search_reference ${x} JOIN resources ${r2} ON ${r2}.resource_type = ${x}.resource_type AND ${r2}.id = ${x}.id
        WHERE ${x}.target_id = ${r}.id AND ${x}.target_type = ${r}.resource_type AND ${x}.resource_type = ${b.bind(f.sourceType)}
        AND ${x}.param = ${b.bind(f.referenceParam.code)} AND NOT ${r2}.is_deleted${b.visibleAnd(r2)} AND ${inner})`;
    }
    case 'list': {
      const x = b.alias('l');
      return `${r}.id IN (SELECT ${x}.target_id FROM search_reference ${x} WHERE ${x}.resource_type = 'List'
        AND ${x}.id = ANY(${b.bind(f.listIds)}::text[]) AND ${x}.param = 'item' AND ${x}.target_type = ${r}.resource_type)`;
    }
    case 'param':
      return paramCondition(b, f, r, scope);
  }
}

function paramCondition(b: Binder, f: ParamFilter, r: string, scope?: string): string {
  const { def, modifier } = f;
  const table = def.type === 'composite' ? 'search_composite' : TABLE[def.type];
  if (!table) throw badRequest(`Search parameter '${def.code}' is not supported`, def.code);
  const x = b.alias('i');
  const paramName = modifier === 'of-type' ? `${def.code}:of-type` : modifier === 'identifier' ? `${def.code}:identifier` : def.code;
  const scoped = scope !== undefined ? ` AND ${x}.patient_id = ANY(${scope}::text[])` : '';
  const rowOf = `FROM ${table} ${x} WHERE ${x}.resource_type = ${r}.resource_type AND ${x}.id = ${r}.id AND ${x}.param = ${b.bind(paramName)}${scoped}`;
  if (modifier === 'missing') {
    // A value without searchable rows (e.g. a contained reference) is recorded as a presence row.
    const missing = f.values[0]?.type === 'missing' && f.values[0].missing;
    const p = b.alias('p');
    const present = `SELECT 1 FROM search_token ${p} WHERE ${p}.resource_type = ${r}.resource_type AND ${p}.id = ${r}.id AND ${p}.param = ${b.bind(presenceParam(def.code))}${scope !== undefined ? ` AND ${p}.patient_id = ANY(${scope}::text[])` : ''}`;
    return `${missing ? 'NOT ' : ''}(EXISTS (SELECT 1 ${rowOf}) OR EXISTS (${present}))`;
  }
  const ors = f.values.map((v) => `(${valueCondition(b, def.type, modifier, v, x)})`).join(' OR ');
  if (modifier === 'not' || modifier === 'not-in') return `NOT EXISTS (SELECT 1 ${rowOf} AND (${ors}))`;
  if (def.type === 'number' || def.type === 'quantity' || def.type === 'date') {
    // `ne` means no value equals: handled per value inside the EXISTS like the spec's examples.
  }
  return `EXISTS (SELECT 1 ${rowOf} AND (${ors}))`;
}

/** Columns of one composite slot, named so the single-parameter conditions can address them. */
function compositeSlot(x: string, slot: number): string {
  return `${x}.c${slot}_`;
}

function compositeCondition(b: Binder, v: Extract<SearchValue, { type: 'composite' }>, x: string): string {
  return v.parts
    .map((part, i) => {
      const col = compositeSlot(x, i + 1);
      switch (part.type) {
        case 'token': {
          const c: string[] = [];
          if (part.system !== undefined) c.push(`${col}system = ${b.bind(part.system)}`);
          if (part.noSystem) c.push(`${col}system IS NULL`);
          if (part.code !== undefined) c.push(`${col}code = ${b.bind(part.code)}`);
          return c.join(' AND ') || 'true';
        }
        case 'reference':
          return part.id ? `${col}code = ${b.bind(part.id)}${part.resourceType ? ` AND ${col}system = ${b.bind(part.resourceType)}` : ''}` : 'false';
        case 'number': {
          const c = [numberCondition(b, part.prefix, part.value, part.low, part.high, `${col}num`)];
          if (part.system) c.push(`${col}system = ${b.bind(part.system)}`);
          if (part.code) c.push(`${col}code = ${b.bind(part.code)}`);
          return c.join(' AND ');
        }
        case 'date':
          return dateCondition(b, part.prefix, part.start, part.end, `${col}lo`, `${col}hi`);
        case 'string': {
          const norm = part.value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
          return `${col}text LIKE ${b.bind(`${likeEscape(norm)}%`)}`;
        }
        default:
          return 'false';
      }
    })
    .join(' AND ');
}

function valueCondition(b: Binder, type: string, modifier: string | undefined, v: SearchValue, x: string): string {
  switch (v.type) {
    case 'composite':
      return compositeCondition(b, v, x);
    case 'valueset': {
      const codes = v.codes ?? [];
      const withSystem = codes.filter((c) => c.system && c.code);
      const systemOnly = codes.filter((c) => c.system && !c.code).map((c) => c.system!);
      const parts: string[] = [];
      if (withSystem.length > 0) {
        parts.push(`(${x}.system, ${x}.code) IN (SELECT * FROM unnest(${b.bind(withSystem.map((c) => c.system))}::text[], ${b.bind(withSystem.map((c) => c.code))}::text[]))`);
      }
      if (systemOnly.length > 0) parts.push(`${x}.system = ANY(${b.bind(systemOnly)}::text[])`);
      return parts.length > 0 ? parts.join(' OR ') : 'false';
    }
    case 'token': {
      const parts: string[] = [];
      if (v.system !== undefined) parts.push(`${x}.system = ${b.bind(v.system)}`);
      if (v.noSystem) parts.push(`${x}.system IS NULL`);
      if (v.code !== undefined) parts.push(`${x}.code = ${b.bind(v.code)}`);
      return parts.join(' AND ') || 'true';
    }
    case 'string': {
      if (type === 'token') {
        // :text is "a normal string search" on the text (R4 search#token): starts-with, ignoring
        // case and accents. Rows hold the text normalised; lower() covers rows written before that.
        return `lower(${x}.text_value) LIKE ${b.bind(`${likeEscape(normalizeString(v.value))}%`)}`;
      }
      if (modifier === 'exact') return `${x}.exact = ${b.bind(v.value)}`;
      const norm = v.value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
      if (modifier === 'contains') return `${x}.value LIKE ${b.bind(`%${likeEscape(norm)}%`)}`;
      return startsWith(b, `${x}.value`, norm);
    }
    case 'date':
      return dateCondition(b, v.prefix, v.start, v.end, `${x}.lo`, `${x}.hi`);
    case 'number': {
      const cond = numberCondition(b, v.prefix, v.value, v.low, v.high, `${x}.value`);
      const unit: string[] = [];
      if (v.system) unit.push(`${x}.system = ${b.bind(v.system)}`);
      if (v.code) unit.push(v.system ? `${x}.code = ${b.bind(v.code)}` : `(${x}.code = ${b.bind(v.code)} OR ${x}.unit = ${b.bind(v.code)})`);
      return [cond, ...unit].join(' AND ');
    }
    case 'reference': {
      if (v.identifier) return `${x}.url = ${b.bind(`${v.identifier.system ?? ''}|${v.identifier.value ?? ''}`)}`;
      if (v.url) return `${x}.url = ${b.bind(v.url)}`;
      const parts = [`${x}.target_id = ${b.bind(v.id)}`];
      if (v.resourceType) parts.push(`${x}.target_type = ${b.bind(v.resourceType)}`);
      return parts.join(' AND ');
    }
    case 'uri':
      if (modifier === 'below') return `${x}.value LIKE ${b.bind(`${likeEscape(v.value)}%`)}`;
      if (modifier === 'above') return `${b.bind(v.value)} LIKE replace(replace(replace(${x}.value, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%'`;
      return `${x}.value = ${b.bind(v.value)}`;
    default:
      return 'false';
  }
}

/**
 * Date comparison of a stored range [lo, hi) against a search range [start, end).
 * https://hl7.org/fhir/R4/search.html#prefix
 */
export function dateCondition(b: Binder, prefix: Prefix, start: number, end: number, lo: string, hi: string): string {
  const s = () => b.bind(new Date(start));
  const e = () => b.bind(new Date(end));
  switch (prefix) {
    // `lo < e` is implied by the other two, but lets the planner use the (…, lo, hi) index
    // ranges instead of guessing at a two-sided condition on two columns.
    case 'eq': { const end = e(); return `${lo} >= ${s()} AND ${lo} < ${end} AND ${hi} <= ${end}`; }
    case 'ne': return `NOT (${lo} >= ${s()} AND ${hi} <= ${e()})`;
    case 'gt': return `${hi} > ${e()}`;
    case 'lt': return `${lo} < ${s()}`;
    case 'ge': return `${hi} > ${s()}`;
    case 'le': return `${lo} < ${e()}`;
    case 'sa': return `${lo} >= ${e()}`;
    case 'eb': return `${hi} <= ${s()}`;
    case 'ap': {
      // Approximately: within 10% of the distance from now, on each side (at least a day).
      const now = Date.now();
      const slack = Math.max(86_400_000, Math.abs(now - start) * 0.1);
      return `${lo} < ${b.bind(new Date(end + slack))} AND ${hi} > ${b.bind(new Date(start - slack))}`;
    }
  }
}

/** Number/quantity comparison: eq uses the search value's precision range. */
export function numberCondition(b: Binder, prefix: Prefix, value: number, low: number, high: number, col: string): string {
  switch (prefix) {
    case 'eq': return `${col} >= ${b.bind(low)} AND ${col} < ${b.bind(high)}`;
    case 'ne': return `NOT (${col} >= ${b.bind(low)} AND ${col} < ${b.bind(high)})`;
    case 'gt': case 'sa': return `${col} > ${b.bind(value)}`;
    case 'lt': case 'eb': return `${col} < ${b.bind(value)}`;
    case 'ge': return `${col} >= ${b.bind(value)}`;
    case 'le': return `${col} <= ${b.bind(value)}`;
    case 'ap': {
      const slack = Math.abs(value) * 0.1;
      return `${col} >= ${b.bind(value - slack)} AND ${col} <= ${b.bind(value + slack)}`;
    }
  }
}

/** SQL expression for a sort key of alias `r`, never NULL (missing values sort last). */
export function sortExpression(b: Binder, key: SortKey, r: string, scope?: { type: string; ids: string; alias: string }): SortExpression {
  if (key.code === '_lastUpdated') return { sql: `${r}.last_updated`, kind: 'timestamptz' };
  if (key.code === '_id') return { sql: `${r}.id`, kind: 'text' };
  const def = key.def!;
  const p = b.bind(def.code);
  const agg = key.descending ? 'max' : 'min';
  const { table, col, kind, last } = sortColumns(def.type, key.descending);
  if (scope) {
    // A search confined to one person: one pass over that person's index rows for the key,
    // joined, instead of one probe per matching row (a record's 500 observations, newest first).
    // Every index row carries its resource's patient key, so the person's rows hold every key.
    const k = scope.alias;
    return {
      sql: `COALESCE(${k}.k, ${last})`, kind,
      join: `LEFT JOIN (SELECT s.id, ${agg}(s.${col}) AS k FROM ${table} s WHERE s.resource_type = ${b.bind(scope.type)} AND s.param = ${p} AND s.patient_id = ANY(${scope.ids}::text[]) GROUP BY s.id) ${k} ON ${k}.id = ${r}.id`,
    };
  }
  return { sql: `COALESCE((SELECT ${agg}(s.${col}) FROM ${table} s WHERE s.resource_type = ${r}.resource_type AND s.id = ${r}.id AND s.param = ${p}), ${last})`, kind };
}

/** A sort key as SQL: the expression, its type, and the join it needs (if any). */
export interface SortExpression {
  sql: string;
  kind: 'text' | 'timestamptz' | 'float8';
  join?: string;
}

/** Where a parameter type's sort values live, and the value that sorts last when a resource has none. */
function sortColumns(type: string, descending: boolean): { table: string; col: string; kind: SortExpression['kind']; last: string } {
  const lastText = descending ? "''" : 'chr(1114111)';
  switch (type) {
    case 'date': return { table: 'search_date', col: descending ? 'hi' : 'lo', kind: 'timestamptz', last: `'${descending ? '-infinity' : 'infinity'}'::timestamptz` };
    case 'number': case 'quantity': return { table: 'search_quantity', col: 'value', kind: 'float8', last: `'${descending ? '-Infinity' : 'Infinity'}'::float8` };
    case 'string': return { table: 'search_string', col: 'value', kind: 'text', last: lastText };
    case 'token': return { table: 'search_token', col: 'code', kind: 'text', last: lastText };
    case 'reference': return { table: 'search_reference', col: 'url', kind: 'text', last: lastText };
    default: return { table: 'search_uri', col: 'value', kind: 'text', last: lastText };
  }
}
