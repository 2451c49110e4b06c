import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickDemoIdentities } from '../auth/demo-users.js';
import { createStore } from '../main.js';
import { parseSearch } from '../search/parse-search.js';
import type { Database } from '../store/database.js';
import type { FhirStore } from '../store/fhir-store.js';
import { openTestDatabase } from '../../test/support/test-store.js';
import { loadUkDemoPopulation, UK_DEMO_PATIENTS } from './demo-uk.js';
import { AccessResolver } from '../store/caller-access.js';
import { testPrincipal } from '../../test/support/principals.js';

describe('UK demo population', () => {
  let db: Database;
  let store: FhirStore;
  let loadMs: number;
  const now = new Date('2026-06-01T12:00:00Z');

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    store = createStore(db);
    const t0 = performance.now();
    await loadUkDemoPopulation(store, 'http://localhost:8080/fhir', now);
    loadMs = performance.now() - t0;
  });
  afterAll(async () => db?.close());

  it('loads quickly, one GP record per person, linked to their hospital and laboratory records', async () => {
    expect(loadMs).toBeLessThan(20_000);
    const gp = await store.search(parseSearch(store.registry, 'Patient', [['identifier', 'https://fhir.nhs.uk/Id/nhs-number|'], ['_count', '1000']]));
    const gpRecords = gp.matches.map((m) => JSON.parse(m.json) as { id: string; meta: { source: string }; link?: unknown[] }).filter((p) => p.meta.source.includes('/systems/gp-'));
    expect(gpRecords).toHaveLength(UK_DEMO_PATIENTS);
    expect(gpRecords.filter((p) => (p.link?.length ?? 0) > 0).length).toBeGreaterThan(10);
  });

  it('gives the demo patient the largest record, spanning GP, hospital and laboratory, and the carer a child', async () => {
    const ids = (await pickDemoIdentities(store, now))!;
    const main = ids.patients[0]!;
    const req = parseSearch(store.registry, 'Patient', []);
    req.compartment = { type: 'Patient', id: main.id };
    const records = (await store.search(req)).matches.map((m) => (JSON.parse(m.json) as { meta: { source: string } }).meta.source);
    expect(records.map((s) => s.replace(/.*\/systems\/([a-z]+)-.*/, '$1')).sort()).toEqual(['gp', 'lab', 'trust']);
    const child = ids.proxyFor[0]!;
    const childRecord = JSON.parse((await store.readCurrent('Patient', child.id))!.json) as { birthDate: string };
    expect(childRecord.birthDate > '2015-06-01').toBe(true);
    expect(ids.carer).toBeDefined();
    expect(ids.carer!.id).not.toBe(main.id);
  });

  it('the demo GP and hospital doctor work where the demo patient is cared for: both may see the record, a stranger may not', async () => {
    const ids = (await pickDemoIdentities(store, now))!;
    const main = ids.patients[0]!.id;
    const access = new AccessResolver(db);
    const sees = async (organization: string) => {
      const caller = await access.resolve(testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/demo', organization }));
      return (await store.readCurrent('Patient', main, undefined, caller.visible)) !== undefined;
    };
    expect(ids.gpPractice && ids.hospital && ids.gpPractice.id !== ids.hospital.id).toBe(true);
    expect(await sees(`Organization/${ids.gpPractice!.id}`)).toBe(true);
    expect(await sees(`Organization/${ids.hospital!.id}`)).toBe(true);
    expect(await sees('Organization/nowhere')).toBe(false);
  });
});
