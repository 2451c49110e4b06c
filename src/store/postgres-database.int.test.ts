/**
 * The PostgreSQL engine's statement options: `plan: 'generic'` statements run on connections
 * that always use a generic plan, keeping whatever server options the connection string sets;
 * other statements, and transactions, keep PostgreSQL's default choice.
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

  it('leave every other statement, and transactions, to PostgreSQL\'s default', async () => {
    expect((await db.query<{ mode: string; app: string }>(settings, ['y'], { prepare: true })).rows[0]).toMatchObject({ mode: 'auto', app: 'tessera-plan-test' });
    const inTx = await db.transaction((tx) => tx.query<{ mode: string }>(settings, ['z'], { prepare: true, plan: 'generic' }));
    expect(inTx.rows[0]!.mode).toBe('auto');
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
