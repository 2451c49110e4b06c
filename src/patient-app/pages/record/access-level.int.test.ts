/**
 * The online access level a practice sets (a Patient extension, `access/online-level.ts`): the
 * app shows only what the level allows, the patient's own token cannot fetch beyond it through
 * the API, and the patient cannot change it.
 */
import * as cheerio from 'cheerio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ONLINE_LEVEL_EXTENSION } from '../../../access/online-level.js';
import { testPrincipal } from '../../../../test/support/principals.js';
import { createPatientAppTest, signIn, type PatientAppTest } from '../../../../test/support/patient-app.js';

const ANN = testPrincipal('patient', 'patient/*.cruds', { fhirUser: 'Patient/ann-gp' });

describe('patient app: the online access level the practice set', () => {
  let t: PatientAppTest;
  beforeAll(async () => {
    t = await createPatientAppTest();
  });
  afterAll(async () => t?.close());

  async function setLevel(level: string | undefined) {
    const patient = (await t.fhir('GET', '/fhir/Patient/ann-gp')).body;
    const others = (patient.extension ?? []).filter((e: { url: string }) => e.url !== ONLINE_LEVEL_EXTENSION);
    const next = { ...patient, extension: [...others, ...(level ? [{ url: ONLINE_LEVEL_EXTENSION, valueCode: level }] : [])] };
    if (next.extension.length === 0) delete next.extension;
    expect((await t.fhir('PUT', '/fhir/Patient/ann-gp', next)).status).toBe(200);
  }
  const count = async (query: string) => (await t.fhir('GET', `/fhir/${query}`, undefined, ANN)).body.total as number;

  it('summary: allergies and medicines only, in the app and through the API', async () => {
    await setLevel('summary');
    const { browser } = await signIn(t, 'ann');
    const $ = cheerio.load((await browser.get('/patient/record')).body);
    expect($('main h2').map((_, h) => $(h).text()).get()).toEqual(['Medicines', 'Allergies and reactions']);
    expect($('.app-access-level').text()).toContain('Your GP practice has set how much of your record you can see online');
    expect($('main').text()).toContain('the summary record (allergies and medicines)');
    for (const path of ['/patient/results', '/patient/record/conditions', '/patient/timeline', '/patient/conditions/c-diabetes']) {
      expect((await browser.get(path)).statusCode, path).toBe(404);
    }
    expect(await count('AllergyIntolerance?patient=ann-gp')).toBeGreaterThan(0);
    expect(await count('MedicationRequest?patient=ann-gp')).toBeGreaterThan(0);
    expect(await count('Condition?patient=ann-gp')).toBe(0);
    expect(await count('Observation?patient=ann-gp')).toBe(0);
    expect((await t.fhir('GET', '/fhir/Condition/c-diabetes', undefined, ANN)).status).toBe(404);
    const everything = (await t.fhir('GET', '/fhir/Patient/ann-gp/$everything', undefined, ANN)).body;
    const types = new Set((everything.entry ?? []).map((e: { resource: { resourceType: string } }) => e.resource.resourceType));
    expect([...types].every((ty) => ['Patient', 'AllergyIntolerance', 'MedicationRequest', 'MedicationStatement', 'Consent', 'Task', 'Organization', 'Practitioner', 'Medication'].includes(ty as string))).toBe(true);
  });

  it('detailed coded: coded entries but no letters or notes', async () => {
    await setLevel('detailed-coded');
    const { browser } = await signIn(t, 'ann');
    const $ = cheerio.load((await browser.get('/patient/record')).body);
    expect($('main h2').map((_, h) => $(h).text()).get()).not.toContain('Consultations and letters');
    expect($('main h2').map((_, h) => $(h).text()).get()).toContain('Conditions');
    expect((await browser.get('/patient/record/consultations')).statusCode).toBe(404);
    expect(await count('Condition?patient=ann-gp')).toBeGreaterThan(0);
    expect(await count('DocumentReference?patient=ann-gp')).toBe(0);
  });

  it('detailed coded: the API leaves out the notes inside coded entries too, however they are fetched', async () => {
    await setLevel('detailed-coded');
    const result = {
      resourceType: 'Observation', id: 'obs-with-note', status: 'final', code: { text: 'eGFR' }, subject: { reference: 'Patient/ann-gp' },
      valueQuantity: { value: 58, unit: 'mL/min/1.73m2' }, note: [{ text: 'Clinician: query early CKD, discuss at review' }],
    };
    expect((await t.fhir('PUT', '/fhir/Observation/obs-with-note', result)).status).toBeLessThan(300);
    const fetched = [
      (await t.fhir('GET', '/fhir/Observation/obs-with-note', undefined, ANN)).body,
      (await t.fhir('GET', '/fhir/Observation/obs-with-note/_history/1', undefined, ANN)).body,
      ...(await t.fhir('GET', '/fhir/Observation/obs-with-note/_history', undefined, ANN)).body.entry.map((e: any) => e.resource),
      ...(await t.fhir('GET', '/fhir/Observation?_id=obs-with-note', undefined, ANN)).body.entry.map((e: any) => e.resource),
      ...(await t.fhir('GET', '/fhir/Patient/ann-gp/$everything', undefined, ANN)).body.entry.map((e: any) => e.resource).filter((r: any) => r.id === 'obs-with-note'),
    ];
    expect(fetched).toHaveLength(5);
    for (const r of fetched) {
      expect(r).toMatchObject({ resourceType: 'Observation', id: 'obs-with-note', valueQuantity: { value: 58 } });
      expect(r.note).toBeUndefined();
    }
    // The practice still sees the note.
    expect((await t.fhir('GET', '/fhir/Observation/obs-with-note')).body.note).toHaveLength(1);
  });

  it('the patient cannot change or remove the level their practice set', async () => {
    const patient = (await t.fhir('GET', '/fhir/Patient/ann-gp', undefined, ANN)).body;
    const raised = { ...patient, extension: [{ url: ONLINE_LEVEL_EXTENSION, valueCode: 'full' }] };
    expect((await t.fhir('PUT', '/fhir/Patient/ann-gp', raised, ANN)).status).toBe(403);
    const { extension: _dropped, ...removed } = patient;
    expect((await t.fhir('PUT', '/fhir/Patient/ann-gp', removed, ANN)).status).toBe(403);
    expect((await t.fhir('DELETE', '/fhir/Patient/ann-gp', undefined, ANN)).status).toBe(403);
  });

  it('full again when the practice lifts it', async () => {
    await setLevel(undefined);
    const { browser } = await signIn(t, 'ann');
    const $ = cheerio.load((await browser.get('/patient/record')).body);
    expect($('main h2').map((_, h) => $(h).text()).get()).toContain('Consultations and letters');
    expect($('.app-access-level').length).toBe(0);
    expect(await count('DocumentReference?patient=ann-gp')).toBeGreaterThan(0);
    expect((await t.fhir('GET', '/fhir/Observation/obs-with-note', undefined, ANN)).body.note).toHaveLength(1);
  });
});
