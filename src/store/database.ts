/**
 * The one SQL dialect (PostgreSQL) behind two engines: PGlite in-process for the embedded default,
 * and a real PostgreSQL server through `pg` in production. Everything above this interface is
 * engine-agnostic; only `store/` imports it.
 */

/** Result of one statement. */
export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/** Something that runs parameterised SQL: a connection or an open transaction. */
export interface SqlClient {
  /**
   * Runs one statement. Values are always bound as parameters (`$1`, `$2`, …), never spliced in.
   * `prepare` marks a hot statement of fixed text, worth a server-side prepared statement.
   */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<T>>;
}

/** Per-statement options. */
export interface QueryOptions {
  prepare?: boolean;
  /**
   * `generic`: a prepared statement whose planning costs more than running it — the staff
   * access condition's dozen sub-queries take PostgreSQL ~1.5 ms to plan and ~0.4 ms to run —
   * is planned once for all values, never again for each call's values (which PostgreSQL's
   * default may keep doing forever when its estimates favour them). On PostgreSQL it runs on
   * connections set to `plan_cache_mode = force_generic_plan` (inside a transaction, the mode
   * is set for the statement with `SET LOCAL`); on the embedded engine the mode is forced around
   * the statement's run. With `prepare` only.
   *
   * `custom`: a prepared statement planned for each call's values, always. PostgreSQL's default
   * switches a prepared statement to a generic plan after five runs when that plan's estimate
   * looks no worse — and for a search the estimate can be badly wrong: a patient's 50 latest
   * Observations, sorted, took 2.5 ms with a plan for the patient's id and 44 ms with the
   * generic plan PostgreSQL chose after the fifth run (it expects one row per reference target,
   * and nests a loop over the sort keys). Searches therefore use `custom`; they keep their parse.
   * Run like `generic`, with the mode `force_custom_plan`.
   *
   * @see https://www.postgresql.org/docs/15/runtime-config-query.html#GUC-PLAN-CACHE-MODE
   */
  plan?: 'generic' | 'custom';
}

/** The `plan_cache_mode` setting that gives the plans `QueryOptions.plan` asks for (both engines). */
export const PLAN_CACHE_MODES = { generic: 'force_generic_plan', custom: 'force_custom_plan' } as const;

/** Per-transaction options. */
export interface TransactionOptions {
  /**
   * `generic`: every statement of the transaction that does not ask otherwise gets a generic
   * plan — for transactions whose statements' plans do not depend on their values, such as one
   * resource's write and its audit (read the row, write it, append the audit). On PostgreSQL the
   * mode is set with the `BEGIN`, in the same exchange, rather than around the write statement
   * that needs it (two more exchanges each time). The embedded engine plans per statement as
   * `QueryOptions.plan` says and ignores this.
   */
  plan?: 'generic';
}

/** A database: a client plus transactions and lifecycle. */
export interface Database extends SqlClient {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws.
   * Serialization failures and deadlocks are retried a few times, so `fn` must be safe to re-run.
   */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** Runs a script of several statements with no parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Postgres error codes that mean "try the transaction again": serialization failure, deadlock,
 * and a unique violation (two writers creating the same resource id at once; on retry the loser
 * finds the row and updates it instead).
 */
export const RETRYABLE_SQLSTATES = new Set(['40001', '40P01', '23505']);

/** True when `err` is a Postgres error worth retrying. */
export function isRetryable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

/** The SQLSTATE of a Postgres error, if any. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
