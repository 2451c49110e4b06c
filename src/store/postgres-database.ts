/**
 * The production engine: a real PostgreSQL server through a `pg` connection pool.
 * @see https://node-postgres.com/
 */
import pg from 'pg';
import { createHash } from 'node:crypto';
import type { Database, QueryOptions, QueryResult, SqlClient } from './database.js';
import { isRetryable } from './database.js';
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

/** Opens a pool to `url` (a `postgres://` connection string). */
export async function openPostgresDatabase(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  const query = async <T>(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<QueryResult<T>> => {
    const res = await pool.query(config(sql, params, opts));
    return { rows: res.rows as T[], rowCount: res.rowCount ?? res.rows.length };
  };
  await query('SELECT 1');
  return {
    kind: 'postgres',
    query,
    async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
      for (let attempt = 1; ; attempt++) {
        const client = await pool.connect();
        const tx: SqlClient = {
          async query<R>(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<QueryResult<R>> {
            const res = await client.query(config(sql, params, opts));
            return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
          },
        };
        try {
          await client.query('BEGIN');
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
    close: () => pool.end(),
  };
}
