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
import { PLAN_CACHE_MODES, type QueryOptions, type QueryResult } from './database.js';

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
 * A Bind message for the unnamed portal: every parameter and result column in text format.
 * PGlite's own serializer measures each string's UTF-8 length in a JavaScript loop over its
 * characters and grows its buffer by copying; an import binds megabytes of JSON text, so here
 * the sizes come from `Buffer.byteLength` and the text is encoded once into a buffer of the
 * right size (both native).
 * @see https://www.postgresql.org/docs/15/protocol-message-formats.html (Bind)
 */
export function bindMessage(statement: string, values: readonly (string | null)[]): Buffer {
  const lengths = values.map((v) => (v === null ? -1 : Buffer.byteLength(v)));
  // After the type byte: length, portal "" and statement (NUL-terminated), one format code per
  // parameter (0: text), parameter count, each parameter (length, bytes), result format codes
  // (none: all text) — as PGlite's serializer writes it.
  let size = 4 + 1 + Buffer.byteLength(statement) + 1 + 2 + 2 * values.length + 2 + 2;
  for (const n of lengths) size += 4 + Math.max(0, n);
  const buf = Buffer.allocUnsafe(1 + size);
  let at = buf.writeUInt8(0x42, 0); // 'B'
  at = buf.writeInt32BE(size, at);
  at = buf.writeUInt8(0, at);
  at += buf.write(statement, at);
  at = buf.writeUInt8(0, at);
  at = buf.writeInt16BE(values.length, at);
  for (let i = 0; i < values.length; i++) at = buf.writeInt16BE(0, at);
  at = buf.writeInt16BE(values.length, at);
  for (let i = 0; i < values.length; i++) {
    at = buf.writeInt32BE(lengths[i]!, at);
    const v = values[i];
    if (v !== null && v !== undefined) at += buf.write(v, at);
  }
  buf.writeInt16BE(0, at);
  return buf;
}

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
   * all values, `'custom'` for each call's (the session's plan cache mode is forced around the
   * run: PostgreSQL decides at each Bind).
   */
  async run<T>(sql: string, params: readonly unknown[], opts?: QueryOptions): Promise<QueryResult<T> | undefined> {
    const stmt = this.prepared.get(sql) ?? (this.prepared.size < MAX_PGLITE_PREPARED ? await this.prepare(sql) : undefined);
    if (!stmt) return undefined;
    if (!opts?.plan) return this.execute<T>(stmt, params);
    await this.setting(`SET plan_cache_mode = ${PLAN_CACHE_MODES[opts.plan]}`);
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
      messages(bindMessage(stmt.name, values), serialize.describe({ type: 'P' }), serialize.execute({}), serialize.sync()),
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
