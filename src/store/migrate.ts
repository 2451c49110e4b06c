/**
 * Versioned schema migrations, run on every start. Each `migrations/NNNN-name.sql` runs once, in
 * order, inside a transaction, and is recorded in `schema_migrations`. An advisory lock keeps two
 * app nodes starting at once from racing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { Database } from './database.js';

/** Where the SQL files live: next to this module in source, copied beside it in `dist`. */
export function migrationsDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // In dist/src/store the SQL is not compiled, so read it from the source tree.
  const candidates = [path.join(here, 'migrations'), path.join(here, '../../../src/store/migrations')];
  for (const c of candidates) {
    try {
      if (readdirSync(c).some((f) => f.endsWith('.sql'))) return c;
    } catch {
      // try the next candidate
    }
  }
  throw new Error(`no migrations found near ${here}`);
}

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads the migration files in version order. */
export function loadMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}-.+\.sql$/.test(f))
    .sort()
    .map((f) => ({ version: Number(f.slice(0, 4)), name: f.slice(5, -4), sql: readFileSync(path.join(dir, f), 'utf8') }));
}

/** Applies pending migrations; returns the versions applied now. */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  await db.transaction(async (tx) => {
    // Serialises concurrent starters on PostgreSQL; harmless on PGlite.
    await tx.query('SELECT pg_advisory_xact_lock(7405311)');
    const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      for (const stmt of splitStatements(m.sql)) await tx.query(stmt);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      applied.push(m.version);
    }
  });
  return applied;
}

/**
 * Splits a migration script on semicolons at line ends, except inside a `$$`-quoted body (a
 * `DO $$ … $$;` block), whose own statements end lines with semicolons too.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let pending = '';
  for (const part of sql.split(/;\s*$/m)) {
    pending = pending === '' ? part : `${pending};${part}`;
    // An odd number of `$$` so far: still inside a body.
    if ((pending.match(/\$\$/g)?.length ?? 0) % 2 === 1) continue;
    statements.push(pending);
    pending = '';
  }
  if (pending !== '') statements.push(pending);
  return statements.map((s) => s.replace(/^\s*--.*$/gm, '').trim()).filter((s) => s.length > 0);
}
