/**
 * Keeps the planner's statistics fresh after bulk writes. PGlite runs no autovacuum at all, and
 * on PostgreSQL autovacuum can lag a large import by a minute; with stale statistics a
 * patient-scoped search can pick a plan that scans every date in the database. So the store
 * counts the rows it writes and, past a threshold, runs `ANALYZE` in the background (one at a
 * time, never blocking a request). The counter is per app node and only an optimisation.
 *
 * @see https://www.postgresql.org/docs/current/sql-analyze.html
 */
import type { SqlClient } from './database.js';

/** Schedules ANALYZE after enough writes. */
export class TableStatistics {
  private written = 0;
  private known = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly db: SqlClient, private readonly onError: (err: unknown) => void = () => {}) {}

  /** Records `n` resources written; may start a background ANALYZE. */
  wrote(n: number): void {
    this.written += n;
    // Each time the data has about doubled: often enough that plans never see tables many
    // times larger than their statistics say, rarely enough that PGlite (where ANALYZE holds the
    // one connection) spends little time on it during a large import.
    if (!this.running && this.written >= Math.max(2000, this.known)) {
      const batch = this.written;
      this.running = this.analyze()
        .then(() => {
          this.known += batch;
          this.written -= batch;
        }, this.onError)
        .finally(() => {
          this.running = undefined;
        });
    }
  }

  /** Runs ANALYZE now (also used after imports). */
  async analyze(): Promise<void> {
    await this.db.query('ANALYZE');
  }

  /** Resolves when no ANALYZE is running. */
  async idle(): Promise<void> {
    await this.running;
  }
}
