/**
 * The production engine: a real PostgreSQL server through a `pg` connection pool.
 * @see https://node-postgres.com/
 */
import pg from 'pg';
import { createHash } from 'node:crypto';
import type { Database, QueryOptions, QueryResult, SqlClient, TransactionOptions } from './database.js';
import { isRetryable, PLAN_CACHE_MODES } from './database.js';
import { conflict } from '../fhir/outcome.js';

// Return int8 and numeric as JS numbers/strings consistently with PGlite: bigint counts fit in
// a double for any realistic table, and timestamps stay as Date objects on both engines.
pg.types.setTypeParser(20, (v) => Number(v));

const MAX_ATTEMPTS = 5;

/**
 * Prepared statements are kept per connection for its lifetime, so the number of distinct
 * statement texts prepared is capped: search statements vary with the query's shape, and a
 * client inventing endless shapes must not grow server memory without bound.
 */
const MAX_PREPARED = 500;
const statementNames = new Map<string, string>();

/** A stable name for a prepared statement, or undefined once the cap is reached. */
function statementName(sql: string): string | undefined {
  let name = statementNames.get(sql);
  if (!name && statementNames.size < MAX_PREPARED) {
    name = `t${createHash('sha1').update(sql).digest('hex').slice(0, 16)}`;
    statementNames.set(sql, name);
  }
  return name;
}

function config(sql: string, params: readonly unknown[], opts?: QueryOptions): pg.QueryConfig {
  const name = opts?.prepare ? statementName(sql) : undefined;
  return name ? { name, text: sql, values: params as unknown[] } : { text: sql, values: params as unknown[] };
}

/**
 * `url` with `setting` added to the server options (`options=-c name=value …`) it may already
 * set. (`pg` lets the connection string's options win over the pool's, so they are merged here.)
 */
function withServerOption(url: string, setting: string): string {
  const m = /([?&])options=([^&#]*)/.exec(url);
  if (!m) return `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(setting)}`;
  const merged = `${decodeURIComponent(m[2]!.replace(/\+/g, ' '))} ${setting}`;
  return url.slice(0, m.index) + `${m[1]}options=${encodeURIComponent(merged)}` + url.slice(m.index + m[0].length);
}

function newPool(url: string, poolSize: number): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/**
 * Opens a pool to `url` (a `postgres://` connection string), and — when the first statement asks
 * for a generic or a custom plan (`QueryOptions.plan`) — a pool of the same size whose
 * connections always plan that way.
 */
export async function openPostgresDatabase(url: string, poolSize: number): Promise<Database> {
  const pool = newPool(url, poolSize);
  const planPools = new Map<keyof typeof PLAN_CACHE_MODES, pg.Pool>();
  const poolFor = (opts?: QueryOptions): pg.Pool => {
    const plan = opts?.plan;
    if (!plan) return pool;
    let p = planPools.get(plan);
    if (!p) planPools.set(plan, (p = newPool(withServerOption(url, `-c plan_cache_mode=${PLAN_CACHE_MODES[plan]}`), poolSize)));
    return p;
  };
  const query = async <T>(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<QueryResult<T>> => {
    const res = await poolFor(opts).query(config(sql, params, opts));
    return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
  };
  await query('SELECT 1');
  return {
    kind: 'postgres',
    query,
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>, txOpts?: TransactionOptions): Promise<T> {
      // The mode the transaction's statements run in unless they ask for another.
      const base = txOpts?.plan;
      const restore = base ? `SET LOCAL plan_cache_mode = ${PLAN_CACHE_MODES[base]}` : 'SET LOCAL plan_cache_mode TO DEFAULT';
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        const run = async <R>(sql: string, params: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<R>> => {
          const res = await client.query(config(sql, params, opts));
          return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
        };
        const tx: SqlClient = {
          async query<R>(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<QueryResult<R>> {
            if (!opts?.plan || opts.plan === base) return run<R>(sql, params, opts);
            // The transaction's own connection: the mode is set for this statement alone.
            await client.query(`SET LOCAL plan_cache_mode = ${PLAN_CACHE_MODES[opts.plan]}`);
            const res = await run<R>(sql, params, opts);
            // Not reached when the statement fails: the transaction is then over anyway.
            await client.query(restore);
            return res;
          },
        };
        try {
          // Two statements in one simple-protocol exchange when the transaction has a mode.
          await client.query(base ? `BEGIN; ${restore}` : 'BEGIN');
          const result = await fn(tx);
          await client.query('COMMIT');
          client.release();
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          client.release();
          if (isRetryable(err)) {
            if (attempt < MAX_ATTEMPTS) continue;
            throw conflict('The resource was changed by another request at the same moment; try again');
          }
          throw err;
        }
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: async () => {
      await Promise.all([pool.end(), ...[...planPools.values()].map((p) => p.end())]);
    },
  };
}
