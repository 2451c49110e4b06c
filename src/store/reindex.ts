/**
 * Online, incremental reindexing for custom search parameters. A SearchParameter write leaves
 * jobs in `reindex_jobs` (`reindex-plan.ts`); any node's worker takes the oldest runnable job
 * with `FOR UPDATE SKIP LOCKED` (so one node works a job at a time and others move on) and
 * processes ONE batch of the base type's resources per transaction, keyset-paged by id from the
 * job's cursor: the parameter's old rows for the batch are deleted and its new rows inserted.
 * The cursor moves in the same transaction, so a crashed node's job resumes where the last
 * committed batch ended.
 *
 * Writes are not blocked: the batch takes `FOR SHARE` on its resources only for the length of
 * one batch (a write to one of them waits that long at most; writes elsewhere never wait). The
 * share lock matters: a write that was planned with the old registry and commits while the
 * batch runs would otherwise replace the resource's rows without the new parameter after the
 * batch passed it. Writes that start after a node saw the change index the parameter
 * themselves; the job's start delay (`not_before`) covers nodes that have not seen it yet.
 *
 * When the last batch is done the job is marked done and `search_param_state` bumped, so every
 * node's registry stops refusing searches on the parameter.
 */
import type { Resource } from '../fhir/types.js';
import { customParamsOf } from '../search/custom-search-parameters.js';
import type { SearchRegistry } from '../search/registry.js';
import type { Database, SqlClient } from './database.js';
import { BUMP_STATE_SQL } from './reindex-plan.js';
import { INDEX_COLUMNS, indexRows, StatementBuilder } from './write-session.js';

/** Resources per batch (one transaction each) unless told otherwise. */
export const DEFAULT_REINDEX_BATCH = 500;

/** A job row. */
interface JobRow {
  job_id: string;
  base: string;
  code: string;
  action: 'index' | 'remove';
  definition: string | null;
  cursor_id: string;
  processed: number;
}

/** What one call of {@link runReindexBatch} did. */
export interface ReindexBatchResult {
  jobId: number;
  base: string;
  code: string;
  action: 'index' | 'remove';
  /** Resources in this batch. */
  resources: number;
  /** Index rows inserted in this batch. */
  rows: number;
  /** True when this batch finished the job. */
  isDone: boolean;
}

/** Options of a batch. */
export interface ReindexBatchOptions {
  /** The base definitions (a custom parameter is compiled against them). */
  registry: SearchRegistry;
  batchSize?: number;
}

/**
 * Runs one batch of the oldest runnable job; `undefined` when there is none (or every runnable
 * job is being worked on by another node).
 */
export async function runReindexBatch(db: Database, opts: ReindexBatchOptions): Promise<ReindexBatchResult | undefined> {
  const size = opts.batchSize ?? DEFAULT_REINDEX_BATCH;
  return db.transaction(async (tx) => {
    const job = (await tx.query<JobRow>(
      `SELECT job_id::text, base, code, action, definition, cursor_id, processed FROM reindex_jobs
        WHERE status = 'pending' AND not_before <= now() ORDER BY job_id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    )).rows[0];
    if (!job) return undefined;
    const res = await tx.query<{ id: string; is_deleted: boolean; content: string }>(
      `SELECT id, is_deleted, content FROM resources WHERE resource_type = $1 AND id > $2 ORDER BY id LIMIT $3 FOR SHARE`,
      [job.base, job.cursor_id, size],
    );
    const ids = res.rows.map((r) => r.id);
    let rows = 0;
    if (ids.length > 0) {
      await deleteParamRows(tx, job.base, job.code, ids);
      if (job.action === 'index') rows = await insertParamRows(tx, job, res.rows, opts.registry.base);
    }
    const isDone = ids.length < size;
    await tx.query(
      `UPDATE reindex_jobs SET cursor_id = $2, processed = processed + $3, rows_written = rows_written + $4,
         status = $5, updated_at = now() WHERE job_id = $1::bigint`,
      [job.job_id, ids.at(-1) ?? job.cursor_id, ids.length, rows, isDone ? 'done' : 'pending'],
    );
    if (isDone) await tx.query(BUMP_STATE_SQL);
    return { jobId: Number(job.job_id), base: job.base, code: job.code, action: job.action, resources: ids.length, rows, isDone };
  });
}

/** Runs batches until no runnable job is left (tests, and the CLI); returns the batches run. */
export async function runReindexUntilIdle(db: Database, opts: ReindexBatchOptions): Promise<number> {
  let n = 0;
  while (await runReindexBatch(db, opts)) n++;
  return n;
}

/** Deletes the rows of parameter `code` (and its `code:…` companions) for these resources. */
async function deleteParamRows(tx: SqlClient, base: string, code: string, ids: string[]): Promise<void> {
  for (const [table] of INDEX_COLUMNS) {
    // The table name comes from our own list; every value is bound.
    await tx.query(
      `DELETE FROM ${table} WHERE resource_type = $1 AND id = ANY($2::text[]) AND (param = $3 OR starts_with(param, $3 || ':'))`,
      [base, ids, code],
    );
  }
}

/** Inserts the rows of the job's parameter for the live resources of a batch; returns the count. */
async function insertParamRows(tx: SqlClient, job: JobRow, batch: { id: string; is_deleted: boolean; content: string }[], base: SearchRegistry): Promise<number> {
  const definition = job.definition ? (JSON.parse(job.definition) as Record<string, unknown>) : undefined;
  const param = definition ? customParamsOf(definition as never, base).find((p) => p.base === job.base && p.code === job.code) : undefined;
  if (!param) return 0;
  const registry = base.withCustom([param]);
  const entries = batch.filter((r) => !r.is_deleted).map((r) => {
    const resource = JSON.parse(r.content) as Resource;
    return { resourceType: job.base, id: r.id, patientIds: registry.patientKeys(resource), index: registry.extract(resource, job.code) };
  });
  const perTable = indexRows(entries);
  const b = new StatementBuilder();
  let count = 0;
  for (const [table, columns] of INDEX_COLUMNS) {
    const rows = perTable[table]!;
    count += rows.length;
    b.insert(table, columns, rows);
  }
  if (count > 0) await tx.query(b.statement('SELECT 1'), b.values);
  return count;
}

/** Options of the background worker. */
export interface ReindexWorkerOptions extends ReindexBatchOptions {
  /** How often an idle worker looks for work. */
  intervalMs?: number;
  /** Told about failures (the worker keeps going; the job resumes from its cursor). */
  onError?: (err: unknown) => void;
  /** Told about each batch. */
  onBatch?: (result: ReindexBatchResult) => void;
}

/**
 * Runs batches in the background: back to back while there is work, then every `intervalMs`.
 * One per node; `stop()` waits for the batch in progress.
 */
export class ReindexWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private isStopped = false;

  constructor(private readonly db: Database, private readonly opts: ReindexWorkerOptions) {}

  /** Starts polling. */
  start(): void {
    this.isStopped = false;
    this.schedule(0);
  }

  /** Stops polling and waits for the batch in progress. */
  async stop(): Promise<void> {
    this.isStopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.isStopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().then((hadWork) => this.schedule(hadWork ? 0 : this.opts.intervalMs ?? 1000));
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<boolean> {
    try {
      const result = await runReindexBatch(this.db, this.opts);
      if (result) this.opts.onBatch?.(result);
      return result !== undefined;
    } catch (err) {
      this.opts.onError?.(err);
      return false;
    }
  }
}
