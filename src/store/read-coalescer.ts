/**
 * Reads by id that arrive together share one statement.
 *
 * Under load a node receives many reads at once (32 clients each waiting on one), and each used
 * to be its own statement: a round trip, a parse/bind/execute in the database and the driver's
 * per-statement work, which together cost several times the index lookup itself. Here the reads
 * asked for during one turn of the event loop are collected and sent, when that turn's I/O
 * callbacks have run (`setImmediate`), as one statement for all their keys.
 *
 * Never stale: a read's statement is sent after the read was asked for, so it sees every write
 * acknowledged before it — on this node or any other — exactly as a statement of its own would.
 *
 * @see https://hl7.org/fhir/R4/http.html#read
 */

/** One resource's key. */
export interface ResourceKey {
  type: string;
  id: string;
}

/** What a read answers: a row naming its resource. */
export interface KeyedRow {
  resourceType: string;
  id: string;
}

/** Loads the rows for `keys` (each at most once), in any order; keys with no row are left out. */
export type LoadByKeys<R extends KeyedRow> = (keys: readonly ResourceKey[]) => Promise<readonly R[]>;

/** Reads collected for the next statement. */
interface Waiting<R> {
  key: ResourceKey;
  settle: Array<{ resolve: (row: R | undefined) => void; reject: (err: unknown) => void }>;
}

/** The most keys one statement carries; more wait for the next. */
const MAX_KEYS = 200;

/** Collects reads by id and answers them from one statement per event-loop turn. */
export class ReadCoalescer<R extends KeyedRow> {
  /** Reads for the next statement; a flush is scheduled exactly when it is not empty. */
  private waiting = new Map<string, Waiting<R>>();

  constructor(private readonly load: LoadByKeys<R>) {}

  /** The row for `type`/`id`, or `undefined` when there is none. */
  read(type: string, id: string): Promise<R | undefined> {
    return new Promise((resolve, reject) => {
      // Type names cannot contain '/', so the pair is unambiguous.
      const k = `${type}/${id}`;
      if (this.waiting.size === 0) setImmediate(() => this.flush());
      let w = this.waiting.get(k);
      if (!w) {
        w = { key: { type, id }, settle: [] };
        this.waiting.set(k, w);
      }
      w.settle.push({ resolve, reject });
    });
  }

  private flush(): void {
    const all = [...this.waiting.values()];
    this.waiting = new Map();
    for (let i = 0; i < all.length; i += MAX_KEYS) void this.run(all.slice(i, i + MAX_KEYS));
  }

  private async run(batch: Waiting<R>[]): Promise<void> {
    let rows: readonly R[];
    try {
      rows = await this.load(batch.map((w) => w.key));
    } catch (err) {
      for (const w of batch) for (const s of w.settle) s.reject(err);
      return;
    }
    const found = new Map<string, R>();
    for (const row of rows) found.set(`${row.resourceType}/${row.id}`, row);
    for (const w of batch) {
      const row = found.get(`${w.key.type}/${w.key.id}`);
      for (const s of w.settle) s.resolve(row);
    }
  }
}
