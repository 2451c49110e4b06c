/**
 * Named prepared statements on PGlite. PGlite's own `query` parses, plans and describes every
 * statement afresh on every call (an unnamed statement), and in WASM planning is slow: the
 * record-based calculators' one statement took ~13 ms to plan and ~2 ms to run. A statement the
 * store marks `prepare` is parsed once per database under a name, then only bound and executed;
 * PostgreSQL's plan cache then keeps a generic plan where it costs no more than a custom one, as
 * it does for the `pg` driver's named statements on a real server.
 *
 * The messages are PostgreSQL's extended query protocol, sent through PGlite's public
 * `execProtocolStream` (each exchange in one buffer, ending in Sync so an error leaves the
 * session ready for the next statement) and read back with its own result parser and type
 * serializers, so rows come out exactly as from `PGlite.query`.
 *
 * @see https://www.postgresql.org/docs/15/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 * @see https://pglite.dev/docs/api#execprotocol
 */
import { parse, protocol, type PGlite } from '@electric-sql/pglite';
import type { QueryOptions, QueryResult } from './database.js';

/** Statement texts prepared per database, at most; any others run unnamed (as the `pg` pool caps them). */
export const MAX_PGLITE_PREPARED = 500;

interface Prepared {
  readonly name: string;
  /** Parameter type OIDs, as PostgreSQL inferred them: how each value is serialised. */
  readonly paramTypes: readonly number[];
}

/** Protocol messages in one buffer, so they cross into WASM in one call. */
const messages = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);

/**
 * The prepared statements of one PGlite database (one session). Callers must hold PGlite's query
 * lock (`runExclusive`) while running one, as `PGlite.query` does internally.
 */
export class PgliteStatements {
  private readonly prepared = new Map<string, Prepared>();

  constructor(private readonly pg: PGlite) {}

  /**
   * Runs `sql` as a named prepared statement (preparing it on first use), or `undefined` when the
   * cap is reached and the caller should run it unnamed. `opts.plan: 'generic'` plans it once for
   * all values (the session's plan cache mode is forced around the run: PostgreSQL decides at
   * each Bind).
   */
  async run<T>(sql: string, params: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<T> | undefined> {
    const stmt = this.prepared.get(sql) ?? (this.prepared.size < MAX_PGLITE_PREPARED ? await this.prepare(sql) : undefined);
    if (!stmt) return undefined;
    if (opts?.plan !== 'generic') return this.execute<T>(stmt, params);
    await this.setting('SET plan_cache_mode = force_generic_plan');
    let result: QueryResult<T>;
    try {
      result = await this.execute<T>(stmt, params);
    } catch (err) {
      // The statement's own error is the one to report. In a transaction it failed, the RESET
      // fails too, and the rollback undoes the SET anyway.
      await this.setting('RESET plan_cache_mode').catch(() => undefined);
      throw err;
    }
    await this.setting('RESET plan_cache_mode');
    return result;
  }

  private async setting(sql: string): Promise<void> {
    await this.pg.execProtocolStream(protocol.serialize.query(sql), { syncToFs: false });
  }

  private async execute<T>(stmt: Prepared, params: readonly unknown[]): Promise<QueryResult<T>> {
    const values = params.map((v, i) => {
      if (v === null || v === undefined) return null;
      const serialize = this.pg.serializers[stmt.paramTypes[i]!];
      return serialize ? serialize(v) : String(v);
    });
    const { serialize } = protocol;
    const replies = await this.pg.execProtocolStream(
      messages(serialize.bind({ statement: stmt.name, values }), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()),
      { syncToFs: false },
    );
    const [result] = parse.parseResults(replies, this.pg.parsers);
    const rows = (result?.rows ?? []) as T[];
    return { rows, rowCount: result?.affectedRows ?? rows.length };
  }

  /** Parses `sql` under a new name; a statement that fails to parse is not remembered. */
  private async prepare(sql: string): Promise<Prepared> {
    const name = `tessera_${this.prepared.size + 1}`;
    const { serialize } = protocol;
    const replies = await this.pg.execProtocolStream(
      messages(serialize.parse({ name, text: sql }), serialize.describe({ type: 'S', name }), serialize.sync()),
      { syncToFs: false },
    );
    const stmt: Prepared = { name, paramTypes: parse.parseDescribeStatementResults(replies) };
    this.prepared.set(sql, stmt);
    return stmt;
  }
}
