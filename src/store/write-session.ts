/**
 * The write side of the store within one database transaction: plans creates, updates and
 * deletes (reading and locking current versions as needed), then writes all of them in a few
 * multi-row statements. A single REST interaction and a whole transaction bundle go through the
 * same code, so they behave the same.
 *
 * @see https://hl7.org/fhir/R4/http.html
 */
import { randomUUID } from 'node:crypto';
import type { Resource } from '../fhir/types.js';
import { conflict, invalid, preconditionFailed } from '../fhir/outcome.js';
import type { OperationOutcomeIssue } from '../fhir/types.js';
import type { SearchRegistry } from '../search/registry.js';
import type { CompositePart, IndexEntries } from '../search/index-entries.js';
import { accessEntries } from '../access/access-entries.js';
import { isActiveSearchParameter, searchParameterIssues, searchParameterIssueStatus } from '../search/custom-search-parameters.js';
import { addReindexWork } from './reindex-plan.js';
import type { SqlClient } from './database.js';
import type { ResourceVersion } from './resource-version.js';

/** Validates a resource; returns issues (empty when valid). */
export type Validator = (resource: unknown) => OperationOutcomeIssue[];

/** A version to be written when the session flushes. */
export interface PendingWrite extends ResourceVersion {
  method: 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  patientId: string | null;
  /** Every patient whose compartment holds it; index rows are written once per patient. */
  patientIds: string[];
  source: string | null;
  isNew: boolean;
  index: IndexEntries | null;
  /** An update identical to the current version: nothing is written. */
  unchanged?: boolean;
  /** Index tables whose rows this update leaves exactly as they were (skipped on flush). */
  sameIndexTables?: Set<string>;
  /** The replaced version's JSON, kept for SearchParameters only (their reindex jobs need it). */
  previousJson?: string;
}

/** Row of the `resources` table as read for a write. */
interface CurrentRow {
  version_id: number;
  is_deleted: boolean;
  last_updated: Date;
  content: string;
}

/** Dependencies of a write session. */
export interface WriteDeps {
  registry: SearchRegistry;
  validate: Validator;
  now: () => Date;
  /** Profile and business-rule checks; their errors answer 422 (structural ones 400). */
  rules?: Validator;
  /** Told how many versions each flush wrote (keeps planner statistics fresh). */
  onFlush?: (versions: number) => void;
  /** How long a reindex job for a changed SearchParameter waits before starting (see `reindex.ts`). */
  reindexDelayMs?: number;
}

const RESOURCE_COLUMNS: Column[] = [
  { name: 'resource_type', type: 'text' }, { name: 'id', type: 'text' }, { name: 'version_id', type: 'int' },
  { name: 'last_updated', type: 'timestamptz' }, { name: 'is_deleted', type: 'bool' }, { name: 'patient_id', type: 'text' },
  { name: 'source', type: 'text' }, { name: 'content', type: 'text' },
];
const VERSION_COLUMNS: Column[] = [
  { name: 'resource_type', type: 'text' }, { name: 'id', type: 'text' }, { name: 'version_id', type: 'int' },
  { name: 'last_updated', type: 'timestamptz' }, { name: 'is_deleted', type: 'bool' }, { name: 'patient_id', type: 'text' },
  { name: 'method', type: 'text' }, { name: 'content', type: 'text' },
];
const KEY: Column[] = [{ name: 'resource_type', type: 'text' }, { name: 'id', type: 'text' }, { name: 'patient_id', type: 'text' }];
const t = (name: string): Column => ({ name, type: 'text' });
const INDEX_TABLES = ['search_token', 'search_string', 'search_date', 'search_quantity', 'search_reference', 'search_uri', 'search_composite'] as const;

/**
 * A column of a multi-row write: rows go to PostgreSQL as one array parameter per column
 * (`INSERT … SELECT * FROM unnest($1::text[], …)`), so a bundle of hundreds of resources is one
 * statement with bound parameters.
 */
interface Column {
  name: string;
  type: SqlType;
}

/** The types a {@link StatementBuilder} binds values as. */
export type SqlType = 'text' | 'int' | 'bigint' | 'bool' | 'timestamptz' | 'float8' | 'uuid';

/** A FHIR id: https://hl7.org/fhir/R4/datatypes.html#id */
export const ID_RE = /^[A-Za-z0-9\-.]{1,64}$/;

/** Options for an update. */
export interface UpdateOptions {
  /** Expected current version (If-Match); 412 when it differs. */
  ifMatch?: number;
  /** The interaction recorded in history. */
  method?: 'PUT' | 'PATCH';
}

/** Plans and flushes writes inside one transaction. */
export class WriteSession {
  private readonly writes = new Map<string, PendingWrite>();
  readonly timestamp: Date;

  /**
   * @param tx where statements run: an open transaction, or the database itself for a single
   *   write, which `flush()` makes in one atomic statement.
   * @param lock lock rows read for update (`FOR UPDATE`), so concurrent writers queue. Without
   *   it writes are optimistic: two writers of the same version collide on the history table's
   *   primary key, and the loser's statement fails whole (SQLSTATE 23505) and can be retried.
   */
  constructor(readonly tx: SqlClient, private readonly deps: WriteDeps, private readonly lock = true) {
    this.timestamp = deps.now();
  }

  /** Current row of a resource (locked for update when the session locks). */
  async current(type: string, id: string): Promise<CurrentRow | undefined> {
    const key = `${type}/${id}`;
    if (this.prefetched.has(key)) return this.prefetched.get(key) ?? undefined;
    const res = await this.tx.query<CurrentRow>(
      `SELECT version_id, is_deleted, last_updated, content FROM resources WHERE resource_type = $1 AND id = $2${this.lock ? ' FOR UPDATE' : ''}`,
      [type, id],
      { prepare: true },
    );
    return res.rows[0];
  }

  private readonly prefetched = new Map<string, CurrentRow | null>();

  /**
   * Reads (and, when locking, locks) the current rows of many resources in one query, so a
   * bundle of updates does not cost a query per entry. Later `current()` calls use them.
   */
  async prefetch(keys: { type: string; id: string }[]): Promise<void> {
    const todo = keys.filter((k) => !this.prefetched.has(`${k.type}/${k.id}`));
    if (todo.length === 0) return;
    const res = await this.tx.query<CurrentRow & { resource_type: string; id: string }>(
      `SELECT resource_type, id, version_id, is_deleted, last_updated, content FROM resources
        WHERE (resource_type, id) IN (SELECT * FROM unnest($1::text[], $2::text[]))${this.lock ? ' FOR UPDATE' : ''}`,
      [todo.map((k) => k.type), todo.map((k) => k.id)],
    );
    for (const k of todo) this.prefetched.set(`${k.type}/${k.id}`, null);
    for (const row of res.rows) {
      const { resource_type, id, ...rest } = row;
      this.prefetched.set(`${resource_type}/${id}`, rest);
    }
  }

  /** The writes planned so far, in order. */
  pending(): PendingWrite[] {
    return [...this.writes.values()];
  }

  /** Plans a create with a new server-assigned id (or `id` when the bundle pre-assigned one). */
  async create(resource: Resource, id: string = randomUUID()): Promise<PendingWrite> {
    return this.plan({ ...resource, id }, 1, 'POST', true);
  }

  /**
   * Plans an update (or create-on-update when the resource does not exist).
   * @see https://hl7.org/fhir/R4/http.html#update
   */
  async update(resource: Resource, opts: UpdateOptions = {}): Promise<{ write: PendingWrite; created: boolean; unchanged: boolean }> {
    const id = resource.id!;
    const cur = await this.current(resource.resourceType, id);
    if (opts.ifMatch !== undefined) {
      if (!cur || cur.is_deleted) throw preconditionFailed(`${resource.resourceType}/${id} does not exist; If-Match cannot match`, 'If-Match');
      if (cur.version_id !== opts.ifMatch) {
        throw preconditionFailed(`Version conflict: ${resource.resourceType}/${id} is at version ${cur.version_id}, not ${opts.ifMatch}`, 'If-Match');
      }
    }
    if (cur && !cur.is_deleted && JSON.stringify(stamp(resource, cur.version_id, cur.last_updated)) === cur.content) {
      // No change: keep the current version, so re-importing the same data creates no versions.
      const write: PendingWrite = {
        resourceType: resource.resourceType, id, versionId: cur.version_id, lastUpdated: cur.last_updated, deleted: false,
        json: cur.content, method: opts.method ?? 'PUT', patientId: null, patientIds: [], source: null, isNew: false, index: null, unchanged: true,
      };
      return { write, created: false, unchanged: true };
    }
    const version = cur ? cur.version_id + 1 : 1;
    const write = await this.plan(resource, version, opts.method ?? 'PUT', !cur);
    if (cur && !cur.is_deleted && resource.resourceType === 'SearchParameter') write.previousJson = cur.content;
    if (cur && !cur.is_deleted) write.sameIndexTables = this.unchangedIndexTables(cur.content, write);
    return { write, created: !cur || cur.is_deleted, unchanged: false };
  }

  /**
   * Plans a delete. Deleting what does not exist (or is already deleted) is not an error.
   * @see https://hl7.org/fhir/R4/http.html#delete
   */
  async delete(type: string, id: string, ifMatch?: number): Promise<PendingWrite | undefined> {
    const cur = await this.current(type, id);
    if (ifMatch !== undefined && (!cur || cur.version_id !== ifMatch)) {
      throw preconditionFailed(`Version conflict: ${type}/${id} is not at version ${ifMatch}`, 'If-Match');
    }
    if (!cur || cur.is_deleted) return undefined;
    const key = `${type}/${id}`;
    if (this.writes.has(key)) throw conflict(`${key} is changed twice in one transaction`);
    const write: PendingWrite = {
      resourceType: type, id, versionId: cur.version_id + 1, lastUpdated: this.timestamp, deleted: true, json: '',
      method: 'DELETE', patientId: null, patientIds: [], source: null, isNew: false, index: null,
    };
    if (type === 'SearchParameter') write.previousJson = cur.content;
    this.writes.set(key, write);
    return write;
  }

  private async plan(resource: Resource, versionId: number, method: PendingWrite['method'], isNew: boolean): Promise<PendingWrite> {
    const key = `${resource.resourceType}/${resource.id}`;
    if (this.writes.has(key)) throw conflict(`${key} is changed twice in one transaction`);
    const stamped = stamp(resource, versionId, this.timestamp);
    const issues = this.deps.validate(stamped);
    if (issues.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw invalid(issues);
    // Profiles the resource claims and business rules (e.g. NHS number check digits): 422.
    // https://hl7.org/fhir/R4/http.html#update — "422 Unprocessable Entity … violated applicable FHIR profiles or server business rules"
    const rules = this.deps.rules?.(stamped) ?? [];
    if (rules.some((i) => i.severity === 'error' || i.severity === 'fatal')) throw invalid(rules, 422);
    // An active SearchParameter becomes a search parameter: it must be one Tessera can index.
    if (stamped.resourceType === 'SearchParameter' && isActiveSearchParameter(stamped as { status?: unknown })) {
      const spIssues = searchParameterIssues(stamped as never, this.deps.registry);
      if (spIssues.length > 0) throw invalid(spIssues, searchParameterIssueStatus(spIssues));
    }
    const patientIds = this.deps.registry.patientKeys(stamped);
    const write: PendingWrite = {
      resourceType: resource.resourceType, id: resource.id!, versionId, lastUpdated: this.timestamp, deleted: false,
      json: JSON.stringify(stamped), method, patientId: patientIds[0] ?? null, patientIds,
      source: typeof stamped.meta?.source === 'string' ? stamped.meta.source : null, isNew, index: indexEntries(this.deps.registry, stamped),
    };
    this.writes.set(key, write);
    return write;
  }

  /**
   * Which index tables an update leaves untouched: most updates change a status or a note, not
   * what is indexed, and rewriting identical rows (and their index entries) is most of the cost
   * of an update.
   */
  private unchangedIndexTables(previousJson: string, write: PendingWrite): Set<string> {
    const same = new Set<string>();
    let previous: Resource;
    try {
      previous = JSON.parse(previousJson) as Resource;
    } catch {
      return same;
    }
    const before = indexRows([{ ...write, index: indexEntries(this.deps.registry, previous), patientIds: this.deps.registry.patientKeys(previous) }]);
    const after = indexRows([write]);
    for (const [table] of INDEX_COLUMNS) {
      const a = before[table]!.map((r) => JSON.stringify(r)).sort();
      const b = after[table]!.map((r) => JSON.stringify(r)).sort();
      if (a.length === b.length && a.every((v, i) => v === b[i])) same.add(table);
    }
    return same;
  }

  /**
   * Writes every planned version, its history row and its index rows as ONE statement (a chain
   * of data-modifying CTEs), so a write is atomic even outside a transaction and costs a single
   * round trip. https://www.postgresql.org/docs/current/queries-with.html#QUERIES-WITH-MODIFYING
   *
   * Each value is sent once: the versions are one CTE (`v`) that both `resources` and
   * `resource_versions` read, and index rows name their version by its position in `v` and
   * carry a patient id only when it is not the version's own. Encoding and parsing the array
   * parameters is most of the cost of a large import (PGlite spends it in JavaScript and in the
   * WASM engine alike), and without this the JSON text went twice and every index row repeated
   * its resource's type and id.
   */
  async flush(parts?: (b: StatementBuilder) => void): Promise<void> {
    const writes = this.pending().filter((w) => !w.unchanged);
    if (writes.length === 0) return;
    const b = new StatementBuilder();
    // What else must commit with these writes (their audit, when they are made without a
    // transaction): parts of the same statement.
    parts?.(b);
    const replaced = writes.filter((w) => !w.isNew);
    for (const table of INDEX_TABLES) {
      const stale = replaced.filter((w) => !w.sameIndexTables?.has(table));
      if (stale.length === 0) continue;
      b.cte(`DELETE FROM ${table} WHERE (resource_type, id) IN (SELECT * FROM unnest(${b.array(stale.map((w) => w.resourceType), 'text')}, ${b.array(stale.map((w) => w.id), 'text')}))`);
    }
    const arrays = VERSION_ROW_COLUMNS.map((c, i) => b.array(writes.map((w) => versionRow(w)[i]), c.type));
    b.cte(`SELECT * FROM unnest(${arrays.join(', ')}) WITH ORDINALITY AS v(${VERSION_ROW_COLUMNS.map((c) => c.name).join(', ')}, ord)`, 'v');
    const ordOf = new Map<PendingWrite, number>(writes.map((w, i) => [w, i + 1]));
    const indexed = writes.filter((w) => w.index);
    const rowsOf = new Map(indexed.map((w) => [w, indexRows([w])]));
    for (const [table, columns] of INDEX_COLUMNS) {
      const fresh = indexed.filter((w) => !w.sameIndexTables?.has(table));
      if (fresh.length === 0) continue;
      const rows = compactIndexRows(fresh, table, ordOf, rowsOf);
      if (rows.length === 0) continue;
      const own = columns.slice(KEY.length);
      const xs = [b.array(rows.map((r) => r[0]), 'int'), b.array(rows.map((r) => r[1]), 'text'), ...own.map((c, i) => b.array(rows.map((r) => r[i + 2]), c.type))];
      b.cte(`INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')})
        SELECT v.resource_type, v.id, COALESCE(x.patient_id, v.patient_id), ${own.map((c) => `x.${c.name}`).join(', ')}
          FROM unnest(${xs.join(', ')}) AS x(ord, patient_id, ${own.map((c) => c.name).join(', ')}) JOIN v ON v.ord = x.ord`);
    }
    // A SearchParameter's reindex jobs commit with it (https://hl7.org/fhir/R4/search.html#custom).
    addReindexWork(b, writes.filter((w) => w.resourceType === 'SearchParameter'), this.deps.reindexDelayMs ?? 0);
    b.cte(`INSERT INTO resource_versions (${VERSION_COLUMNS.map((c) => c.name).join(', ')}) SELECT ${VERSION_COLUMNS.map((c) => c.name).join(', ')} FROM v`);
    const main = `INSERT INTO resources (${RESOURCE_COLUMNS.map((c) => c.name).join(', ')}) SELECT ${RESOURCE_COLUMNS.map((c) => c.name).join(', ')} FROM v
       ON CONFLICT (resource_type, id) DO UPDATE SET version_id = EXCLUDED.version_id, last_updated = EXCLUDED.last_updated,
       is_deleted = EXCLUDED.is_deleted, patient_id = EXCLUDED.patient_id, source = EXCLUDED.source, content = EXCLUDED.content`;
    // Prepared whatever its size: the text depends only on which tables the batch touches (every
    // value is an array parameter), so a few shapes serve a whole import, and planning them anew
    // for every batch was a fifth of an embedded import's CPU time. A statement that replaces
    // versions is also planned once for all values: PostgreSQL otherwise planned each update
    // anew (a plan for one call's one-element arrays always looks cheaper than one for any
    // arrays), 0.9 ms of its CPU per update against 0.2 ms with the plan kept, measured on the
    // CRUD mix. For creates it keeps a generic plan by itself.
    await this.tx.query(b.statement(main), b.values, replaced.length > 0 ? { prepare: true, plan: 'generic' } : { prepare: true });
    this.deps.onFlush?.(writes.length);
  }
}

/** The columns of the `v` CTE: what `resources` and `resource_versions` rows are made of. */
const VERSION_ROW_COLUMNS: Column[] = [...RESOURCE_COLUMNS.slice(0, 7), { name: 'method', type: 'text' }, { name: 'content', type: 'text' }];

function versionRow(w: PendingWrite): unknown[] {
  return [w.resourceType, w.id, w.versionId, w.lastUpdated, w.deleted, w.patientId, w.source, w.method, w.json];
}

/**
 * One table's index rows of `writes` as `[ord, patient_id, …columns after the key]`: `ord` is the
 * version's position in the `v` CTE, `patient_id` null when it is the version's own patient.
 */
function compactIndexRows(writes: PendingWrite[], table: string, ordOf: Map<PendingWrite, number>, rowsOf: Map<PendingWrite, Record<string, unknown[][]>>): unknown[][] {
  const out: unknown[][] = [];
  for (const w of writes) {
    const ord = ordOf.get(w)!;
    for (const row of rowsOf.get(w)![table]!) {
      const patientId = row[2] as string | null;
      out.push([ord, patientId === w.patientId ? null : patientId, ...row.slice(KEY.length)]);
    }
  }
  return out;
}

/** Builds one statement from data-modifying CTEs with array parameters. */
export class StatementBuilder {
  readonly values: unknown[] = [];
  private readonly ctes: string[] = [];

  array(values: unknown[], type: SqlType): string {
    this.values.push(values);
    return `$${this.values.length}::${type}[]`;
  }

  /** Binds one value. */
  value(value: unknown, type: SqlType): string {
    this.values.push(value);
    return `$${this.values.length}::${type}`;
  }

  /** Adds a CTE, named `name` when later parts refer to it. */
  cte(sql: string, name = `w${this.ctes.length}`): void {
    this.ctes.push(`${name} AS (${sql})`);
  }

  insertSql(table: string, columns: readonly Column[], rows: readonly unknown[][], suffix = ''): string {
    const arrays = columns.map((c, i) => this.array(rows.map((r) => r[i]), c.type));
    return `INSERT INTO ${table} (${columns.map((c) => c.name).join(', ')}) SELECT * FROM unnest(${arrays.join(', ')}) ${suffix}`;
  }

  insert(table: string, columns: readonly Column[], rows: readonly unknown[][]): void {
    if (rows.length > 0) this.cte(this.insertSql(table, columns, rows));
  }

  statement(main: string): string {
    return this.ctes.length > 0 ? `WITH ${this.ctes.join(', ')} ${main}` : main;
  }
}

const f = (name: string): Column => ({ name, type: 'float8' });
const ts = (name: string): Column => ({ name, type: 'timestamptz' });
/** Each index table's columns, in insert order. */
export const INDEX_COLUMNS: [string, Column[]][] = [
  ['search_token', [...KEY, t('param'), t('system'), t('code'), t('text_value')]],
  ['search_string', [...KEY, t('param'), t('value'), t('exact')]],
  ['search_date', [...KEY, t('param'), ts('lo'), ts('hi')]],
  ['search_quantity', [...KEY, t('param'), f('value'), f('lo'), f('hi'), t('system'), t('code'), t('unit')]],
  ['search_reference', [...KEY, t('param'), t('target_type'), t('target_id'), t('url')]],
  ['search_uri', [...KEY, t('param'), t('value')]],
  ['search_composite', [...KEY, t('param'), t('c1_system'), t('c1_code'), t('c2_system'), t('c2_code'), f('c2_num'), ts('c2_lo'), ts('c2_hi'), t('c2_text'), f('c3_num')]],
];

/** Index rows of `writes`, per table, in INDEX_COLUMNS order. */
export function indexRows(writes: Pick<PendingWrite, 'resourceType' | 'id' | 'patientIds' | 'index'>[]): Record<string, unknown[][]> {
  const rows: Record<string, unknown[][]> = { search_token: [], search_string: [], search_date: [], search_quantity: [], search_reference: [], search_uri: [], search_composite: [] };
  for (const w of writes) {
   // A resource in several patients' compartments gets its index rows once per patient, so a
   // patient-scoped search can always filter the index tables on patient_id alone.
   for (const patientId of w.patientIds.length > 0 ? w.patientIds : [null]) {
    const k = [w.resourceType, w.id, patientId];
    const ix = w.index!;
    for (const e of ix.token) rows.search_token!.push([...k, e.param, e.system, e.code, e.text]);
    for (const e of ix.string) rows.search_string!.push([...k, e.param, e.value, e.exact]);
    for (const e of ix.date) rows.search_date!.push([...k, e.param, new Date(e.start), new Date(e.end)]);
    for (const e of ix.quantity) rows.search_quantity!.push([...k, e.param, e.value, e.low, e.high, e.system, e.code, e.unit]);
    for (const e of ix.reference) rows.search_reference!.push([...k, e.param, e.targetType, e.targetId, e.url]);
    for (const e of ix.uri) rows.search_uri!.push([...k, e.param, e.value]);
    for (const e of ix.composite) rows.search_composite!.push([...k, e.param, ...compositeColumns(e.parts)]);
   }
  }
  return rows;
}

/** The slot columns of a composite row (see migration 0003). */
function compositeColumns(parts: CompositePart[]): unknown[] {
  const [p1, p2, p3] = parts;
  const c1 = p1?.kind === 'token' ? [p1.system, p1.code] : [null, null];
  let c2: unknown[] = [null, null, null, null, null, null];
  if (p2?.kind === 'token') c2 = [p2.system, p2.code, null, null, null, null];
  else if (p2?.kind === 'quantity') c2 = [p2.system, p2.code ?? p2.unit, p2.value, null, null, null];
  else if (p2?.kind === 'date') c2 = [null, null, null, new Date(p2.start), new Date(p2.end), null];
  else if (p2?.kind === 'string') c2 = [null, null, null, null, null, p2.value];
  const c3 = p3?.kind === 'quantity' ? [p3.value] : [null];
  return [...c1, ...c2, ...c3];
}

/** Sets id, meta.versionId and meta.lastUpdated, keeping `resourceType, id, meta` first. */
export function stamp(resource: Resource, versionId: number, lastUpdated: Date): Resource {
  const { resourceType, id, meta, ...rest } = resource;
  return {
    resourceType,
    id,
    meta: { ...(meta ?? {}), versionId: String(versionId), lastUpdated: lastUpdated.toISOString() },
    ...rest,
  };
}

/**
 * A resource's index rows: its search parameters' values plus the rows access decisions are
 * made from (`src/access/access-entries.ts`), so both change together in the same statement.
 */
export function indexEntries(registry: SearchRegistry, resource: Resource): IndexEntries {
  const ix = registry.extract(resource);
  ix.token.push(...accessEntries(resource as unknown as Record<string, unknown>));
  return ix;
}
