/**
 * `tessera import --parallel 2` on PostgreSQL: a generated population's files of one number load
 * two at a time and the database ends exactly as after a one-at-a-time import (same resources,
 * same versions, every conditional reference resolved); importing again in parallel writes
 * nothing.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../src/cli/generate-command.js';
import { runImport } from '../../src/cli/import-command.js';
import { loadConfig } from '../../src/config/config.js';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { createPostgresDatabase } from '../support/test-store.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-parallel-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Resources and versions per type, and references that name a search instead of a resource. */
async function summary(url: string) {
  const db = await openPostgresDatabase(url, 2);
  try {
    const types = await db.query<{ resource_type: string; n: number }>('SELECT resource_type, count(*)::int AS n FROM resources GROUP BY 1 ORDER BY 1');
    const versions = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource_versions');
    const unresolved = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM resources WHERE content LIKE '%"reference":"%?identifier=%'`);
    return { types: types.rows, versions: versions.rows[0]!.n, unresolved: unresolved.rows[0]!.n };
  } finally {
    await db.close();
  }
}

describe('tessera import --parallel on postgres', () => {
  it('ends as a one-at-a-time import does, and re-importing writes nothing', async () => {
    const out = path.join(tmp, 'generated');
    expect(await runGenerate({ patients: 220, seed: 3, out, now: new Date('2026-06-01T00:00:00Z') })).toBe(0);
    const files = readdirSync(out).filter((f) => f.endsWith('.json.gz')).sort().map((f) => path.join(out, f));
    expect(files.some((f) => path.basename(f).startsWith('0003-'))).toBe(true);
    const config = (url: string) => ({ ...loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'silent' }, { loadDemo: false }), loadDemo: false });

    const one = await createPostgresDatabase();
    const two = await createPostgresDatabase();
    expect(await runImport(config(one), files, 1)).toBe(0);
    expect(await runImport(config(two), files, 2)).toBe(0);
    const sequential = await summary(one);
    const parallel = await summary(two);
    expect(parallel).toEqual(sequential);
    expect(parallel.unresolved).toBe(0);

    expect(await runImport(config(two), files, 2)).toBe(0);
    expect((await summary(two)).versions).toBe(sequential.versions);
  }, 300_000);
});
