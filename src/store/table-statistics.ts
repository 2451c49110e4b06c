/**
 * Keeps the planner's statistics fresh after bulk writes. PGlite runs no autovacuum at all, and
 * on PostgreSQL autovacuum can lag a large import by a minute; with stale statistics a
 * patient-scoped search can pick a plan that scans every date in the database. So the store
 * counts the rows it writes and, past a threshold, runs `ANALYZE` in the background (one at a
 * time, never blocking a request). The counter is per app node and only an optimisation.
 *
 * `ANALYZE` costs about the same whatever the table size once a table outgrows its sample
 * (30,000 rows), and on PostgreSQL the extended statistics of the search index tables make it
 * several seconds of the database's CPU (migration 0012). So besides the threshold it is rate
 * limited: the time between the end of one run and the start of the next is at least
 * {@link ANALYZE_GAP_FACTOR} times as long as the run took. Measured on the Synthea ingest, three
 * back-to-back runs took half of PostgreSQL's CPU and ingest fell from about 2,000 to 1,600
 * resources/s. A run held back by the limit is not lost: it starts when the gap has passed.
 *
 * @see https://www.postgresql.org/docs/current/sql-analyze.html
 */
import type { SqlClient } from './database.js';

/** Rows written before the first background ANALYZE. */
export const ANALYZE_MIN_ROWS = 2000;
/** The wait after a run, as a multiple of its duration: ANALYZE uses at most ~1/11 of the time. */
export const ANALYZE_GAP_FACTOR = 10;

/** Clock and timer, injected so tests control time. */
export interface StatisticsClock {
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. Must not keep the process alive. */
  later(fn: () => void, ms: number): () => void;
}

const realClock: StatisticsClock = {
  now: () => performance.now(),
  later(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
};

/**
 * How many resources the database held when this node started, as the planner's statistics
 * say (`pg_class.reltuples`; 0 before the first ANALYZE): a node restarted on a large database
 * must not treat its first 2,000 writes as the data doubling.
 */
async function storedResources(db: SqlClient): Promise<number> {
  const res = await db.query<{ n: number }>(`SELECT reltuples::float8 AS n FROM pg_class WHERE oid = 'resources'::regclass`);
  return Math.max(0, Number(res.rows[0]?.n ?? 0));
}

/** Schedules ANALYZE after enough writes. */
export class TableStatistics {
  private written = 0;
  /** Resources the statistics know of: undefined until the stored size has been read ({@link storedResources}). */
  private known: number | undefined;
  /** Reading the stored size, started by the first write. */
  private baseline: Promise<void> | undefined;
  private running: Promise<void> | undefined;
  /** Cancels the run waiting for the gap after the last one, if any. */
  private cancelWaiting: (() => void) | undefined;
  /** When the last run may be followed by the next (clock time). */
  private nextAllowed = 0;

  constructor(
    private readonly db: SqlClient,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly clock: StatisticsClock = realClock,
    private readonly stored: () => Promise<number> = () => storedResources(db),
  ) {}

  /** Records `n` resources written; may start (or schedule) a background ANALYZE. */
  wrote(n: number): void {
    this.written += n;
    if (!this.baseline) {
      // Decided once the stored size is known; writes meanwhile are counted.
      this.baseline = this.stored()
        .catch((err: unknown) => {
          this.onError(err);
          return 0;
        })
        .then((stored) => {
          this.known = Math.max(this.known ?? 0, stored);
          this.wrote(0);
        });
      return;
    }
    // Each time the data has about doubled: often enough that plans never see tables many
    // times larger than their statistics say, rarely enough that PGlite (where ANALYZE holds the
    // one connection) spends little time on it during a large import.
    if (this.known === undefined || this.running || this.cancelWaiting || this.written < Math.max(ANALYZE_MIN_ROWS, this.known)) return;
    const wait = this.nextAllowed - this.clock.now();
    if (wait <= 0) {
      this.start();
      return;
    }
    this.cancelWaiting = this.clock.later(() => {
      this.cancelWaiting = undefined;
      if (!this.running) this.start();
    }, wait);
  }

  private start(): void {
    const batch = this.written;
    const started = this.clock.now();
    this.running = this.db
      .query('ANALYZE')
      .then(() => this.counted(batch), this.onError)
      .finally(() => {
        const ended = this.clock.now();
        this.nextAllowed = ended + (ended - started) * ANALYZE_GAP_FACTOR;
        this.running = undefined;
      });
  }

  /**
   * Runs ANALYZE now (used after imports): it covers everything written so far, so a run
   * waiting for its gap is dropped.
   */
  async analyze(): Promise<void> {
    this.cancel();
    await this.running;
    const batch = this.written;
    await this.db.query('ANALYZE');
    this.counted(batch);
  }

  /** `batch` written rows are now in the statistics. */
  private counted(batch: number): void {
    this.known = (this.known ?? 0) + batch;
    this.written -= batch;
  }

  /** Resolves when no ANALYZE is running (a run waiting for its gap is not waited for). */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Drops a run waiting for its gap (before the database closes). */
  cancel(): void {
    this.cancelWaiting?.();
    this.cancelWaiting = undefined;
  }
}
