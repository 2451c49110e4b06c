/**
 * `Patient/{id}/$everything` gathers the whole record, and follows Patient.link so any of a
 * person's records (one per source system) gives the whole picture.
 * https://hl7.org/fhir/R4/patient-operation-everything.html
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

describe.each(ENGINES)('$everything on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
    const put = (r: any) => t.call('PUT', `/fhir/${r.resourceType}/${r.id}`, r);
    await put({ resourceType: 'Organization', id: 'lab', name: 'Lab' });
    await put({ resourceType: 'Patient', id: 'gp-rec', name: [{ family: 'Ng' }], link: [{ other: { reference: 'Patient/lab-rec' }, type: 'seealso' }] });
    await put({ resourceType: 'Patient', id: 'lab-rec', name: [{ family: 'Ng' }] });
    await put({ resourceType: 'Patient', id: 'hosp-rec', name: [{ family: 'Ng' }], link: [{ other: { reference: 'Patient/lab-rec' }, type: 'seealso' }] });
    await put({ resourceType: 'Patient', id: 'stranger', name: [{ family: 'Other' }] });
    await put({ resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/gp-rec' }, code: { text: 'asthma' } });
    await put({ resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'HbA1c' }, subject: { reference: 'Patient/lab-rec' }, performer: [{ reference: 'Organization/lab' }] });
    await put({ resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'IMP' }, subject: { reference: 'Patient/hosp-rec' } });
    await put({ resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/stranger' } });
  });
  afterAll(async () => t.close());

  const everything = async (id: string) => {
    const res = await t.call('GET', `/fhir/Patient/${id}/$everything`);
    expect(res.status).toBe(200);
    return res.body.entry.map((e: any) => `${e.resource.resourceType}/${e.resource.id}`).sort();
  };

  it('follows links in both directions and transitively, from any of the records', async () => {
    const whole = ['Condition/c1', 'Encounter/e1', 'Observation/o1', 'Organization/lab', 'Patient/gp-rec', 'Patient/hosp-rec', 'Patient/lab-rec'];
    expect(await everything('gp-rec')).toEqual(whole);
    expect(await everything('lab-rec')).toEqual(whole);
    expect(await everything('hosp-rec')).toEqual(whole);
    expect(await everything('stranger')).toEqual(['Observation/o2', 'Patient/stranger']);
  });

  it('compartment searches follow the links too; a plain patient= search does not', async () => {
    const ids = async (url: string) => (await t.call('GET', url)).body.entry.map((e: any) => e.resource.id).sort();
    expect(await ids('/fhir/Patient/gp-rec/Observation')).toEqual(['o1']);
    expect(await ids('/fhir/Patient/hosp-rec/Encounter')).toEqual(['e1']);
    expect(await ids('/fhir/Patient/lab-rec/Patient')).toEqual(['gp-rec', 'hosp-rec', 'lab-rec']);
    expect(await ids('/fhir/Observation?patient=gp-rec')).toEqual([]);
    expect(await ids('/fhir/Patient/stranger/Observation')).toEqual(['o2']);
  });

  it('a resource in two records comes once in each, with what it refers to; a deleted one not at all', async () => {
    const put = async (r: any) => expect((await t.call('PUT', `/fhir/${r.resourceType}/${r.id}`, r)).status).toBeLessThan(300);
    await put({ resourceType: 'Practitioner', id: 'dr', name: [{ family: 'Who' }] });
    await put({ resourceType: 'Patient', id: 'mum', name: [{ family: 'Ade' }] });
    await put({ resourceType: 'Patient', id: 'baby', name: [{ family: 'Ade' }] });
    // Kept under mum's key, in baby's compartment too (performer), naming a practitioner twice.
    await put({ resourceType: 'Observation', id: 'shared', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/mum' }, performer: [{ reference: 'Patient/baby' }, { reference: 'Practitioner/dr' }] });
    await put({ resourceType: 'Condition', id: 'mum-c', subject: { reference: 'Patient/mum' }, asserter: { reference: 'Practitioner/dr' }, code: { text: 'y' } });
    await put({ resourceType: 'Condition', id: 'gone', subject: { reference: 'Patient/baby' }, code: { text: 'z' } });
    expect((await t.call('DELETE', '/fhir/Condition/gone')).status).toBeLessThan(300);
    expect(await everything('mum')).toEqual(['Condition/mum-c', 'Observation/shared', 'Patient/mum', 'Practitioner/dr']);
    expect(await everything('baby')).toEqual(['Observation/shared', 'Patient/baby', 'Practitioner/dr']);
  });

  it('refuses unsupported parameters rather than ignoring them', async () => {
    const res = await t.call('GET', '/fhir/Patient/gp-rec/$everything?start=2020-01-01');
    expect(res.status).toBe(400);
    expect(res.body.issue[0].expression).toEqual(['start']);
  });
});
