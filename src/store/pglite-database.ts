/**
 * The embedded engine: PostgreSQL compiled to WASM, running in this process with its data in a
 * folder. Nothing to install, so `npm start` works on a bare machine.
 * @see https://pglite.dev/docs/
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, QueryResult, SqlClient } from './database.js';

interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

function wrap(client: PGliteLike): SqlClient {
  return {
    async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
      const res = await client.query<T>(sql, params as unknown[]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
  };
}

/**
 * Opens (creating if needed) a PGlite database in `dataDir`, or in memory when `dataDir` is
 * `memory://`.
 */
export async function openPgliteDatabase(dataDir: string): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir.startsWith('memory://') ? undefined : dataDir);
  const base = wrap(db);
  return {
    kind: 'pglite',
    query: base.query,
    // PGlite is one connection: its transaction() holds it exclusively, so concurrent callers
    // queue behind the lock rather than interleave statements.
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    exec: async (sql) => {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}
