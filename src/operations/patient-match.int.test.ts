/**
 * `POST /fhir/Patient/$match` through Fastify on both engines: candidates from the indexed
 * searches, grades and scores on the searchset entries, `count` and `onlyCertainMatches`, and
 * 400s that name the parameter. https://hl7.org/fhir/R4/patient-operation-match.html
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Resource } from '../fhir/types.js';
import { patient, type PatientSpec } from '../matching/testing.js';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { MATCH_GRADE_EXTENSION } from './patient-match.js';

const BASE = 'http://tessera.test/fhir';

/** Stored records: Ann in three systems, her twin, a namesake, and an unrelated man. */
const ANN_GP: PatientSpec = { id: 'ann-gp', nhs: '9434765919', status: '01', family: 'Smith', given: ['Ann', 'Jane'], birthDate: '1980-03-12', gender: 'female', postcode: 'LS6 2AB' };
const STORED: Record<string, PatientSpec> = {
  'ann-gp': ANN_GP,
  // The hospital has her old address and her middle name first; no NHS number.
  'ann-hospital': { id: 'ann-hospital', family: 'Smith', given: ['Jane', 'Ann'], birthDate: '1980-03-12', gender: 'female', postcode: 'BD1 1AA' },
  // The laboratory: capitals, day and month swapped, NHS number not traced.
  'ann-lab': { id: 'ann-lab', nhs: '9434765919', status: '02', family: 'SMITH', given: ['Ann'], birthDate: '1980-12-03', gender: 'female' },
  // Her twin sister at the same address, with her own NHS number.
  'beth-gp': { id: 'beth-gp', nhs: '9434765870', status: '01', family: 'Smith', given: ['Beth'], birthDate: '1980-03-12', gender: 'female', postcode: 'LS6 2AB' },
  // Another Ann Smith, born a different year, elsewhere.
  'other-ann': { id: 'other-ann', nhs: '9990000018', status: '01', family: 'Smith', given: ['Ann'], birthDate: '1954-07-21', gender: 'female', postcode: 'WF1 2AB' },
  'colin': { id: 'colin', nhs: '9990000026', status: '01', family: 'Hirst', given: ['Colin'], birthDate: '1962-01-05', gender: 'male', postcode: 'HX1 1QQ' },
  // No NHS number; found by postcode when the birth date is mistyped.
  'dev-hospital': { id: 'dev-hospital', family: 'Patel', given: ['Dev'], birthDate: '1991-06-17', gender: 'male', postcode: 'LS17 6GD' },
};

const params = (resource: unknown, extra: Record<string, unknown>[] = []) => ({ resourceType: 'Parameters', parameter: [{ name: 'resource', resource }, ...extra] });

interface MatchEntry {
  fullUrl: string;
  resource: Resource;
  search: { mode: string; score: number; extension: { url: string; valueCode: string }[] };
}

describe.each(ENGINES)('Patient/$match on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
    for (const [id, spec] of Object.entries(STORED)) {
      const res = await t.call('PUT', `/fhir/Patient/${id}`, patient(spec));
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => t.close());

  async function match(spec: PatientSpec | Resource, extra: Record<string, unknown>[] = []) {
    const res = await t.call('POST', '/fhir/Patient/$match', params('resourceType' in spec ? spec : patient(spec as PatientSpec), extra));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    const entries = (res.body.entry ?? []) as MatchEntry[];
    return {
      body: res.body,
      entries,
      grades: Object.fromEntries(entries.filter((e) => e.search.mode === 'match').map((e) => [e.resource.id!, e.search.extension[0]!.valueCode])),
    };
  }

  it('grades each record of the person, best first, with score and match-grade', async () => {
    const { body, entries, grades } = await match({ ...ANN_GP, id: undefined, given: ['Ann'] });
    // Not her twin: different verified NHS numbers and first names.
    expect(grades).toEqual({ 'ann-gp': 'certain', 'ann-lab': 'certain', 'ann-hospital': 'probable' });
    expect(body.total).toBe(3);
    expect(entries.map((e) => e.resource.id)).toEqual(['ann-gp', 'ann-lab', 'ann-hospital']);
    const scores = entries.map((e) => e.search.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const e of entries) {
      expect(e.fullUrl).toBe(`${BASE}/Patient/${e.resource.id}`);
      expect(e.search.mode).toBe('match');
      expect(e.search.extension).toEqual([{ url: MATCH_GRADE_EXTENSION, valueCode: expect.any(String) }]);
      expect(e.search.score).toBeGreaterThan(0);
      expect(e.search.score).toBeLessThanOrEqual(1);
    }
    expect(entries[0]!.resource.meta?.versionId).toBe('1'); // the stored record, as served
  });

  it('finds records without an NHS number from the demographics alone', async () => {
    const { grades } = await match({ family: 'Smyth', given: ['Jane'], birthDate: '1980-03-12', gender: 'female', postcode: 'BD1 1AA' });
    expect(grades['ann-hospital']).toBe('certain');
    expect(grades['other-ann']).toBeUndefined();
    expect(grades['colin']).toBeUndefined();
  });

  it('finds a record whose birth date has day and month swapped', async () => {
    const { grades } = await match({ family: 'Smith', given: ['Ann'], birthDate: '1980-12-03', gender: 'female' });
    expect(grades['ann-lab']).toBe('probable'); // exact birth date, no postcode to compare
    expect(grades['ann-gp']).toBe('probable'); // found by the swapped date
  });

  it('finds a record with the birth year one out, or a mistyped day, given the postcode', async () => {
    expect((await match({ family: 'Patel', given: ['Dev'], birthDate: '1990-06-17', gender: 'male' })).grades).toEqual({ 'dev-hospital': 'possible' });
    expect((await match({ family: 'Patel', given: ['Dev'], birthDate: '1991-06-27', gender: 'male', postcode: 'ls17 6gd' })).grades).toEqual({ 'dev-hospital': 'probable' });
  });

  it('tells twins apart, and returns nothing for strangers', async () => {
    const { grades } = await match({ nhs: '9434765870', status: '01', family: 'Smith', given: ['Beth'], birthDate: '1980-03-12', gender: 'female', postcode: 'LS6 2AB' });
    // Her twin's hospital record has no NHS number to tell them apart: worth a look, no more.
    expect(grades).toEqual({ 'beth-gp': 'certain', 'ann-hospital': 'possible' });
    const withoutNumber = await match({ family: 'Smith', given: ['Beth'], birthDate: '1980-03-12', gender: 'female', postcode: 'LS6 2AB' });
    expect(withoutNumber.grades).toEqual({ 'beth-gp': 'certain', 'ann-gp': 'possible', 'ann-hospital': 'possible' });
    expect((await match({ family: 'Nobody', given: ['Zed'], birthDate: '2001-01-01', gender: 'male' })).body.total).toBe(0);
  });

  it('warns about an invalid NHS number and matches on the rest', async () => {
    const { grades, entries } = await match({ ...ANN_GP, nhs: '9434765918', given: ['Ann'] });
    expect(grades['ann-gp']).toBe('certain');
    expect(entries.at(-1)).toMatchObject({ resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'warning', code: 'value' }] }, search: { mode: 'outcome' } });
  });

  it('honours count', async () => {
    const { entries } = await match({ ...ANN_GP, given: ['Ann'] }, [{ name: 'count', valueInteger: 2 }]);
    expect(entries.map((e) => e.resource.id)).toEqual(['ann-gp', 'ann-lab']);
  });

  it('with onlyCertainMatches, returns one certain match, and none when several are not linked as one person', async () => {
    const only = [{ name: 'onlyCertainMatches', valueBoolean: true }];
    const single = await match({ family: 'Hirst', given: ['Colin'], birthDate: '1962-01-05', gender: 'male', postcode: 'HX1 1QQ' }, only);
    expect(single.grades).toEqual({ colin: 'certain' });

    const ambiguous = await match({ ...ANN_GP, given: ['Ann'] }, only);
    expect(ambiguous.grades).toEqual({});
    expect(ambiguous.body.total).toBe(0);
    expect(ambiguous.entries).toHaveLength(1);
    expect(ambiguous.entries[0]).toMatchObject({ resource: { resourceType: 'OperationOutcome', issue: [{ code: 'multiple-matches' }] }, search: { mode: 'outcome' } });

    // Once someone has confirmed they are one person, the certain matches are returned.
    const linked = await t.call('POST', '/fhir/Patient/ann-gp/$link', { resourceType: 'Parameters', parameter: [{ name: 'other', valueReference: { reference: 'Patient/ann-lab' } }] });
    expect(linked.status).toBe(200);
    const after = await match({ ...ANN_GP, given: ['Ann'] }, only);
    expect(after.grades).toEqual({ 'ann-gp': 'certain', 'ann-lab': 'certain' });
    await t.call('POST', '/fhir/Patient/ann-gp/$unlink', { resourceType: 'Parameters', parameter: [{ name: 'other', valueReference: { reference: 'Patient/ann-lab' } }] });
  });

  it('is listed in the CapabilityStatement with $link and $unlink', async () => {
    const res = await t.call('GET', '/fhir/metadata');
    const ops = res.body.rest[0].operation as { name: string; definition: string }[];
    expect(ops).toEqual(expect.arrayContaining([
      { name: 'match', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match' },
      expect.objectContaining({ name: 'link' }),
      expect.objectContaining({ name: 'unlink' }),
    ]));
  });

  describe('refuses bad requests, naming the parameter', () => {
    const expressionOf = (body: { issue: { expression?: string[] }[] }) => body.issue.flatMap((i) => i.expression ?? []);

    it.each<[string, unknown, number, string]>([
      ['a body that is not Parameters', patient(ANN_GP), 400, 'Parameters'],
      ['no resource', { resourceType: 'Parameters', parameter: [{ name: 'count', valueInteger: 3 }] }, 400, 'Parameters.parameter'],
      ['a resource that is not a Patient', params({ resourceType: 'Observation', status: 'final', code: { text: 'x' } }), 400, 'Parameters.parameter[0].resource'],
      ['an invalid Patient', params({ resourceType: 'Patient', birthDate: '1980-13-45' }), 400, 'Parameters.parameter[0].resource.birthDate'],
      ['a Patient with nothing to match on', params({ resourceType: 'Patient', gender: 'female' }), 400, 'Parameters.parameter[0].resource'],
      ['count of 0', params(patient(ANN_GP), [{ name: 'count', valueInteger: 0 }]), 400, 'Parameters.parameter[1].valueInteger'],
      ['count as a string', params(patient(ANN_GP), [{ name: 'count', valueString: '5' }]), 400, 'Parameters.parameter[1].valueInteger'],
      ['onlyCertainMatches not a boolean', params(patient(ANN_GP), [{ name: 'onlyCertainMatches', valueString: 'yes' }]), 400, 'Parameters.parameter[1].valueBoolean'],
      ['an unknown parameter', params(patient(ANN_GP), [{ name: 'threshold', valueDecimal: 0.5 }]), 400, 'Parameters.parameter[1].name'],
      ['a repeated parameter', params(patient(ANN_GP), [{ name: 'count', valueInteger: 1 }, { name: 'count', valueInteger: 2 }]), 400, 'Parameters.parameter[2].name'],
    ])('%s', async (_, body, status, expression) => {
      const res = await t.call('POST', '/fhir/Patient/$match', body);
      expect(res.status).toBe(status);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(expressionOf(res.body)).toContain(expression);
    });

    it('needs POST on the Patient type', async () => {
      expect((await t.call('GET', '/fhir/Patient/$match')).status).toBe(405);
      const onInstance = await t.call('POST', '/fhir/Patient/ann-gp/$match', params(patient(ANN_GP)));
      expect(onInstance.status).toBe(400);
      expect((await t.call('POST', '/fhir/$match', params(patient(ANN_GP)))).status).toBe(404);
      expect((await t.call('POST', '/fhir/Observation/$match', params(patient(ANN_GP)))).status).toBe(404);
      expect((await t.call('POST', '/fhir/Patient/$match')).status).toBe(400);
      const query = await t.call('POST', '/fhir/Patient/$match?count=3', params(patient(ANN_GP)));
      expect(query.status).toBe(400);
      expect(expressionOf(query.body)).toEqual(['count']);
    });
  });
});
