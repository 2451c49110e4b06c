/**
 * The embedded engine: PostgreSQL compiled to WASM, running in this process with its data in a
 * folder. Nothing to install, so `npm start` works on a bare machine.
 * @see https://pglite.dev/docs/
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, QueryOptions, QueryResult, SqlClient } from './database.js';
import { PgliteStatements } from './pglite-statements.js';

interface PGliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
}

/**
 * A client over `client` (the database, or an open transaction): statements marked `prepare`
 * run as named prepared statements through `runPrepared`, which takes the locks the client needs.
 */
function wrap(client: PGliteLike, runPrepared: <T>(sql: string, params: readonly unknown[], opts: QueryOptions) => Promise<QueryResult<T> | undefined>): SqlClient {
  return {
    async query<T>(sql: string, params: readonly unknown[] = [], opts?: QueryOptions): Promise<QueryResult<T>> {
      const prepared = opts?.prepare ? await runPrepared<T>(sql, params, opts) : undefined;
      if (prepared) return prepared;
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
  const statements = new PgliteStatements(db);
  // Outside a transaction a statement waits for any open one to end, then holds the session (as
  // PGlite.query does) and saves its changes to the folder; inside one, the transaction already
  // holds the session and saves at its end.
  const base = wrap(db, <T>(sql: string, params: readonly unknown[], opts: QueryOptions) =>
    db._runExclusiveTransaction(() =>
      db.runExclusive(async () => {
        const res = await statements.run<T>(sql, params, opts);
        await db.syncToFs();
        return res;
      }),
    ),
  );
  const inTransaction = <T>(sql: string, params: readonly unknown[], opts: QueryOptions) => db.runExclusive(() => statements.run<T>(sql, params, opts));
  return {
    kind: 'pglite',
    query: base.query,
    // PGlite is one connection: its transaction() holds it exclusively, so concurrent callers
    // queue behind the lock rather than interleave statements.
    // Its statements are planned as their own options say (`TransactionOptions` is a hint for
    // PostgreSQL's round trips, which the in-process engine does not have).
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx, inTransaction))),
    exec: async (sql) => {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}
