/**
 * Crash safety: SIGKILL the server in the middle of importing large transaction bundles, restart
 * it, and check each bundle is either wholly there or wholly absent, and that every acknowledged
 * bundle survived — on PGlite (data folder) and on PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createPostgresDatabase, ENGINES } from '../support/test-store.js';
import { killHard, startServerProcess } from '../support/server-process.js';

const BUNDLE_FILES = [
  'Buster_Hoeger_ad2e3fc5-2b5d-4cb9-8d03-9ea0f4ac8423.json.gz',
  'Luigi_Wiegand_e27d88b0-c5e5-4042-ad49-184f6a900ee3.json.gz',
  'Agustin_Fonseca_cb5696d9-a0de-4f49-94f9-433f96a28eb0.json.gz',
];
const COPIES = 12;

/** A Synthea bundle with every resource tagged `urn:crash|k`, so its presence can be counted. */
function taggedBundle(k: number): { bundle: unknown; size: number } {
  const file = BUNDLE_FILES[k % BUNDLE_FILES.length]!;
  const bundle = JSON.parse(gunzipSync(readFileSync(path.join('demo/synthea', file))).toString('utf8'));
  for (const e of bundle.entry) {
    e.resource.meta = { ...(e.resource.meta ?? {}), tag: [{ system: 'urn:crash', code: `b${k}` }] };
  }
  return { bundle, size: bundle.entry.length };
}

async function countTagged(baseUrl: string, k: number, auth: { authorization: string }): Promise<number> {
  let total = 0;
  // Count across every type in the bundle through the system-wide history is overkill; search per type.
  for (const type of ['Patient', 'Observation', 'Encounter', 'Claim', 'ExplanationOfBenefit', 'Immunization', 'Condition', 'Procedure', 'MedicationRequest', 'CarePlan', 'DiagnosticReport', 'Organization', 'Practitioner', 'Goal', 'CareTeam', 'AllergyIntolerance', 'ImagingStudy', 'Medication', 'MedicationAdministration', 'Device', 'DocumentReference', 'Provenance', 'SupplyDelivery']) {
    const res = await fetch(`${baseUrl}/fhir/${type}?_tag=urn:crash|b${k}&_summary=count`, { headers: auth });
    const body = (await res.json()) as { total?: number };
    total += body.total ?? 0;
  }
  return total;
}

describe.each(ENGINES)('crash safety on %s', (engine) => {
  it('leaves each transaction wholly present or wholly absent after SIGKILL', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-crash-'));
    const env: Record<string, string> = engine === 'postgres' ? { DATABASE_URL: await createPostgresDatabase() } : {};
    const args = ['--no-demo', '--data', dataDir];
    try {
      const server = await startServerProcess(args, env);
      const bundles = Array.from({ length: COPIES }, (_, k) => taggedBundle(k));
      const acked = new Set<number>();
      const attempted = new Set<number>();
      // Two clients post bundles; the server is killed once a few have been acknowledged,
      // so others are in flight at the moment of the kill.
      let killed = false;
      const client = async (start: number) => {
        for (let k = start; k < COPIES; k += 2) {
          if (killed) return;
          attempted.add(k);
          try {
            const res = await fetch(`${server.baseUrl}/fhir`, {
              method: 'POST',
              headers: { 'content-type': 'application/fhir+json', prefer: 'return=minimal', ...server.auth },
              body: JSON.stringify(bundles[k]!.bundle),
            });
            if (res.status === 200) acked.add(k);
            else throw new Error(`bundle ${k} answered ${res.status}: ${await res.text()}`);
          } catch (err) {
            if (!killed) throw err;
          }
        }
      };
      const killer = (async () => {
        while (acked.size < 3) await new Promise((r) => setTimeout(r, 5));
        await new Promise((r) => setTimeout(r, 40));
        killed = true;
        await killHard(server);
      })();
      await Promise.all([client(0), client(1), killer]);
      expect(acked.size).toBeGreaterThanOrEqual(3);
      expect(acked.size).toBeLessThan(COPIES);

      const restarted = await startServerProcess(args, env);
      try {
        for (const k of attempted) {
          const n = await countTagged(restarted.baseUrl, k, restarted.auth);
          const size = bundles[k]!.size;
          if (acked.has(k)) expect(n, `acknowledged bundle ${k}`).toBe(size);
          else expect([0, size], `in-flight bundle ${k}`).toContain(n);
        }
        // The server still works after recovery.
        const write = await fetch(`${restarted.baseUrl}/fhir/Patient`, {
          method: 'POST', headers: { 'content-type': 'application/fhir+json', ...restarted.auth }, body: JSON.stringify({ resourceType: 'Patient', active: true }),
        });
        expect(write.status).toBe(201);
      } finally {
        await killHard(restarted);
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 180_000);
});
