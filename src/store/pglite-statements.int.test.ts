/**
 * The embedded engine's prepared statements: a statement marked `prepare` is parsed once under a
 * name and then only bound and run, with results exactly as an unnamed statement's; errors leave
 * the session usable; outside a transaction it never runs inside someone else's.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from './pglite-database.js';
import { MAX_PGLITE_PREPARED } from './pglite-statements.js';
import type { Database } from './database.js';

describe('PGlite prepared statements', () => {
  let db: Database;
  beforeEach(async () => {
    db = await openPgliteDatabase('memory://');
    await db.exec(`CREATE TABLE t (id int PRIMARY KEY, name text, at timestamptz, tags text[], n bigint)`);
  });
  afterEach(async () => db.close());

  const prepared = async () =>
    (await db.query<{ statement: string; generic_plans: number; custom_plans: number }>(
      `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE NOT from_sql`,
    )).rows;

  it('give the same rows and counts as unnamed statements, values of every type bound alike', async () => {
    const insert = `INSERT INTO t (id, name, at, tags, n) VALUES ($1, $2, $3, $4, $5), ($6, NULL, NULL, NULL, NULL)`;
    const ins = await db.query(insert, [1, "O'Brien", new Date('2024-02-29T12:00:00Z'), ['a', 'b,c', 'd"e'], 9007199254740991, 2], { prepare: true });
    expect(ins.rowCount).toBe(2);
    const select = `SELECT id, name, at, tags, n FROM t WHERE id = ANY($1::int[]) OR name = $2 ORDER BY id`;
    const a = await db.query(select, [[1, 2], null], { prepare: true });
    const b = await db.query(select, [[1, 2], null]);
    expect(a).toEqual(b);
    expect(a.rows[0]).toEqual({ id: 1, name: "O'Brien", at: new Date('2024-02-29T12:00:00Z'), tags: ['a', 'b,c', 'd"e'], n: 9007199254740991 });
    const upd = await db.query(`UPDATE t SET name = $1 WHERE id > $2`, ['x', 0], { prepare: true });
    expect(upd.rowCount).toBe(2);
    expect((await prepared()).map((p) => p.statement).sort()).toEqual([insert, select, `UPDATE t SET name = $1 WHERE id > $2`].sort());
  });

  it('are parsed once and run again by name, so PostgreSQL can keep a generic plan', async () => {
    const sql = `SELECT count(*)::int AS c FROM t WHERE id = $1`;
    for (let i = 0; i < 10; i++) expect((await db.query<{ c: number }>(sql, [i], { prepare: true })).rows).toEqual([{ c: 0 }]);
    const [stmt, ...more] = await prepared();
    expect(more).toEqual([]);
    expect(stmt!.statement).toBe(sql);
    expect(stmt!.generic_plans + stmt!.custom_plans).toBe(10);
    expect(stmt!.generic_plans).toBeGreaterThan(0);
  });

  it('report errors and leave the session ready; a statement that fails to parse is not kept', async () => {
    await expect(db.query(`SELECT 1 / $1::int AS x`, [0], { prepare: true })).rejects.toThrow(/division by zero/);
    expect((await db.query(`SELECT 1 / $1::int AS x`, [1], { prepare: true })).rows).toEqual([{ x: 1 }]);
    await expect(db.query(`SELEC 1`, [], { prepare: true })).rejects.toThrow(/syntax error/);
    await expect(db.query(`SELEC 1`, [], { prepare: true })).rejects.toThrow(/syntax error/);
    expect((await prepared()).map((p) => p.statement)).toEqual([`SELECT 1 / $1::int AS x`]);
    expect((await db.query(`SELECT 2 AS y`)).rows).toEqual([{ y: 2 }]);
  });

  it('asked for a generic plan, plan once for all values, and report their own errors', async () => {
    const sql = `SELECT current_setting('plan_cache_mode') AS mode, count(*)::int AS c FROM t WHERE id = $1`;
    expect((await db.query(sql, [1], { prepare: true, plan: 'generic' })).rows).toEqual([{ mode: 'force_generic_plan', c: 0 }]);
    expect((await db.query(sql, [1], { prepare: true })).rows).toEqual([{ mode: 'auto', c: 0 }]);
    const [stmt] = (await prepared()).filter((p) => p.statement === sql);
    expect(stmt!.generic_plans).toBe(1);
    await db.query(`INSERT INTO t (id) VALUES (1)`);
    const insert = `INSERT INTO t (id) VALUES ($1)`;
    await expect(db.transaction((tx) => tx.query(insert, [1], { prepare: true, plan: 'generic' }))).rejects.toMatchObject({ code: '23505' });
    await expect(db.query(insert, [1], { prepare: true, plan: 'generic' })).rejects.toMatchObject({ code: '23505' });
    expect((await db.query(`SELECT current_setting('plan_cache_mode') AS mode`)).rows).toEqual([{ mode: 'auto' }]);
  });

  it('asked for a custom plan, are planned for each call\'s values, however often they run', async () => {
    const sql = `SELECT current_setting('plan_cache_mode') AS mode, count(*)::int AS c FROM t WHERE id = $1`;
    for (let i = 0; i < 8; i++) expect((await db.query(sql, [i], { prepare: true, plan: 'custom' })).rows).toEqual([{ mode: 'force_custom_plan', c: 0 }]);
    const [stmt] = (await prepared()).filter((p) => p.statement === sql);
    expect([stmt!.generic_plans, stmt!.custom_plans]).toEqual([0, 8]);
    expect((await db.query(`SELECT current_setting('plan_cache_mode') AS mode`)).rows).toEqual([{ mode: 'auto' }]);
  });

  it('inside a transaction are part of it: rolled back with it, and the statement survives', async () => {
    const insert = `INSERT INTO t (id) VALUES ($1)`;
    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, [1], { prepare: true });
        expect((await tx.query(`SELECT count(*)::int AS c FROM t`, [], { prepare: true })).rows).toEqual([{ c: 1 }]);
        throw new Error('abandon');
      }),
    ).rejects.toThrow('abandon');
    expect((await db.query(`SELECT count(*)::int AS c FROM t`, [], { prepare: true })).rows).toEqual([{ c: 0 }]);
    await db.transaction(async (tx) => tx.query(insert, [2], { prepare: true }));
    expect((await db.query(`SELECT id FROM t`)).rows).toEqual([{ id: 2 }]);
  });

  it('outside a transaction wait for an open one to end, never running inside it', async () => {
    let inserted!: () => void;
    const ready = new Promise<void>((r) => (inserted = r));
    const tx = db.transaction(async (t) => {
      await t.query(`INSERT INTO t (id) VALUES (1)`);
      inserted();
      await new Promise((r) => setTimeout(r, 50));
      throw new Error('abandon');
    });
    await ready;
    const outside = db.query<{ c: number }>(`SELECT count(*)::int AS c FROM t`, [], { prepare: true });
    await expect(tx).rejects.toThrow('abandon');
    expect((await outside).rows).toEqual([{ c: 0 }]);
  });

  it('are capped per database; past the cap statements still run, unnamed', async () => {
    for (let i = 0; i <= MAX_PGLITE_PREPARED; i++) {
      expect((await db.query<{ v: number }>(`SELECT $1::int + ${i} AS v`, [1], { prepare: true })).rows).toEqual([{ v: 1 + i }]);
    }
    expect(await prepared()).toHaveLength(MAX_PGLITE_PREPARED);
  });
});
