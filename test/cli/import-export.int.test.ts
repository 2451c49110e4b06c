/**
 * The `tessera import` and `tessera export` commands, run as real processes on a fresh PGlite
 * data folder: bundles (transaction, gzipped), NDJSON with conditional references, a summary line,
 * and an NDJSON export per type that round-trips.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from '../../src/store/pglite-database.js';
import { verifyAuditChains } from '../../src/store/audit-log.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-cli-'));
const dataDir = path.join(tmp, 'data');

function tessera(...args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--data', dataDir], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'warn' } });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tessera import / export', () => {
  it('imports a gzipped transaction bundle and NDJSON with conditional references, then exports NDJSON', async () => {
    const fx = 'test/fixtures/bulk-ndjson';
    const res = tessera(
      'import',
      'demo/synthea/Buster_Hoeger_ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423.json.gz',
      `${fx}/Organization.000.ndjson`, `${fx}/Practitioner.000.ndjson`, `${fx}/Location.000.ndjson`, `${fx}/Patient.000.ndjson`, `${fx}/Encounter.sample.ndjson`,
    );
    expect(res.stderr).not.toMatch(/FAILED/);
    expect(res.code).toBe(0);
    // 66 Synthea entries + 43 + 43 + 44 + 13 + 20 NDJSON lines.
    expect(res.stdout).toMatch(/Imported 229 resources from 6 of 6 files/);

    const again = tessera('import', `${fx}/Patient.000.ndjson`);
    expect(again.code).toBe(0);

    const out = path.join(tmp, 'export');
    const exp = tessera('export', '--out', out);
    expect(exp.code).toBe(0);
    const files = readdirSync(out).sort();
    expect(files).toEqual(expect.arrayContaining(['Encounter.ndjson', 'Location.ndjson', 'Organization.ndjson', 'Patient.ndjson', 'Practitioner.ndjson', 'Observation.ndjson']));
    const patients = readFileSync(path.join(out, 'Patient.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(patients).toHaveLength(14);
    // Re-importing identical NDJSON made no new versions.
    const bulk = patients.filter((p) => p.meta.profile);
    expect(bulk.every((p) => p.meta.versionId === '1')).toBe(true);
    const encounters = readFileSync(path.join(out, 'Encounter.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const resolved = encounters.flatMap((e) => e.participant ?? []).map((p: any) => p.individual?.reference).filter(Boolean);
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved.every((r: string) => /^Practitioner\/[^?]+$/.test(r))).toBe(true);

    // The export is audited: one event in each exported patient's trail, and the chains verify.
    const db = await openPgliteDatabase(dataDir);
    try {
      const rows = (await db.query<{ chain_key: string }>(`SELECT chain_key FROM audit_events WHERE action = 'export'`)).rows;
      expect(new Set(rows.map((r) => r.chain_key)).size).toBe(rows.length);
      expect(rows.length).toBeGreaterThanOrEqual(14);
      expect((await verifyAuditChains(db)).problems).toEqual([]);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('reports a failing file in the summary and exits 1', () => {
    const bad = path.join(tmp, 'bad.json');
    writeFileSync(bad, '{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient","gender":"x"},"request":{"method":"POST","url":"Patient"}}]}');
    const res = tessera('import', bad);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/bad\.json: FAILED/);
    expect(res.stderr).toMatch(/gender/);
  }, 60_000);

  it('explains usage for an unknown command', () => {
    const res = tessera('frobnicate');
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/Unknown command/);
  });
});
