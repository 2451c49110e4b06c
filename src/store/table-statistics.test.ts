import { describe, expect, it } from 'vitest';
import type { QueryResult, SqlClient } from './database.js';
import { ANALYZE_GAP_FACTOR, ANALYZE_MIN_ROWS, TableStatistics, type StatisticsClock } from './table-statistics.js';

/** A clock the test moves by hand, with timers that fire when it passes them. */
class ManualClock implements StatisticsClock {
  t = 0;
  private timers: { at: number; fn: () => void; live: boolean }[] = [];
  now(): number {
    return this.t;
  }
  later(fn: () => void, ms: number): () => void {
    const timer = { at: this.t + ms, fn, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
    };
  }
  advance(ms: number): void {
    this.t += ms;
    for (const timer of this.timers.filter((x) => x.live && x.at <= this.t)) {
      timer.live = false;
      timer.fn();
    }
  }
  get pending(): number {
    return this.timers.filter((x) => x.live).length;
  }
}

/** A database whose ANALYZE takes `cost` ms of the manual clock and finishes when released. */
function fakeDb(clock: ManualClock, cost: number) {
  const calls: string[] = [];
  const finish: (() => void)[] = [];
  const db: SqlClient = {
    query<T>(sql: string): Promise<QueryResult<T>> {
      calls.push(sql);
      return new Promise((resolve) => {
        finish.push(() => {
          clock.t += cost;
          resolve({ rows: [], rowCount: 0 });
        });
      });
    },
  };
  return { db, calls, release: () => finish.shift()?.() };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

/** Statistics whose node started on a database of `stored` resources, baseline already read. */
async function started(db: SqlClient, clock: StatisticsClock, stored = 0, onError?: (err: unknown) => void): Promise<TableStatistics> {
  const stats = new TableStatistics(db, onError, clock, async () => stored);
  stats.wrote(0);
  await settle();
  return stats;
}

/** Statistics on an empty database whose first ANALYZE (taking `cost` ms) has run. */
async function afterFirstRun(cost: number) {
  const clock = new ManualClock();
  const db = fakeDb(clock, cost);
  const stats = await started(db.db, clock);
  stats.wrote(ANALYZE_MIN_ROWS);
  db.release();
  await stats.idle();
  return { clock, stats, calls: db.calls, release: db.release };
}

describe('TableStatistics', () => {
  it('analyses once enough rows are written, then each time the data about doubles', async () => {
    const clock = new ManualClock();
    const { db, calls, release } = fakeDb(clock, 0);
    const stats = await started(db, clock);
    stats.wrote(ANALYZE_MIN_ROWS - 1);
    expect(calls).toHaveLength(0);
    stats.wrote(1);
    expect(calls).toEqual(['ANALYZE']);
    release();
    await stats.idle();
    stats.wrote(ANALYZE_MIN_ROWS - 1);
    expect(calls).toHaveLength(1);
    stats.wrote(1); // 4,000 written, 2,000 known
    expect(calls).toHaveLength(2);
    release();
    await stats.idle();
    stats.wrote(3999); // 4,000 known: the next run needs 4,000 more
    expect(calls).toHaveLength(2);
  });

  it('runs one ANALYZE at a time, however much is written meanwhile', async () => {
    const clock = new ManualClock();
    const { db, calls, release } = fakeDb(clock, 0);
    const stats = await started(db, clock);
    stats.wrote(ANALYZE_MIN_ROWS);
    stats.wrote(100_000);
    expect(calls).toHaveLength(1);
    release();
    await stats.idle();
    // What was written during the run is counted towards the next one.
    stats.wrote(0);
    expect(calls).toHaveLength(2);
  });

  it('waits after a run for GAP_FACTOR times its duration, then runs what was held back', async () => {
    const { clock, stats, calls, release } = await afterFirstRun(3000); // each ANALYZE takes 3 s
    stats.wrote(ANALYZE_MIN_ROWS * 10); // due by the row count, but inside the gap
    expect(calls).toHaveLength(1);
    expect(clock.pending).toBe(1);
    stats.wrote(ANALYZE_MIN_ROWS); // still one run waiting, not two
    expect(clock.pending).toBe(1);
    clock.advance(3000 * ANALYZE_GAP_FACTOR - 1);
    expect(calls).toHaveLength(1);
    clock.advance(1);
    expect(calls).toHaveLength(2); // the held-back run starts once the gap has passed
    release();
    await stats.idle();
    expect(clock.pending).toBe(0);
  });

  it('an explicit analyze covers everything written and drops the run waiting for its gap', async () => {
    const { clock, stats, calls, release } = await afterFirstRun(1000);
    stats.wrote(ANALYZE_MIN_ROWS * 5);
    expect(clock.pending).toBe(1);
    const explicit = stats.analyze();
    await settle();
    release();
    await explicit;
    expect(calls).toHaveLength(2);
    clock.advance(1000 * ANALYZE_GAP_FACTOR * 2);
    expect(calls).toHaveLength(2);
    // Counted as known: the next background run needs the data to double again.
    stats.wrote(ANALYZE_MIN_ROWS * 5);
    expect(calls).toHaveLength(2);
  });

  it('a failed ANALYZE is reported and the rows stay counted for the next attempt', async () => {
    const clock = new ManualClock();
    const errors: unknown[] = [];
    let fail = true;
    const calls: string[] = [];
    const db: SqlClient = {
      async query<T>(sql: string): Promise<QueryResult<T>> {
        calls.push(sql);
        if (fail) throw new Error('cancelled');
        return { rows: [], rowCount: 0 };
      },
    };
    const stats = await started(db, clock, 0, (e) => errors.push(e));
    stats.wrote(ANALYZE_MIN_ROWS);
    await stats.idle();
    expect(errors).toHaveLength(1);
    fail = false;
    stats.wrote(0);
    expect(calls).toHaveLength(2);
    await stats.idle();
  });

  it('counts from the size of the database the node started on, read before the first decision', async () => {
    const clock = new ManualClock();
    const { db, calls, release } = fakeDb(clock, 0);
    let answer: (n: number) => void = () => {};
    const stats = new TableStatistics(db, undefined, clock, () => new Promise((r) => (answer = r)));
    stats.wrote(ANALYZE_MIN_ROWS * 3); // written while the size is being read: counted, not yet judged
    expect(calls).toHaveLength(0);
    answer(50_000);
    await settle();
    expect(calls).toHaveLength(0); // 6,000 of 50,000: the data has not doubled
    stats.wrote(50_000 - ANALYZE_MIN_ROWS * 3);
    expect(calls).toEqual(['ANALYZE']);
    release();
    await stats.idle();
  });

  it('reads the stored size from the planner statistics of the resources table', async () => {
    const seen: string[] = [];
    const db: SqlClient = {
      async query<T>(sql: string): Promise<QueryResult<T>> {
        seen.push(sql);
        return { rows: (sql.includes('reltuples') ? [{ n: -1 }] : []) as T[], rowCount: 1 };
      },
    };
    const stats = new TableStatistics(db, undefined, new ManualClock());
    stats.wrote(ANALYZE_MIN_ROWS);
    await settle();
    // -1 (never analysed) counts as empty, so the first run comes at the minimum.
    expect(seen).toEqual([expect.stringContaining('reltuples'), 'ANALYZE']);
    await stats.idle();
  });

  it('cancel drops a waiting run', async () => {
    const { clock, stats, calls } = await afterFirstRun(500);
    stats.wrote(ANALYZE_MIN_ROWS * 4);
    stats.cancel();
    clock.advance(60_000);
    expect(calls).toHaveLength(1);
  });
});
