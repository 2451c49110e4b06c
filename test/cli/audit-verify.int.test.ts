/**
 * `tessera audit verify` as a real process, on a PGlite data folder (opened by the test only
 * while the command is not running, as on a stopped server) and on PostgreSQL: exit 0 on an
 * intact trail, 1 with a line per problem after a row is changed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { AccessRecord } from '../../src/audit/access-record.js';
import type { Database } from '../../src/store/database.js';
import { appendAuditRecords } from '../../src/store/audit-log.js';
import { migrate } from '../../src/store/migrate.js';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';
import { openPostgresDatabase } from '../../src/store/postgres-database.js';
import { ENGINES, createPostgresDatabase } from '../support/test-store.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-audit-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const read = (patientId: string): AccessRecord => ({
  action: 'read', outcome: 'success', at: new Date('2026-03-04T10:00:00Z'), patientIds: [patientId], entities: [`Patient/${patientId}`],
  agent: { reference: 'Practitioner/9', display: 'Dr Ada Okafor', role: 'gp', clientId: 'clinician-app' },
});

describe.each(ENGINES)('tessera audit verify on %s', (engine) => {
  const dataDir = path.join(tmp, engine);
  let databaseUrl = '';

  /** Opens the database the command will check, runs `fn`, and closes it again. */
  async function withDatabase(fn: (db: Database) => Promise<unknown>): Promise<void> {
    if (engine === 'postgres' && !databaseUrl) databaseUrl = await createPostgresDatabase();
    const db = engine === 'pglite' ? await openPgliteDatabase(dataDir) : await openPostgresDatabase(databaseUrl, 2);
    try {
      await migrate(db);
      await fn(db);
    } finally {
      await db.close();
    }
  }

  function tessera(...args: string[]) {
    const env = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: engine === 'postgres' ? databaseUrl : '' };
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--data', dataDir], { encoding: 'utf8', env });
    return { code: res.status, stdout: res.stdout, stderr: res.stderr };
  }

  it('exits 0 on an intact trail and 1, naming the row, after tampering', async () => {
    await withDatabase((db) => db.transaction(async (tx) => {
      await appendAuditRecords(tx, [read('p1'), read('p1'), read('p2')]);
      await appendAuditRecords(tx, [read('p1')]);
    }));
    const intact = tessera('audit', 'verify');
    expect(intact.stderr).toBe('');
    expect(intact.stdout).toBe('Checked 2 audit chains, 4 events: intact\n');
    expect(intact.code).toBe(0);

    await withDatabase((db) => db.query(`UPDATE audit_events SET content = replace(content, 'Dr Ada Okafor', 'Dr Nobody') WHERE chain_key = 'p1' AND seq = 2`));
    const tampered = tessera('audit', 'verify');
    expect(tampered.stdout).toMatch(/^chain p1 seq 2: hash-mismatch — the row was changed after it was written$/m);
    expect(tampered.stdout).toMatch(/Checked 2 audit chains, 4 events: 1 problem — the audit trail has been tampered with/);
    expect(tampered.code).toBe(1);
  }, 120_000);

  it('explains its usage for an unknown subcommand', () => {
    const res = tessera('audit', 'frobnicate');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Usage: tessera audit verify/);
  });
});
