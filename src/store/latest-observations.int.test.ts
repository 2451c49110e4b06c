/**
 * The record-based calculators' one query, on both engines: the newest Observations per code
 * (ordered as `_sort=-date` orders them), the Patient, and Conditions by code, across linked
 * Patient records and nobody else's. https://hl7.org/fhir/R4/patient.html#links
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../fhir/types.js';
import { parseSearch } from '../search/parse-search.js';
import { SearchRegistry } from '../search/registry.js';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';
import type { Database, QueryOptions, SqlClient } from './database.js';
import { FhirStore } from './fhir-store.js';
import { latestObservations, type LatestObservationsQuery } from './latest-observations.js';

const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';
const HR = { system: LOINC, code: '8867-4' };
const RR = { system: LOINC, code: '9279-1' };
const SYSTOLIC = { system: LOINC, code: '8480-6' };
const key = (c: { system: string; code: string }) => `${c.system}|${c.code}`;

function obs(id: string, patient: string, code: { system: string; code: string }, effective: string, extra: Record<string, unknown> = {}): Resource {
  return { resourceType: 'Observation', id, status: 'final', code: { coding: [code] }, subject: { reference: `Patient/${patient}` }, effectiveDateTime: effective, valueQuantity: { value: 1 }, ...extra };
}

describe.each(ENGINES)('latestObservations on %s', (engine) => {
  let db: Database;
  let store: FhirStore;
  const query = (q: Partial<LatestObservationsQuery> & { patientId: string }) =>
    latestObservations(db, { observationCodes: [HR, RR, SYSTOLIC], perCode: 2, conditionCodes: [], conditionLimit: 10, ...q });
  const ids = (r: { observations: readonly { id: string }[] }) => r.observations.map((o) => o.id);

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    store = new FhirStore({ db, registry: new SearchRegistry(), validate: () => [] });
    const put = (r: Resource) => store.update(r);
    // ann's record is in two systems: ann-gp links to ann-lab, and ann-hosp links to ann-lab.
    await put({ resourceType: 'Patient', id: 'ann-gp', gender: 'female', link: [{ other: { reference: 'Patient/ann-lab' }, type: 'seealso' }] });
    await put({ resourceType: 'Patient', id: 'ann-lab' });
    await put({ resourceType: 'Patient', id: 'ann-hosp', link: [{ other: { reference: 'Patient/ann-lab' }, type: 'seealso' }] });
    await put({ resourceType: 'Patient', id: 'bob' });
    await put({ resourceType: 'Patient', id: 'gone' });
    await store.delete('Patient', 'gone');

    await put(obs('hr-old', 'ann-gp', HR, '2024-05-01T08:00:00Z'));
    await put(obs('hr-mid', 'ann-gp', HR, '2024-05-01T09:00:00Z'));
    await put(obs('hr-new', 'ann-gp', HR, '2024-05-01T10:00:00Z'));
    // Newer still, but deleted: never returned, and takes nobody's place.
    await put(obs('hr-deleted', 'ann-gp', HR, '2024-05-01T11:00:00Z'));
    await store.delete('Observation', 'hr-deleted');
    // From the linked hospital record.
    await put(obs('rr-hosp', 'ann-hosp', RR, '2024-05-01T07:00:00Z'));
    // A systolic pressure inside a BP panel is found through its component (combo-code).
    await put(obs('bp', 'ann-gp', { system: LOINC, code: '85354-9' }, '2024-05-01T06:00:00Z', {
      valueQuantity: undefined, component: [{ code: { coding: [SYSTOLIC] }, valueQuantity: { value: 120 } }],
    }));
    // Two respiratory rates at the same instant: ties go to the smaller id, as in a search.
    await put(obs('rr-tie-b', 'ann-gp', RR, '2024-05-01T09:30:00Z'));
    await put(obs('rr-tie-a', 'ann-gp', RR, '2024-05-01T09:30:00Z'));
    // bob's, much newer: never part of ann's record.
    await put(obs('hr-bob', 'bob', HR, '2024-05-02T00:00:00Z'));
    await put(obs('rr-bob', 'bob', RR, '2024-05-02T00:00:00Z'));

    const condition = (id: string, patient: string, code: string): Resource => ({
      resourceType: 'Condition', id, code: { coding: [{ system: SCT, code }] }, subject: { reference: `Patient/${patient}` },
    });
    await put(condition('c-htn', 'ann-gp', '38341003'));
    await put(condition('c-dm', 'ann-lab', '44054006'));
    await put(condition('c-asthma', 'ann-gp', '195967001'));
    await put(condition('c-bob', 'bob', '38341003'));
    await put({ ...condition('c-both', 'ann-hosp', '38341003'), code: { coding: [{ system: SCT, code: '38341003' }, { system: SCT, code: '44054006' }] } });
    await put(condition('c-deleted', 'ann-gp', '38341003'));
    await store.delete('Condition', 'c-deleted');
  });
  afterAll(async () => db.close());

  it('returns the newest perCode Observations per code, newest first, and marks where a code was cut short', async () => {
    const r = await query({ patientId: 'ann-gp' });
    expect(ids(r)).toEqual(['hr-new', 'rr-tie-a', 'rr-tie-b', 'hr-mid', 'bp']);
    const byId = new Map(r.observations.map((o) => [o.id, o]));
    expect(byId.get('hr-new')!.codes).toEqual([key(HR)]);
    expect(byId.get('bp')!.codes).toEqual([key(SYSTOLIC)]);
    // hr-old exists beyond the two heart rates returned; rr-hosp is the third respiratory rate.
    expect(byId.get('hr-mid')!.truncated).toEqual([key(HR)]);
    expect(byId.get('rr-tie-b')!.truncated).toEqual([key(RR)]);
    expect(byId.get('hr-new')!.truncated).toEqual([]);
    expect(JSON.parse(byId.get('bp')!.json)).toMatchObject({ resourceType: 'Observation', id: 'bp' });
    const deeper = await query({ patientId: 'ann-gp', perCode: 3 });
    expect(ids(deeper)).toEqual(['hr-new', 'rr-tie-a', 'rr-tie-b', 'hr-mid', 'hr-old', 'rr-hosp', 'bp']);
    expect(deeper.observations.every((o) => o.truncated.length === 0)).toBe(true);
  });

  it('orders exactly as an Observation search with _sort=-date does (ties by id)', async () => {
    const req = parseSearch(store.registry, 'Observation', [['combo-code', [HR, RR, SYSTOLIC].map(key).join(',')], ['_sort', '-date'], ['_count', '50']]);
    req.compartment = { type: 'Patient', id: 'ann-gp' };
    const page = await store.search(req);
    expect(ids(await query({ patientId: 'ann-gp', perCode: 50 }))).toEqual(page.matches.map((m) => m.id));
  });

  it('never returns deleted Observations, nor another patient\'s', async () => {
    const all = ids(await query({ patientId: 'ann-gp', perCode: 50 }));
    expect(all).not.toContain('hr-deleted');
    expect(all).not.toContain('hr-bob');
    expect(all).not.toContain('rr-bob');
    expect(ids(await query({ patientId: 'bob', perCode: 50 }))).toEqual(['hr-bob', 'rr-bob']);
  });

  it('covers every linked record, from whichever record it starts', async () => {
    for (const start of ['ann-gp', 'ann-lab', 'ann-hosp']) {
      const r = await query({ patientId: start, perCode: 50, conditionCodes: [{ system: SCT, code: '38341003' }, { system: SCT, code: '44054006' }] });
      expect(ids(r), start).toContain('rr-hosp');
      expect(ids(r), start).toContain('hr-new');
      // c-both has both codes asked for, and comes once.
      expect(r.conditions.map((c) => c.id), start).toEqual(['c-both', 'c-dm', 'c-htn']);
      expect(r.patient?.id).toBe(start);
    }
  });

  it('returns the Patient (not when deleted or unknown) and only the Conditions asked for, up to the limit, in id order', async () => {
    const r = await query({ patientId: 'ann-gp', observationCodes: [], conditionCodes: [{ system: SCT, code: '38341003' }, { system: SCT, code: '44054006' }], conditionLimit: 1 });
    expect(JSON.parse(r.patient!.json)).toMatchObject({ resourceType: 'Patient', id: 'ann-gp', gender: 'female' });
    expect(r.observations).toEqual([]);
    expect(r.conditions.map((c) => c.id)).toEqual(['c-both']);
    expect((await query({ patientId: 'gone' })).patient).toBeUndefined();
    const unknown = await query({ patientId: 'nobody' });
    expect(unknown).toEqual({ observations: [], conditions: [] });
  });

  it('is one prepared statement whatever is asked', async () => {
    const texts: string[] = [];
    const spy: SqlClient = {
      query: <T>(sql: string, params?: readonly unknown[], opts?: QueryOptions) => {
        texts.push(`${opts?.prepare === true}:${sql}`);
        return db.query<T>(sql, params, opts);
      },
    };
    await latestObservations(spy, { patientId: 'ann-gp', observationCodes: [HR], perCode: 1, conditionCodes: [], conditionLimit: 0 });
    await latestObservations(spy, { patientId: 'bob', observationCodes: [HR, RR], perCode: 5, conditionCodes: [{ system: SCT, code: '1' }], conditionLimit: 200 });
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(texts[1]);
    expect(texts[0]!.startsWith('true:')).toBe(true);
  });
});
