/**
 * The embedded engine's checkpoints: PGlite's single-user PostgreSQL never checkpoints by itself,
 * so the WAL written since the last checkpoint only grows until `WalCheckpoints` runs one; and
 * the start-up settings that cut the WAL written are in force.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from './pglite-database.js';
import { WalCheckpoints } from './wal-checkpoints.js';
import type { Database } from './database.js';

describe('WAL checkpoints on PGlite', () => {
  let db: Database;
  let checkpoints: WalCheckpoints | undefined;
  beforeEach(async () => {
    db = await openPgliteDatabase('memory://');
    await db.exec(`CREATE TABLE t (id int PRIMARY KEY, body text)`);
  });
  afterEach(async () => {
    await checkpoints?.stop();
    checkpoints = undefined;
    await db.close();
  });

  /** Writes about `mb` megabytes of rows (in text PostgreSQL cannot compress much). */
  const write = async (mb: number, from = 0) => {
    await db.query(`INSERT INTO t SELECT i, md5(i::text) || repeat(md5((i * 7)::text), 30) FROM generate_series($1::int, $2::int) i`, [from, from + mb * 1000 - 1]);
  };

  it('lets the WAL grow without one (nothing in single-user mode asks for it)', async () => {
    checkpoints = new WalCheckpoints(db, { intervalMs: 3_600_000 });
    const before = await checkpoints.walSinceCheckpoint();
    await write(3);
    expect(await checkpoints.walSinceCheckpoint()).toBeGreaterThan(before + 2_000_000);
  });

  it('runs CHECKPOINT once the WAL since the last one passes the limit, and not before', async () => {
    checkpoints = new WalCheckpoints(db, { maxBytes: 2_000_000, intervalMs: 3_600_000 });
    await write(3);
    expect(await checkpoints.walSinceCheckpoint()).toBeGreaterThan(2_000_000);
    expect(await checkpoints.check()).toBe(true);
    expect(await checkpoints.walSinceCheckpoint()).toBeLessThan(100_000);
    expect(await checkpoints.check()).toBe(false);
    // The rows written before the checkpoint are all there.
    expect((await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM t`)).rows[0]!.n).toBe(3000);
  });

  it('checks when poked once intervalMs has passed since the last check, one check at a time', async () => {
    let now = 0;
    checkpoints = new WalCheckpoints(db, { maxBytes: 2_000_000, intervalMs: 1_000, now: () => now });
    await write(3);
    now = 999;
    checkpoints.poke();
    expect(await checkpoints.walSinceCheckpoint()).toBeGreaterThan(2_000_000);
    now = 1_000;
    checkpoints.poke();
    checkpoints.poke();
    await expect.poll(() => checkpoints!.walSinceCheckpoint(), { timeout: 5_000 }).toBeLessThan(100_000);
  });

  it('reports a failed check, and checks again when poked after the next interval', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    let now = 0;
    const failing = { query: async () => { calls++; throw new Error('boom'); } };
    checkpoints = new WalCheckpoints(failing, { intervalMs: 10, onError: (err) => errors.push(err), now: () => now });
    now = 10;
    checkpoints.poke();
    await expect.poll(() => errors.length).toBe(1);
    expect(String(errors[0])).toContain('boom');
    checkpoints.poke();
    now = 20;
    checkpoints.poke();
    await expect.poll(() => errors.length).toBe(2);
    expect(calls).toBe(2);
  });

  it('are run by the embedded engine after its statements and transactions', async () => {
    const engine = await openPgliteDatabase('memory://', { checkpoints: { intervalMs: 0, maxBytes: 1_000_000 } });
    try {
      const wal = new WalCheckpoints(engine);
      await engine.exec(`CREATE TABLE t (id int PRIMARY KEY, body text)`);
      await engine.transaction((tx) => tx.query(`INSERT INTO t SELECT i, repeat(md5(i::text), 30) FROM generate_series(1, 3000) i`));
      await expect.poll(() => wal.walSinceCheckpoint(), { timeout: 5_000 }).toBeLessThan(1_000_000);
      await engine.query(`INSERT INTO t SELECT i, repeat(md5(i::text), 30) FROM generate_series(3001, 6000) i`);
      await expect.poll(() => wal.walSinceCheckpoint(), { timeout: 5_000 }).toBeLessThan(1_000_000);
    } finally {
      await engine.close();
    }
  });

  it('starts PGlite without full-page images and without zero-filling new WAL files', async () => {
    const show = async (name: string) => Object.values((await db.query<Record<string, string>>(`SHOW ${name}`)).rows[0]!)[0];
    expect(await show('full_page_writes')).toBe('off');
    expect(await show('wal_init_zero')).toBe('off');
  });
});
