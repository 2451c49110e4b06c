/**
 * The FHIR resource store: reads, versioned writes, history and search over one database.
 * It knows nothing of HTTP or of who is asking: access rules wrap it (see `access/`), and the
 * REST router calls it.
 *
 * @see https://hl7.org/fhir/R4/http.html
 */
import { randomUUID } from 'node:crypto';
import { badRequest, gone, notFound, preconditionFailed } from '../fhir/outcome.js';
import type { Resource } from '../fhir/types.js';
import { parseSearch } from '../search/parse-search.js';
import type { SearchRegistry } from '../search/registry.js';
import type { SearchRequest } from '../search/search-request.js';
import { sqlState, type Database, type SqlClient, type TransactionOptions } from './database.js';
import type { ResourceVersion } from './resource-version.js';
import { executeSearch, type SearchPage } from './search-executor.js';
import { NOTHING, UNRESTRICTED, type Visibility } from './access-sql.js';
import { DIRECTORY_TYPES } from '../access/directory-types.js';
import { Binder } from './search-sql.js';
import { TableStatistics } from './table-statistics.js';
import { RegistryHolder } from './search-param-registry.js';
import { conditionKey, identifierCondition, lookupIdentifiers } from './identifier-lookup.js';
import { latestObservations, type LatestObservations, type LatestObservationsQuery } from './latest-observations.js';
import { ID_RE, WriteSession, type PendingWrite, type Validator } from './write-session.js';
import { ReadCoalescer, type ResourceKey } from './read-coalescer.js';
import type { StatementAudit } from './audit-log.js';

/** Dependencies of the store. */
export interface FhirStoreDeps {
  db: Database;
  /** A fixed registry, or a holder that follows the SearchParameters stored in `db`. */
  registry: SearchRegistry | RegistryHolder;
  validate: Validator;
  /** Profile and business-rule checks (422 on error). */
  rules?: Validator;
  now?: () => Date;
  /** How long a changed SearchParameter's reindex job waits, so every node sees the change first. */
  reindexDelayMs?: number;
}

/**
 * The audit of a write, given what it changed (unchanged re-writes excluded), committed or rolled
 * back with it: appended inside the write's transaction, or — for a write of one resource, made
 * in one statement without a transaction — as parts of that statement.
 */
export interface WriteAudit {
  /** Appends the audit inside the write's transaction `tx`, after its statement. */
  append(tx: SqlClient, written: readonly PendingWrite[]): Promise<void>;
  /**
   * The audit as parts of the write's one statement; without it, or when it gives undefined (no
   * chain free), the write opens a transaction.
   */
  forStatement?(written: readonly PendingWrite[]): Promise<StatementAudit | undefined>;
}

/** A result of a write. */
export interface WriteResult {
  version: ResourceVersion;
  /** 201 when a resource was created, 200 otherwise. */
  created: boolean;
}

/** Options for history queries. */
export interface HistoryOptions {
  resourceType?: string;
  id?: string;
  since?: Date;
  count: number;
  /** Opaque cursor from a previous page. */
  cursor?: string;
  /** What the caller may see (default: everything). */
  visible?: Visibility;
}

/** A page of history, newest first. */
export interface HistoryPage {
  entries: ResourceVersion[];
  total: number;
  next?: string;
}

interface Row {
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: Date;
  is_deleted: boolean;
  content: string;
  method?: ResourceVersion['method'];
  seq?: number;
  patient_id?: string | null;
}

/** A current row with its timestamp as epoch milliseconds: cheaper to turn into a Date than ISO text. */
type CurrentRow = Omit<Row, 'last_updated'> & { lu: number };
const CURRENT_COLUMNS = 'r.resource_type, r.id, r.version_id, (extract(epoch FROM r.last_updated) * 1000)::float8 AS lu, r.is_deleted, r.content, r.patient_id';

function fromCurrentRow(row: CurrentRow): ResourceVersion {
  return {
    resourceType: row.resource_type, id: row.id, versionId: row.version_id, lastUpdated: new Date(row.lu),
    deleted: row.is_deleted, json: row.content, patientId: row.patient_id ?? null,
  };
}

function toVersion(row: Row): ResourceVersion {
  const v: ResourceVersion = {
    resourceType: row.resource_type, id: row.id, versionId: row.version_id,
    lastUpdated: row.last_updated instanceof Date ? row.last_updated : new Date(row.last_updated), deleted: row.is_deleted, json: row.content,
  };
  if (row.method) v.method = row.method;
  if (row.patient_id !== undefined) v.patientId = row.patient_id;
  return v;
}

/**
 * A transaction that writes one resource (reading its row first) and may append its audit: no
 * statement in it has a plan that depends on its values, so they all take generic plans, set
 * once with the `BEGIN` (an update's write statement needs one; see `write-session.ts`).
 */
const ONE_RESOURCE: TransactionOptions = { plan: 'generic' };

/** The store. */
export class FhirStore {
  readonly db: Database;
  /** The node's current registry, swapped when the stored SearchParameters change. */
  readonly registries: RegistryHolder;
  private readonly reindexDelayMs: number;
  private readonly validate: Validator;
  private readonly rules: Validator | undefined;
  private readonly now: () => Date;

  /** Planner statistics upkeep after bulk writes. */
  readonly statistics: TableStatistics;

  /** Reads by id outside a transaction, several to a statement under load. */
  private readonly reads: ReadCoalescer<ResourceVersion>;

  constructor(deps: FhirStoreDeps) {
    this.db = deps.db;
    this.registries = deps.registry instanceof RegistryHolder ? deps.registry : new RegistryHolder(undefined, deps.registry);
    this.reindexDelayMs = deps.reindexDelayMs ?? 0;
    this.validate = deps.validate;
    this.rules = deps.rules;
    this.now = deps.now ?? (() => new Date());
    this.statistics = new TableStatistics(deps.db);
    this.reads = new ReadCoalescer((keys) => this.readMany(keys));
  }

  /** The search registry to use now (base definitions plus the stored SearchParameters). */
  get registry(): SearchRegistry {
    return this.registries.current;
  }

  /** Brings {@link registry} up to date with the database (cheap; at most one check per interval). */
  async refreshRegistry(force = false): Promise<void> {
    await this.registries.refresh(force);
  }

  /** After this node changes a SearchParameter, its own next request must see it. */
  private async afterWrite<T>(type: string, result: T): Promise<T> {
    if (type === 'SearchParameter') await this.registries.refresh(true);
    return result;
  }

  /** Opens a write session on `tx` (used by single interactions and bundles alike). */
  session(tx: SqlClient, lock = true): WriteSession {
    return new WriteSession(tx, { registry: this.registry, validate: this.validate, ...(this.rules ? { rules: this.rules } : {}), now: this.now, onFlush: (n) => this.statistics.wrote(n), reindexDelayMs: this.reindexDelayMs }, lock);
  }

  /**
   * Runs a single-resource write optimistically: one read, then one atomic statement (with its
   * audit as parts of it), no explicit transaction. If another writer made the same version
   * first (SQLSTATE 23505), or the audit's chain head had moved (23502, see `StatementAudit`),
   * nothing was written, and the write runs again inside a transaction that locks the row, so
   * writers queue instead of failing.
   */
  private async optimistic<T>(write: (s: WriteSession) => Promise<T>, audit?: WriteAudit): Promise<T> {
    if (audit && !audit.forStatement) return this.inTransaction(write, audit);
    try {
      const s = this.session(this.db, false);
      const result = await write(s);
      const part = await audit?.forStatement?.(s.pending().filter((w) => !w.unchanged));
      if (!audit || part) {
        let committed = false;
        try {
          await s.flush(part && ((b) => part.addTo(b)));
          committed = true;
        } finally {
          part?.settle(committed);
        }
        return result;
      }
      // Every statement chain is in use: this write audits in a transaction instead.
    } catch (err) {
      const state = sqlState(err);
      if (state !== '23505' && state !== '23502') throw err;
    }
    return this.inTransaction(write, audit);
  }

  /** Runs `write` in a transaction with the row locked, then `audit` in the same transaction. */
  private async inTransaction<T>(write: (s: WriteSession, tx: SqlClient) => Promise<T>, audit?: WriteAudit): Promise<T> {
    return this.db.transaction(async (tx) => {
      const s = this.session(tx, true);
      const result = await write(s, tx);
      await s.flush();
      if (audit) await audit.append(tx, s.pending().filter((w) => !w.unchanged));
      return result;
    }, ONE_RESOURCE);
  }

  /** Current version, or `undefined` when never created. Deleted resources come back with `deleted`. */
  async readCurrent(type: string, id: string, client: SqlClient = this.db, visible: Visibility = UNRESTRICTED): Promise<ResourceVersion | undefined> {
    if (!ID_RE.test(id)) return undefined;
    if (visible.forPerson) {
      // Staff: read the row, then decide for its person (remembered briefly), instead of running
      // the correlated access sub-queries on every read.
      const v = await this.readCurrent(type, id, client);
      if (!v) return undefined;
      if (!v.patientId) return DIRECTORY_TYPES.has(type) ? v : undefined;
      const scoped = await visible.forPerson(client, [v.patientId]);
      if (scoped === NOTHING) return undefined;
      if (scoped !== visible) return v;
      // Items the person withheld are decided row by row, below.
    }
    if (client === this.db && visible === UNRESTRICTED) return this.reads.read(type, id);
    return this.readRow(client, type, id, visible);
  }

  /** One current row in a statement of its own, with the caller's access condition. */
  private async readRow(client: SqlClient, type: string, id: string, visible: Visibility): Promise<ResourceVersion | undefined> {
    // What the caller may not see reads as never created: no hint that it exists.
    const b = new Binder(visible);
    const where = `r.resource_type = ${b.bind(type)} AND r.id = ${b.bind(id)}${b.visibleAnd('r')}`;
    const res = await client.query<CurrentRow>(`SELECT ${CURRENT_COLUMNS} FROM resources r WHERE ${where}`, b.values, { prepare: true });
    const row = res.rows[0];
    return row ? fromCurrentRow(row) : undefined;
  }

  /** The current versions of `keys` in one statement (the rows found; see {@link ReadCoalescer}). */
  private async readMany(keys: readonly ResourceKey[]): Promise<ResourceVersion[]> {
    if (keys.length === 1) {
      const one = await this.readRow(this.db, keys[0]!.type, keys[0]!.id, UNRESTRICTED);
      return one ? [one] : [];
    }
    const res = await this.db.query<CurrentRow>(
      `SELECT ${CURRENT_COLUMNS} FROM unnest($1::text[], $2::text[]) AS k(resource_type, id)
       JOIN resources r ON r.resource_type = k.resource_type AND r.id = k.id`,
      [keys.map((k) => k.type), keys.map((k) => k.id)],
      { prepare: true },
    );
    return res.rows.map(fromCurrentRow);
  }

  /** https://hl7.org/fhir/R4/http.html#read — 404 when unknown, 410 when deleted. */
  async read(type: string, id: string): Promise<ResourceVersion> {
    const v = await this.readCurrent(type, id);
    if (!v) throw notFound(`${type}/${id} is not known`);
    if (v.deleted) throw gone(`${type}/${id} has been deleted`);
    return v;
  }

  /** https://hl7.org/fhir/R4/http.html#vread */
  async vread(type: string, id: string, versionId: string): Promise<ResourceVersion> {
    if (!/^\d{1,9}$/.test(versionId)) throw notFound(`${type}/${id} has no version ${versionId}`);
    const res = await this.db.query<Row>(
      `SELECT resource_type, id, version_id, last_updated, is_deleted, content, method FROM resource_versions
       WHERE resource_type = $1 AND id = $2 AND version_id = $3`,
      [type, id, Number(versionId)],
      { prepare: true },
    );
    const row = res.rows[0];
    if (!row) throw notFound(`${type}/${id} has no version ${versionId}`);
    if (row.is_deleted) throw gone(`${type}/${id} version ${versionId} is a deletion`);
    return toVersion(row);
  }

  /** https://hl7.org/fhir/R4/http.html#create — the server assigns the id. */
  async create(resource: Resource, ifNoneExist?: string, audit?: WriteAudit): Promise<WriteResult> {
    await this.registries.refresh();
    return this.afterWrite(resource.resourceType, await this.createOnce(resource, ifNoneExist, audit));
  }

  private async createOnce(resource: Resource, ifNoneExist?: string, audit?: WriteAudit): Promise<WriteResult> {
    // A new server id cannot collide: one statement, no transaction.
    if (ifNoneExist === undefined) return this.optimistic(async (s) => ({ version: await s.create(resource, randomUUID()), created: true }), audit);
    return this.db.transaction(async (tx) => {
      const existing = await this.conditionalMatch(tx, resource.resourceType, ifNoneExist, 'If-None-Exist');
      if (existing.length > 1) throw preconditionFailed(`If-None-Exist matched ${existing.length} resources`, 'If-None-Exist');
      if (existing.length === 1) return { version: (await this.readCurrent(resource.resourceType, existing[0]!, tx))!, created: false };
      const s = this.session(tx);
      const w = await s.create(resource, randomUUID());
      await s.flush();
      if (audit) await audit.append(tx, s.pending());
      return { version: w, created: true };
    });
  }

  /** https://hl7.org/fhir/R4/http.html#update — creates when the id is new. */
  async update(resource: Resource, ifMatch?: number, method: 'PUT' | 'PATCH' = 'PUT', audit?: WriteAudit): Promise<WriteResult> {
    await this.registries.refresh();
    return this.afterWrite(resource.resourceType, await this.optimistic(async (s) => {
      const { write, created } = await s.update(resource, { ...(ifMatch !== undefined ? { ifMatch } : {}), method });
      return { version: write, created };
    }, audit));
  }

  /** https://hl7.org/fhir/R4/http.html#cond-update */
  async conditionalUpdate(resource: Resource, query: string, audit?: WriteAudit): Promise<WriteResult> {
    await this.registries.refresh();
    return this.db.transaction(async (tx) => {
      const matches = await this.conditionalMatch(tx, resource.resourceType, query, 'url');
      if (matches.length > 1) throw preconditionFailed(`The condition matched ${matches.length} resources`, 'url');
      const s = this.session(tx);
      if (matches.length === 0) {
        if (resource.id) {
          const existing = await this.readCurrent(resource.resourceType, resource.id, tx);
          if (existing && !existing.deleted) throw badRequest(`${resource.resourceType}/${resource.id} exists but does not match the condition`, `${resource.resourceType}.id`);
        }
        const w = await s.create(resource, resource.id ?? randomUUID());
        await s.flush();
        if (audit) await audit.append(tx, s.pending());
        return { version: w, created: true };
      }
      const match = matches[0]!;
      if (resource.id && resource.id !== match) throw badRequest(`Resource id ${resource.id} differs from the matched ${match}`, `${resource.resourceType}.id`);
      const { write } = await s.update({ ...resource, id: match });
      await s.flush();
      if (audit) await audit.append(tx, s.pending().filter((w) => !w.unchanged));
      return { version: write, created: false };
    });
  }

  /** https://hl7.org/fhir/R4/http.html#delete — deleting what does not exist is not an error. */
  async delete(type: string, id: string, ifMatch?: number, audit?: WriteAudit): Promise<ResourceVersion | undefined> {
    await this.registries.refresh();
    return this.afterWrite(type, await this.optimistic((s) => s.delete(type, id, ifMatch), audit));
  }

  /** https://hl7.org/fhir/R4/http.html#3.1.0.7.1 — deletes every match (bounded). */
  async conditionalDelete(type: string, query: string, maxMatches = 100, audit?: WriteAudit): Promise<number> {
    await this.registries.refresh();
    return this.db.transaction(async (tx) => {
      const matches = await this.conditionalMatch(tx, type, query, 'url', maxMatches + 1);
      if (matches.length > maxMatches) throw preconditionFailed(`The condition matched more than ${maxMatches} resources`, 'url');
      const s = this.session(tx);
      for (const id of matches) await s.delete(type, id);
      await s.flush();
      if (audit) await audit.append(tx, s.pending());
      return matches.length;
    });
  }

  /**
   * Resolves a conditional request's criteria to the ids of current matches (at most `limit`).
   * `identifier=system|value`, by far the commonest, is one indexed lookup; anything else is a search.
   */
  async conditionalMatch(client: SqlClient, type: string, query: string, expression: string, limit = 2): Promise<string[]> {
    const params = [...new URLSearchParams(query)] as [string, string][];
    if (params.length === 0) throw badRequest(`A conditional request needs search criteria`, expression);
    const byIdentifier = identifierCondition(type, query);
    if (byIdentifier) return ((await lookupIdentifiers(client, [byIdentifier])).get(conditionKey(byIdentifier)) ?? []).slice(0, limit);
    const req = parseSearch(this.registry, type, params, { defaultCount: limit });
    req.count = limit;
    req.total = 'none';
    req.sort = [];
    return (await executeSearch(client, this.registry, req)).matches.map((m) => m.id);
  }

  /** Runs a parsed search. */
  async search(req: SearchRequest, client: SqlClient = this.db, visible: Visibility = UNRESTRICTED): Promise<SearchPage> {
    return executeSearch(client, this.registry, req, visible);
  }

  /**
   * A patient's newest Observations per code, with the Patient and Conditions by code, across
   * linked records: what record-based calculators read, in one prepared statement.
   */
  async latestObservations(query: LatestObservationsQuery, client: SqlClient = this.db): Promise<LatestObservations> {
    return latestObservations(client, query);
  }

  /**
   * Instance, type or system history, newest first, paged by an opaque cursor.
   * https://hl7.org/fhir/R4/http.html#history
   */
  async history(opts: HistoryOptions): Promise<HistoryPage> {
    const conds: string[] = [];
    const params: unknown[] = [];
    const bind = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (opts.resourceType) conds.push(`v.resource_type = ${bind(opts.resourceType)}`);
    if (opts.id) conds.push(`v.id = ${bind(opts.id)}`);
    if (opts.since) conds.push(`v.last_updated >= ${bind(opts.since)}`);
    // A caller sees the history of the resources they may see now (the current version decides).
    if (opts.visible && opts.visible !== UNRESTRICTED) {
      const visible = opts.visible;
      conds.push(`EXISTS (SELECT 1 FROM resources r WHERE r.resource_type = v.resource_type AND r.id = v.id AND ${visible({ bind }, 'r')})`);
    }
    const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
    const totalRes = await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resource_versions v ${where}`, params);
    const pageConds = [...conds];
    if (opts.cursor) {
      const seq = Number(Buffer.from(opts.cursor, 'base64url').toString('utf8'));
      if (!Number.isSafeInteger(seq)) throw badRequest('The paging cursor is invalid', '_cursor');
      pageConds.push(`v.seq < ${bind(seq)}`);
    }
    const pageWhere = pageConds.length ? `WHERE ${pageConds.join(' AND ')}` : '';
    const res = await this.db.query<Row>(
      `SELECT v.resource_type, v.id, v.version_id, v.last_updated, v.is_deleted, v.content, v.method, v.seq, v.patient_id FROM resource_versions v ${pageWhere}
       ORDER BY v.seq DESC LIMIT ${bind(opts.count + 1)}`,
      params,
    );
    const rows = res.rows.slice(0, opts.count);
    const page: HistoryPage = { entries: rows.map(toVersion), total: totalRes.rows[0]?.n ?? 0 };
    if (res.rows.length > opts.count && rows.length > 0) page.next = Buffer.from(String(rows[rows.length - 1]!.seq)).toString('base64url');
    return page;
  }
}
