/**
 * The production engine: a real PostgreSQL server through a `pg` connection pool.
 * @see https://node-postgres.com/
 */
import pg from 'pg';
import type { Database, QueryResult, SqlClient } from './database.js';
import { isRetryable } from './database.js';
import { conflict } from '../fhir/outcome.js';

// Return int8 and numeric as JS numbers/strings consistently with PGlite: bigint counts fit in
// a double for any realistic table, and timestamps stay as Date objects on both engines.
pg.types.setTypeParser(20, (v) => Number(v));

const MAX_ATTEMPTS = 5;

/** Opens a pool to `url` (a `postgres://` connection string). */
export async function openPostgresDatabase(url: string, poolSize: number): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client's error (e.g. the server restarting) must not crash the process.
  pool.on('error', () => {});
  const query = async <T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> => {
    const res = await pool.query(sql, params as unknown[]);
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
          async query<R>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
            const res = await client.query(sql, params as unknown[]);
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
