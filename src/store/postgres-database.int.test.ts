/**
 * The PostgreSQL engine's statement options: `plan: 'generic'` (`'custom'`) statements run on
 * connections that always use a generic (custom) plan, keeping whatever server options the
 * connection string sets (in a transaction, the mode is set for that statement alone); other
 * statements keep PostgreSQL's default choice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase } from '../../test/support/test-store.js';
import { openPostgresDatabase } from './postgres-database.js';
import type { Database } from './database.js';

describe('PostgreSQL statements asking for a generic plan', () => {
  let db: Database;
  beforeAll(async () => {
    const url = await createPostgresDatabase();
    db = await openPostgresDatabase(`${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent('-c application_name=tessera-plan-test')}`, 2);
  });
  afterAll(async () => db.close());

  const settings = `SELECT current_setting('plan_cache_mode') AS mode, current_setting('application_name') AS app, $1::text AS echo`;

  it('run with generic plans, keeping the connection string\'s own options', async () => {
    const res = await db.query<{ mode: string; app: string; echo: string }>(settings, ['x'], { prepare: true, plan: 'generic' });
    expect(res.rows).toEqual([{ mode: 'force_generic_plan', app: 'tessera-plan-test', echo: 'x' }]);
    const plain = await openPostgresDatabase(await createPostgresDatabase(), 1);
    try {
      expect((await plain.query<{ mode: string }>(settings, ['x'], { prepare: true, plan: 'generic' })).rows[0]!.mode).toBe('force_generic_plan');
    } finally {
      await plain.close();
    }
  });

  it('asking for custom plans, are planned for their values every time, on connections of their own', async () => {
    await db.exec(`CREATE TABLE custom_probe (k int PRIMARY KEY)`);
    const q = `SELECT current_setting('plan_cache_mode') AS mode, count(*)::int AS n FROM custom_probe WHERE k = $1`;
    for (let i = 0; i < 8; i++) expect((await db.query(q, [i], { prepare: true, plan: 'custom' })).rows).toEqual([{ mode: 'force_custom_plan', n: 0 }]);
    // Past PostgreSQL's five custom runs, still never a generic plan (on whichever connection answers).
    const plans = await db.query<{ mode: string; generic: number; custom: number }>(
      `SELECT current_setting('plan_cache_mode') AS mode, generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE statement = $1`, [q], { plan: 'custom' });
    expect(plans.rows).toEqual([expect.objectContaining({ mode: 'force_custom_plan', generic: 0 })]);
    expect(plans.rows[0]!.custom).toBeGreaterThan(0);
    const inTx = await db.transaction(async (tx) => [
      (await tx.query<{ mode: string }>(settings, ['a'], { prepare: true, plan: 'custom' })).rows[0]!.mode,
      (await tx.query<{ mode: string }>(settings, ['b'], { prepare: true })).rows[0]!.mode,
    ]);
    expect(inTx).toEqual(['force_custom_plan', 'auto']);
  });

  it('leave every other statement to PostgreSQL\'s default', async () => {
    expect((await db.query<{ mode: string; app: string }>(settings, ['y'], { prepare: true })).rows[0]).toMatchObject({ mode: 'auto', app: 'tessera-plan-test' });
  });

  it('in a transaction, use a generic plan for that statement alone', async () => {
    const modes = await db.transaction(async (tx) => {
      const before = (await tx.query<{ mode: string }>(settings, ['a'], { prepare: true })).rows[0]!.mode;
      const during = (await tx.query<{ mode: string }>(settings, ['b'], { prepare: true, plan: 'generic' })).rows[0]!.mode;
      const after = (await tx.query<{ mode: string }>(settings, ['c'], { prepare: true })).rows[0]!.mode;
      return [before, during, after];
    });
    expect(modes).toEqual(['auto', 'force_generic_plan', 'auto']);
    // A failing generic statement fails the transaction with its own error, and leaves the
    // connection as it was for the next transaction.
    await expect(db.transaction((tx) => tx.query('SELECT 1 / ($1::int - 1) AS n', [1], { prepare: true, plan: 'generic' }))).rejects.toThrow(/division by zero/);
    for (let i = 0; i < 3; i++) {
      expect(await db.transaction(async (tx) => (await tx.query<{ mode: string }>(settings, ['d'], { prepare: true })).rows[0]!.mode)).toBe('auto');
    }
  });

  it('in a transaction with a generic mode, plan every statement generically unless it asks otherwise, set with the BEGIN', async () => {
    const modes = await db.transaction(async (tx) => {
      const seen: string[] = [];
      for (const plan of [undefined, 'generic', 'custom', undefined] as const) {
        seen.push((await tx.query<{ mode: string }>(settings, ['t'], { prepare: true, ...(plan ? { plan } : {}) })).rows[0]!.mode);
      }
      return seen;
    }, { plan: 'generic' });
    expect(modes).toEqual(['force_generic_plan', 'force_generic_plan', 'force_custom_plan', 'force_generic_plan']);
    // Rolled back or committed, the mode ends with the transaction.
    await expect(db.transaction(() => Promise.reject(new Error('abandon')), { plan: 'generic' })).rejects.toThrow('abandon');
    for (let i = 0; i < 3; i++) {
      expect(await db.transaction(async (tx) => (await tx.query<{ mode: string }>(settings, ['e'], { prepare: true })).rows[0]!.mode)).toBe('auto');
    }
  });

  it('give the same answers as custom plans for a value-dependent query', async () => {
    await db.exec(`CREATE TABLE plan_probe (k text, n int); INSERT INTO plan_probe SELECT CASE WHEN i % 100 = 0 THEN 'rare' ELSE 'common' END, i FROM generate_series(1, 2000) i; CREATE INDEX ON plan_probe (k); ANALYZE plan_probe;`);
    const q = 'SELECT count(*)::int AS n FROM plan_probe WHERE k = $1';
    for (const k of ['rare', 'common', 'rare', 'none']) {
      const generic = (await db.query<{ n: number }>(q, [k], { prepare: true, plan: 'generic' })).rows[0]!.n;
      const custom = (await db.query<{ n: number }>(q, [k], { prepare: true })).rows[0]!.n;
      expect(generic).toBe(custom);
    }
  });
});
