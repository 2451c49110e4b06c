/**
 * The embedded engine: PostgreSQL compiled to WASM, running in this process with its data in a
 * folder. Nothing to install, so `npm start` works on a bare machine.
 * @see https://pglite.dev/docs/
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import type { Database, QueryOptions, QueryResult, SqlClient } from './database.js';
import { PgliteStatements } from './pglite-statements.js';
import { WalCheckpoints, type WalCheckpointOptions } from './wal-checkpoints.js';

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
 * PGlite's start-up settings: its own, and two that cut the WAL it writes. PGlite runs with
 * `fsync` off (its `-F`), so an operating-system crash can lose recent commits whatever else is
 * set, while a crash of this process cannot tear a page (each page write is one `write` call that
 * the kernel completes). The whole-page images of `full_page_writes` guard only against torn pages,
 * so here they are cost without protection; and new WAL files need not be zero-filled first.
 * With the checkpoints below (after each of which every page's first change would be logged
 * whole), the 10,000-patient import measured 252 s with them and 229 s without.
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'full_page_writes=off', '-c', 'wal_init_zero=off'];

/** Options of {@link openPgliteDatabase}. */
export interface PgliteOptions {
  /** When to checkpoint, and whom to tell when a checkpoint fails (default: a process warning). */
  checkpoints?: WalCheckpointOptions;
}

/**
 * Opens (creating if needed) a PGlite database in `dataDir`, or in memory when `dataDir` is
 * `memory://`.
 */
export async function openPgliteDatabase(dataDir: string, options: PgliteOptions = {}): Promise<Database> {
  if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: dataDir.startsWith('memory://') ? undefined : dataDir, startParams: START_PARAMS });
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
  // Every statement and transaction may have written WAL: each gives the checkpoints a look.
  const checkpoints = new WalCheckpoints(base, options.checkpoints);
  return {
    kind: 'pglite',
    query: async <T>(sql: string, params?: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<T>> => {
      try {
        return await base.query<T>(sql, params, opts);
      } finally {
        checkpoints.poke();
      }
    },
    // PGlite is one connection: its transaction() holds it exclusively, so concurrent callers
    // queue behind the lock rather than interleave statements.
    // Its statements are planned as their own options say (`TransactionOptions` is a hint for
    // PostgreSQL's round trips, which the in-process engine does not have).
    transaction: async (fn) => {
      try {
        return await db.transaction((tx) => fn(wrap(tx, inTransaction)));
      } finally {
        checkpoints.poke();
      }
    },
    exec: async (sql) => {
      await db.exec(sql);
      checkpoints.poke();
    },
    close: async () => {
      await checkpoints.stop();
      await db.close();
    },
  };
}
