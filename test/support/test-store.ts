/**
 * Test fixtures: a fresh, migrated store on either engine. The contract suites run once per
 * engine with `describe.each(ENGINES)`.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';
import type { Database } from '../../src/store/database.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { migrate } from '../../src/store/migrate.js';

/** The two engines every store contract runs against. */
export const ENGINES = ['pglite', 'postgres'] as const;
export type Engine = (typeof ENGINES)[number];

/** Creates an empty database on the shared test cluster and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  const base = inject('postgresUrl');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return base.replace(/\/postgres$/, `/${name}`);
}

/** A fresh, empty database on `engine`, with no migrations run (for tests of a migration). */
export async function openUnmigratedTestDatabase(engine: Engine): Promise<Database> {
  return engine === 'pglite' ? openPgliteDatabase('memory://') : openPostgresDatabase(await createPostgresDatabase(), 8);
}

/** A fresh, migrated database on `engine`. */
export async function openTestDatabase(engine: Engine): Promise<Database> {
  const db = await openUnmigratedTestDatabase(engine);
  await migrate(db);
  return db;
}
