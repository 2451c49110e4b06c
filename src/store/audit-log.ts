/**
 * Storage of the audit trail: appending AuditEvents to per-patient hash chains, a batching writer
 * for reads, the reads behind "who viewed my record" and audit search, and chain verification.
 * Schema: `migrations/0007-audit.sql`; event building and hashing: `src/audit/`.
 *
 * @see https://hl7.org/fhir/R4/auditevent.html
 */
import { randomUUID } from 'node:crypto';
import { badRequest } from '../fhir/outcome.js';
import { chainKeysOf, NO_PATIENT_CHAIN, writerChainKey, type AccessAction, type AccessRecord } from '../audit/access-record.js';
import { auditEventOf, patientAccessView, type AuditEvent } from '../audit/audit-event.js';
import { GENESIS_HASH, entryHash, type ChainEntry } from '../audit/hash-chain.js';
import { isStoredAccess, storedAccessForPatient, storedAccessJson, storedAccessOf, type AuditSourceNames } from '../audit/stored-access.js';
import type { Database, SqlClient } from './database.js';
import { AuditThread } from './audit-thread.js';
import type { StatementBuilder } from './write-session.js';

/** Separates the JSON contents in one parameter; JSON text never contains it unescaped. */
const RECORD_SEPARATOR = String.fromCharCode(30);

/** The columns an append writes, in the order of {@link AuditColumns}' arrays. */
const APPENDED_COLUMNS = 'chain_key, seq, event_id, recorded_at, action, agent_ref, is_primary, patient_id, content, prev_hash, hash';

/** The agent a record is searched by: the person's reference, else (a backend service) its client id. */
function agentRefOf(r: AccessRecord): string {
  return r.agent.reference ?? r.agent.clientId;
}

interface HeadRow {
  chain_key: string;
  seq: number | string;
  hash: string;
}

/** A chain's last position and hash. */
interface ChainHead {
  seq: number;
  hash: string;
}

/** The audit rows of some records as one array per column (see {@link appendAuditRecords}). */
interface AuditColumns {
  chainKey: string[];
  seq: number[];
  eventId: string[];
  recordedAt: string[];
  action: string[];
  agentRef: string[];
  isPrimary: string[];
  patientId: (string | null)[];
  content: string[];
  prevHash: string[];
  hash: string[];
}

/**
 * The rows of `records` chained after `heads` (each row into `writerChain` when given, else its
 * patient's chain), hashed; `heads` are advanced past them. Returns the rows and the event ids.
 */
function chainRows(perRecord: readonly { r: AccessRecord; patients: string[] }[], source: AuditSourceNames, heads: Map<string, ChainHead>, writerChain: string | undefined): { c: AuditColumns; ids: string[] } {
  // One array per column, filled row by row (no row objects: every read appends one).
  const c: AuditColumns = { chainKey: [], seq: [], eventId: [], recordedAt: [], action: [], agentRef: [], isPrimary: [], patientId: [], content: [], prevHash: [], hash: [] };
  const ids: string[] = [];
  for (const { r, patients } of perRecord) {
    const eventId = randomUUID();
    ids.push(eventId);
    const stored = storedAccessOf(r, source);
    const full = storedAccessJson(stored);
    const recordedAt = r.at.toISOString();
    const agentRef = agentRefOf(r);
    patients.forEach((key, i) => {
      const chainKey = writerChain ?? key;
      const head = heads.get(chainKey);
      if (!head) throw new Error(`audit chain head ${chainKey} was not locked`);
      const patientId = key === NO_PATIENT_CHAIN ? null : key;
      const isPrimary = i === 0;
      const content = isPrimary || patientId === null ? full : storedAccessJson(storedAccessForPatient(stored, patientId));
      const entry: ChainEntry = { chainKey, seq: head.seq + 1, eventId, recordedAt, action: r.action, agentRef, isPrimary, patientId, content };
      const hash = entryHash(head.hash, entry);
      c.chainKey.push(chainKey);
      c.seq.push(entry.seq);
      c.eventId.push(eventId);
      c.recordedAt.push(recordedAt);
      c.action.push(r.action);
      c.agentRef.push(agentRef);
      c.isPrimary.push(isPrimary ? 't' : 'f');
      c.patientId.push(patientId);
      c.content.push(content);
      c.prevHash.push(head.hash);
      c.hash.push(hash);
      head.seq = entry.seq;
      head.hash = hash;
    });
  }
  return { c, ids };
}

/**
 * Locks the heads of the chains `keys` in the order given (creating those that are new) and
 * returns them. Upsert-and-return locks each head row, new or existing; the no-op update is what
 * makes ON CONFLICT lock and return a row another transaction just committed.
 */
async function lockHeads(client: SqlClient, keys: readonly string[]): Promise<Map<string, ChainHead>> {
  const locked = await client.query<HeadRow>(
    `INSERT INTO audit_chain_heads AS h (chain_key, seq, hash)
     SELECT k, 0, $2 FROM unnest($1::text[]) WITH ORDINALITY AS u(k, n) ORDER BY n
     ON CONFLICT (chain_key) DO UPDATE SET seq = h.seq
     RETURNING chain_key, seq, hash`,
    [keys, GENESIS_HASH],
    { prepare: true },
  );
  return new Map(locked.rows.map((h) => [h.chain_key, { seq: Number(h.seq), hash: h.hash }]));
}

/**
 * Appends `records` to the audit trail inside the caller's transaction `tx`, and returns their
 * event ids in order.
 *
 * A record has a row for every patient it touched (the full event for the first, a copy naming
 * only that patient for the others: {@link storedAccessForPatient}), or one row for no patient.
 * Called inside the transaction of a write, as its last statement, the append commits or rolls
 * back with it. Where the rows go:
 * - with `writerChain` (the server: {@link auditSinks} gives each write transaction one of its
 *   node's chains, and the batched reads theirs): every row into that one chain. One head to
 *   lock and advance, which no other node, and rarely another transaction, waits for.
 * - without it (one-off appenders such as `tessera export`): each row into its patient's chain,
 *   or the no-patient chain; the heads are created if new and locked in sorted key order, so two
 *   appenders never wait for each other in opposite orders — locks held until the commit.
 * Either way each row names its patient (`patient_id`), which is what a patient's access list
 * reads. Two statements whatever the number of records: lock the heads, then insert every row
 * and advance every head.
 */
export async function appendAuditRecords(tx: SqlClient, records: readonly AccessRecord[], source: AuditSourceNames = {}, writerChain?: string): Promise<string[]> {
  if (records.length === 0) return [];
  const perRecord = records.map((r) => ({ r, patients: chainKeysOf(r) }));
  const keys = writerChain !== undefined ? [writerChain] : [...new Set(perRecord.flatMap((p) => p.patients))].sort();

  const heads = await lockHeads(tx, keys);
  const { c, ids } = chainRows(perRecord, source, heads, writerChain);

  // Columns whose values cannot contain the separator go as one delimited text each, split by
  // `string_to_array`: no per-element quoting on either side, which array literals need (and
  // which cost more than the rest of the append for the JSON content). Numbers, booleans, UUIDs,
  // ISO instants, action codes and hex hashes cannot contain a comma; the content is JSON, in
  // which every control character (so the record separator U+001E) is escaped. Chain keys,
  // patient ids and agent references come from clients' ids, so they stay arrays.
  await tx.query(
    `WITH appended AS (
       INSERT INTO audit_events (${APPENDED_COLUMNS})
       SELECT * FROM unnest($1::text[], string_to_array($2, ',')::bigint[], string_to_array($3, ',')::uuid[], string_to_array($4, ',')::timestamptz[],
         string_to_array($5, ','), $6::text[], string_to_array($7, ',')::boolean[], $8::text[], string_to_array($9, chr(${RECORD_SEPARATOR.charCodeAt(0)})), string_to_array($10, ','), string_to_array($11, ','))
     )
     UPDATE audit_chain_heads h SET seq = u.seq, hash = u.hash
     FROM unnest($12::text[], string_to_array($13, ',')::bigint[], string_to_array($14, ',')) AS u(chain_key, seq, hash)
     WHERE h.chain_key = u.chain_key`,
    [
      c.chainKey, c.seq.join(','), c.eventId.join(','), c.recordedAt.join(','), c.action.join(','), c.agentRef, c.isPrimary.join(','), c.patientId, c.content.join(RECORD_SEPARATOR), c.prevHash.join(','), c.hash.join(','),
      keys, keys.map((k) => heads.get(k)!.seq).join(','), keys.map((k) => heads.get(k)!.hash).join(','),
    ],
    { prepare: true },
  );
  return ids;
}

/** The parts of a pino logger the writer uses. */
export interface AuditLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Timers, injected so tests can drive the flush interval without waiting. */
export interface AuditClock {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers, unref'd: a pending flush does not keep the process alive (shutdown calls `close()`). */
export const SYSTEM_CLOCK: AuditClock = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Options for {@link AuditWriter}. */
export interface AuditWriterOptions {
  db: Database;
  log: AuditLogger;
  /** Longest a record waits before it is written (default 50 ms). */
  intervalMs?: number;
  /** Records per transaction; reaching it writes at once (default 500). */
  maxBatch?: number;
  clock?: AuditClock;
  source?: AuditSourceNames;
  /** The writer's own chain (default: a new one, {@link writerChainKey} of a random id). */
  chain?: string;
  /**
   * How a batch is stored (default: {@link writeAuditBatch} on `db`, in this thread). The
   * server on PostgreSQL passes an {@link AuditThread}'s, which writes in a worker thread.
   */
  store?: (batch: AccessRecord[], chain: string) => Promise<void>;
}

/**
 * Stores one batch of records in `chain`, in one transaction: retried once if it fails, and if
 * that fails too, its records go to the error log, so they are not silently lost. Never rejects.
 */
export async function writeAuditBatch(db: Database, log: AuditLogger, batch: AccessRecord[], source: AuditSourceNames, chain: string): Promise<void> {
  if (batch.length === 0) return;
  try {
    await db.transaction((tx) => appendAuditRecords(tx, batch, source, chain));
    return;
  } catch (err) {
    log.warn({ err, records: batch.length }, 'audit batch failed; retrying once');
  }
  try {
    await db.transaction((tx) => appendAuditRecords(tx, batch, source, chain));
  } catch (err) {
    log.error({ err, records: batch }, 'audit batch failed twice; records not stored');
  }
}

/**
 * Writes the audit records of reads (and of failed writes, whose own transaction rolled back) in
 * batches: one transaction per `maxBatch` records or per `intervalMs`, whichever comes first, so a
 * busy server pays one commit for hundreds of reads instead of one each. The rows go into the
 * writer's own chain (one per writer, so per server process: nothing else appends to it), each
 * naming its patient. A reader never waits for, or hears about, the audit write: `record()` only
 * queues. Batches are stored one at a time, in order, by `store` ({@link writeAuditBatch}
 * unless given: retried once, then logged, never lost silently). Call `close()` on shutdown,
 * after the server has stopped taking requests and before the database closes.
 */
export class AuditWriter {
  private readonly log: AuditLogger;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly clock: AuditClock;
  private readonly store: (batch: AccessRecord[], chain: string) => Promise<void>;
  /** The chain this writer appends to. */
  readonly chain: string;
  private queue: AccessRecord[] = [];
  private timer: unknown;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(options: AuditWriterOptions) {
    this.log = options.log;
    this.intervalMs = options.intervalMs ?? 50;
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.clock = options.clock ?? SYSTEM_CLOCK;
    const source = options.source ?? {};
    this.store = options.store ?? ((batch, chain) => writeAuditBatch(options.db, options.log, batch, source, chain));
    this.chain = options.chain ?? writerChainKey(randomUUID());
  }

  /** Records queued and not yet handed to a transaction. */
  get pending(): number {
    return this.queue.length;
  }

  /** Queues one record; never throws and never waits. */
  record(record: AccessRecord): void {
    if (this.closed) {
      // A bug in shutdown order: keep the record where an operator can find it.
      this.log.error({ record }, 'audit record after the audit writer closed; not stored');
      return;
    }
    this.queue.push(record);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else if (this.timer === undefined) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.intervalMs);
    }
  }

  /** Writes everything queued so far; resolves when it is stored (or logged as lost). Never rejects. */
  flush(): Promise<void> {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.queue;
    this.queue = [];
    // One batch at a time, in order: the chain of promises is the queue of transactions.
    this.writing = this.writing.then(() => (batch.length > 0 ? this.store(batch, this.chain) : undefined));
    return this.writing;
  }

  /** Flushes and stops taking records. */
  close(): Promise<void> {
    this.closed = true;
    return this.flush();
  }
}

/**
 * The AuditEvent a stored row stands for: built from the stored facts, or — for rows written
 * before the trail stored facts rather than events — the event as it was stored.
 */
function eventOfRow(row: { event_id: string; content: string }): AuditEvent {
  const parsed: unknown = JSON.parse(row.content);
  return isStoredAccess(parsed) ? auditEventOf(parsed, row.event_id) : (parsed as AuditEvent);
}

/** One page of a patient's access list. */
export interface PatientAccessPage {
  /** Newest first, as the patient may see them ({@link patientAccessView}). */
  events: AuditEvent[];
  /** Pass as `before` for the next (older) page; absent on the last page. */
  next?: string;
}

/** A patient's access list's paging cursor: the last row's time and event id. */
const CURSOR = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Where a page of the access list starts: after the cursor's row, or (no cursor) at the newest. */
function parseCursor(before: string | undefined): [recordedAt: string, eventId: string] {
  if (before === undefined) return ['infinity', 'ffffffff-ffff-ffff-ffff-ffffffffffff'];
  const m = CURSOR.exec(before);
  if (!m || Number.isNaN(Date.parse(m[1]!))) throw badRequest('Invalid paging cursor');
  return [m[1]!, m[2]!];
}

/**
 * Who accessed a person's record, why and with what outcome: the rows naming any of `records`
 * (the ids of the person's Patient records, one person across systems), whichever chains they
 * are in, newest first, each event once and in the person's view (no network addresses or token
 * ids, no other people). `before` is the `next` of the previous page (an opaque cursor); a
 * malformed one is a 400.
 *
 * Each record's rows are one index range of `audit_events_patient` read newest first and cut at
 * the page size, so the cost is a page per record whatever the length of the history; an event
 * that touched several of the records is one entry, shown from its full row where the person
 * has it.
 */
export async function listPatientAccess(db: SqlClient, records: readonly string[], opts: { count: number; before?: string }): Promise<PatientAccessPage> {
  const cursor = parseCursor(opts.before);
  const count = Math.max(1, Math.floor(opts.count));
  const ids = [...new Set(records)];
  const res = await db.query<{ recorded_at: Date | string; event_id: string; content: string; patients: string[] }>(
    `SELECT e.recorded_at, e.event_id, (array_agg(e.content ORDER BY e.is_primary DESC))[1] AS content, array_agg(e.patient_id ORDER BY e.patient_id) AS patients
       FROM unnest($1::text[]) AS p(id)
      CROSS JOIN LATERAL (
        SELECT recorded_at, event_id, content, is_primary, patient_id FROM audit_events
         WHERE patient_id = p.id AND (recorded_at, event_id) < ($2::timestamptz, $3::uuid)
         ORDER BY recorded_at DESC, event_id DESC LIMIT $4) e
      GROUP BY e.recorded_at, e.event_id
      ORDER BY e.recorded_at DESC, e.event_id DESC LIMIT $4`,
    [ids, cursor[0], cursor[1], count + 1],
    { prepare: true },
  );
  const rows = res.rows.slice(0, count);
  const page: PatientAccessPage = { events: rows.map((r) => patientAccessView(eventOfRow(r), r.patients)) };
  if (res.rows.length > count) {
    const last = rows[rows.length - 1]!;
    page.next = `${new Date(last.recorded_at).toISOString()}_${last.event_id}`;
  }
  return page;
}

/** Criteria for {@link searchAuditEvents}; all optional but `count`, combined with AND. */
export interface AuditSearch {
  /** A patient id: the events that touched that patient's record. */
  patient?: string;
  /** A person's relative reference (`Practitioner/9`), or a backend client's id. */
  agent?: string;
  action?: AccessAction;
  /** Recorded at or after. */
  since?: Date;
  /** Recorded before. */
  until?: Date;
  count: number;
}

/**
 * Audit events for investigators, newest first: everything stored, network addresses and token
 * ids included. Without `patient` each event appears once (its full copy); with `patient`, the
 * events naming that patient (for an access that touched several patients, the copy naming
 * only this one).
 */
export async function searchAuditEvents(db: SqlClient, q: AuditSearch): Promise<AuditEvent[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const bind = (v: unknown) => `$${params.push(v)}`;
  if (q.patient !== undefined) where.push(`patient_id = ${bind(q.patient)}`);
  else where.push('is_primary');
  if (q.agent !== undefined) where.push(`agent_ref = ${bind(q.agent)}`);
  if (q.action !== undefined) where.push(`action = ${bind(q.action)}`);
  if (q.since !== undefined) where.push(`recorded_at >= ${bind(q.since.toISOString())}::timestamptz`);
  if (q.until !== undefined) where.push(`recorded_at < ${bind(q.until.toISOString())}::timestamptz`);
  const limit = bind(Math.max(1, Math.floor(q.count)));
  const res = await db.query<{ event_id: string; content: string }>(
    `SELECT event_id, content FROM audit_events WHERE ${where.join(' AND ')} ORDER BY recorded_at DESC, event_id DESC LIMIT ${limit}`,
    params,
  );
  return res.rows.map(eventOfRow);
}

/** What {@link verifyAuditChains} can find wrong at one position of a chain. */
export type AuditProblemKind =
  /** The row's hash is not the hash of its contents: a column was changed, or the row moved. */
  | 'hash-mismatch'
  /** The row's `prev_hash` is not the previous row's hash: a row was replaced or reordered. */
  | 'broken-link'
  /** A position is empty: the row at `seq` (and maybe more after it) was deleted. */
  | 'missing-row'
  /** The chain's head does not match its last row: rows were deleted from the end, or the head changed. */
  | 'head-mismatch';

/** One problem found, at a chain and position. */
export interface AuditProblem {
  chainKey: string;
  seq: number;
  problem: AuditProblemKind;
}

/** The result of {@link verifyAuditChains}. */
export interface AuditVerification {
  /** Chains walked. */
  chains: number;
  /** Rows checked (an access touching three patients is three rows). */
  events: number;
  /** Problems in the order found (chain by chain), at most `maxProblems` of them. */
  problems: AuditProblem[];
  /** All problems found, including those beyond `maxProblems`. */
  problemCount: number;
}

interface EventRow {
  chain_key: string;
  seq: number | string;
  event_id: string;
  recorded_at: Date | string;
  action: string;
  agent_ref: string | null;
  is_primary: boolean;
  patient_id: string | null;
  content: string;
  prev_hash: string;
  hash: string;
}

const EVENT_COLUMNS = 'chain_key, seq, event_id, recorded_at, action, agent_ref, is_primary, patient_id, content, prev_hash, hash';

/**
 * Walks every chain in seq order and checks each row's hash, its link to the previous row,
 * that no position is missing, and that the chain's head matches its last row. Reads in pages
 * of `pageSize` rows inside one read-only repeatable-read transaction, so memory stays flat
 * however many rows there are, and appends committed meanwhile (on PostgreSQL the server may
 * keep running) are neither seen nor mistaken for tampering.
 */
export async function verifyAuditChains(db: Database, opts: { pageSize?: number; maxProblems?: number } = {}): Promise<AuditVerification> {
  const pageSize = opts.pageSize ?? 2000;
  const maxProblems = opts.maxProblems ?? 1000;
  return db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const result: AuditVerification = { chains: 0, events: 0, problems: [], problemCount: 0 };
    const report = (chainKey: string, seq: number, problem: AuditProblemKind) => {
      result.problemCount++;
      if (result.problems.length < maxProblems) result.problems.push({ chainKey, seq, problem });
    };

    /** Chains whose last row has been read, waiting for their heads to be compared (one query per page). */
    let ended: { chainKey: string; seq: number; hash: string }[] = [];
    const checkHeads = async () => {
      if (ended.length === 0) return;
      const res = await tx.query<HeadRow>('SELECT chain_key, seq, hash FROM audit_chain_heads WHERE chain_key = ANY($1::text[])', [ended.map((e) => e.chainKey)]);
      const heads = new Map(res.rows.map((h) => [h.chain_key, h]));
      for (const e of ended) {
        const head = heads.get(e.chainKey);
        if (!head) report(e.chainKey, e.seq, 'head-mismatch');
        else if (Number(head.seq) !== e.seq || head.hash !== e.hash) report(e.chainKey, Number(head.seq), 'head-mismatch');
      }
      ended = [];
    };

    let chain: { chainKey: string; expected: number; prevHash: string; seq: number; hash: string } | undefined;
    let after: [string, number] | undefined;
    for (;;) {
      const res = after
        ? await tx.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM audit_events WHERE (chain_key, seq) > ($1, $2) ORDER BY chain_key, seq LIMIT $3`, [after[0], after[1], pageSize])
        : await tx.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM audit_events ORDER BY chain_key, seq LIMIT $1`, [pageSize]);
      for (const row of res.rows) {
        const seq = Number(row.seq);
        if (chain?.chainKey !== row.chain_key) {
          if (chain) ended.push({ chainKey: chain.chainKey, seq: chain.seq, hash: chain.hash });
          chain = { chainKey: row.chain_key, expected: 1, prevHash: GENESIS_HASH, seq: 0, hash: GENESIS_HASH };
          result.chains++;
        }
        result.events++;
        // After a gap the link is broken by definition; report the gap, not the link as well.
        const gap = seq !== chain.expected;
        if (gap) report(chain.chainKey, seq > chain.expected ? chain.expected : seq, seq > chain.expected ? 'missing-row' : 'broken-link');
        const entry: ChainEntry = {
          chainKey: row.chain_key, seq, eventId: row.event_id, recordedAt: new Date(row.recorded_at).toISOString(),
          action: row.action, agentRef: row.agent_ref, isPrimary: row.is_primary, patientId: row.patient_id, content: row.content,
        };
        if (entryHash(row.prev_hash, entry) !== row.hash) report(chain.chainKey, seq, 'hash-mismatch');
        else if (!gap && row.prev_hash !== chain.prevHash) report(chain.chainKey, seq, 'broken-link');
        // Continue from the stored hash, so one bad row is reported once rather than breaking every later link.
        chain.prevHash = row.hash;
        chain.expected = seq + 1;
        chain.seq = seq;
        chain.hash = row.hash;
      }
      await checkHeads();
      if (res.rows.length < pageSize) break;
      const last = res.rows[res.rows.length - 1]!;
      after = [last.chain_key, Number(last.seq)];
    }
    if (chain) ended.push({ chainKey: chain.chainKey, seq: chain.seq, hash: chain.hash });
    await checkHeads();

    // Heads whose every row is gone. A head at 0 is an empty chain, which nothing creates but is not a lie.
    const orphans = await tx.query<HeadRow>(
      `SELECT chain_key, seq, hash FROM audit_chain_heads h
       WHERE seq > 0 AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.chain_key = h.chain_key) ORDER BY chain_key`,
    );
    for (const h of orphans.rows) {
      result.chains++;
      report(h.chain_key, Number(h.seq), 'head-mismatch');
    }
    return result;
  });
}

/**
 * The audit of a write made in one statement, without a transaction (see `FhirStore`): its rows
 * and its chain head's advance are parts of that statement, so the write and its audit commit
 * together or not at all, as in a transaction — but in one round trip instead of five (`BEGIN`,
 * locking the resource's row, the write, locking the chain's head, the audit, `COMMIT`).
 */
export interface StatementAudit {
  /** Adds the audit rows, and the advance of their chain's head, to the write's statement. */
  addTo(b: StatementBuilder): void;
  /** Told whether the statement committed. Call exactly once. */
  settle(committed: boolean): void;
}

const NOTHING_TO_AUDIT: StatementAudit = { addTo: () => undefined, settle: () => undefined };

/**
 * This node's chains for the audit of writes made in one statement. Each is used by one
 * statement at a time (there are as many as writes ever ran at once, up to a limit past which
 * writes audit in a transaction, so a burst cannot leave thousands of chains), and its head is
 * remembered between them instead of locked and read each time: it is the node's own chain, so
 * nothing else moves it. The statement moves the head only from the position remembered
 * (`WHERE seq = …`), and its audit rows take their chain key from that update: if the head had
 * moved after all, the rows would have no chain key, and the whole statement — write included —
 * fails (SQLSTATE 23502) and is made again in a transaction. After any failure the head is read
 * again before the chain's next use.
 */
class StatementChains {
  private readonly idle: { key: string; head: ChainHead | undefined }[] = [];
  private made = 0;

  constructor(private readonly db: SqlClient, private readonly nodeId: string, private readonly source: AuditSourceNames, private readonly max: number) {}

  /** The audit of `records` for one statement; undefined when all `max` chains are in use (use a transaction). */
  async audit(records: readonly AccessRecord[]): Promise<StatementAudit | undefined> {
    if (records.length === 0) return NOTHING_TO_AUDIT;
    if (this.idle.length === 0 && this.made >= this.max) return undefined;
    const chain = this.idle.pop() ?? { key: writerChainKey(`${this.nodeId}/one/${this.made++}`), head: undefined };
    let start: ChainHead;
    try {
      start = chain.head ?? (await lockHeads(this.db, [chain.key])).get(chain.key)!;
    } catch (err) {
      this.idle.push(chain);
      throw err;
    }
    const head = { ...start };
    const { c } = chainRows(records.map((r) => ({ r, patients: chainKeysOf(r) })), this.source, new Map([[chain.key, head]]), chain.key);
    let settled = false;
    return {
      addTo: (b) => {
        b.cte(`UPDATE audit_chain_heads SET seq = ${b.value(head.seq, 'bigint')}, hash = ${b.value(head.hash, 'text')}
          WHERE chain_key = ${b.value(chain.key, 'text')} AND seq = ${b.value(start.seq, 'bigint')} RETURNING chain_key`, 'audit_head');
        b.cte(`INSERT INTO audit_events (${APPENDED_COLUMNS})
          SELECT (SELECT chain_key FROM audit_head), u.* FROM unnest(${b.array(c.seq, 'bigint')}, ${b.array(c.eventId, 'uuid')}, ${b.array(c.recordedAt, 'timestamptz')},
            ${b.array(c.action, 'text')}, ${b.array(c.agentRef, 'text')}, ${b.array(c.isPrimary, 'bool')}, ${b.array(c.patientId, 'text')},
            ${b.array(c.content, 'text')}, ${b.array(c.prevHash, 'text')}, ${b.array(c.hash, 'text')}) AS u`);
      },
      settle: (committed) => {
        if (settled) return;
        settled = true;
        chain.head = committed ? head : undefined;
        this.idle.push(chain);
      },
    };
  }
}

/** Options of {@link auditSinks}. */
export interface AuditSinkOptions extends Omit<AuditWriterOptions, 'db' | 'log' | 'store' | 'chain'> {
  /** Write the batches from a worker thread with its own connection to this PostgreSQL database. */
  thread?: { databaseUrl: string };
  /** Chains for the audit of writes, taken in turn by transactions (default 16). */
  writeChains?: number;
  /** Most chains for writes made in one statement, one per write under way (default 64; beyond, writes open a transaction). */
  statementChains?: number;
  /** This node's id in its chains' keys (default: random, so per process). */
  nodeId?: string;
}

/**
 * The audit trail as the router uses it: reads queued on a batching writer (whose batches are
 * written from a worker thread when `thread` is given), writes appended in their own
 * transaction, and the two read-back queries. `close()` flushes what is queued.
 *
 * The chains are this node's own, so no two nodes — and, as far as it can help it, no two
 * transactions — wait for the same chain head: the reads' batches go into one chain, each
 * write transaction takes the next of `writeChains` chains (and keeps it for all its appends, so
 * it never holds two heads), and each write made in one statement a chain of its own for the
 * time it runs ({@link StatementChains}). Per-patient chains made every write, and before that every batch of
 * reads, wait for any other transaction touching the same patient until it committed — a large
 * import blocked the patient's record for its whole length.
 */
export function auditSinks(db: Database, log: AuditLogger, opts: AuditSinkOptions = {}) {
  const { thread: threadOpts, writeChains = 16, statementChains: maxStatementChains = 64, nodeId = randomUUID(), ...writerOpts } = opts;
  const source = opts.source ?? {};
  const chain = writerChainKey(`${nodeId}/reads`);
  const thread = threadOpts
    ? new AuditThread({ databaseUrl: threadOpts.databaseUrl, chain, source, log, fallback: (batch, c) => writeAuditBatch(db, log, batch, source, c) })
    : undefined;
  // Without a thread, the writer's own default: write here.
  const writer = new AuditWriter({ db, log, ...writerOpts, chain, ...(thread ? { store: thread.store } : {}) });
  const statementChains = new StatementChains(db, nodeId, source, maxStatementChains);
  const chainOf = new WeakMap<SqlClient, string>();
  let turn = 0;
  const writeChainOf = (tx: SqlClient) => {
    let c = chainOf.get(tx);
    if (c === undefined) {
      c = writerChainKey(`${nodeId}/${turn++ % Math.max(1, writeChains)}`);
      chainOf.set(tx, c);
    }
    return c;
  };
  return {
    writer,
    thread,
    queue: (r: AccessRecord) => writer.record(r),
    append: (tx: SqlClient, records: readonly AccessRecord[]) => appendAuditRecords(tx, records, source, writeChainOf(tx)),
    forStatement: (records: readonly AccessRecord[]) => statementChains.audit(records),
    listForPatient: (records: readonly string[], o: { count: number; before?: string }) => listPatientAccess(db, records, o),
    search: (q: AuditSearch) => searchAuditEvents(db, q),
    async close() {
      await writer.close();
      await thread?.close();
    },
  };
}
