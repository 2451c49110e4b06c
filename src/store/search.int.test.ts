/**
 * Hand-written search cases: every parameter type, modifier, prefix and special parameter
 * (https://hl7.org/fhir/R4/search.html), on both engines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

const LOINC = 'http://loinc.org';
const SCT = 'http://snomed.info/sct';

const fixtures = [
  { resourceType: 'Patient', id: 'ann', name: [{ family: 'Zoë-Smith', given: ['Ann'] }], gender: 'female', birthDate: '1970-06-15', identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'NH' }] } }], address: [{ city: 'Leeds', postalCode: 'LS1 4AP' }], active: true, generalPractitioner: [{ reference: 'Organization/practice' }], meta: { tag: [{ system: 'urn:t', code: 'demo' }], profile: ['https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient'], source: 'https://tessera.example/systems/gp' } },
  { resourceType: 'Patient', id: 'bob', name: [{ family: 'Smithson', given: ['Bob'] }], gender: 'male', birthDate: '1985', address: [{ city: 'York' }], active: false },
  { resourceType: 'Patient', id: 'cy', name: [{ family: "O'Brien%_\\", given: ['Cy'] }], gender: 'other', birthDate: '2001-02-03' },
  { resourceType: 'Organization', id: 'practice', name: 'Leeds Medical Practice', identifier: [{ system: 'https://fhir.nhs.uk/Id/ods-organization-code', value: 'B86001' }] },
  { resourceType: 'Practitioner', id: 'drx', name: [{ family: 'Xu' }] },
  { resourceType: 'Encounter', id: 'enc1', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/ann' }, period: { start: '2024-03-01T09:00:00Z', end: '2024-03-01T09:30:00Z' }, participant: [{ individual: { reference: 'Practitioner/drx' } }] },
  { resourceType: 'Observation', id: 'hr1', status: 'final', category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }], code: { coding: [{ system: LOINC, code: '8867-4', display: 'Heart rate' }], text: 'Heart rate' }, subject: { reference: 'Patient/ann' }, encounter: { reference: 'Encounter/enc1' }, effectiveDateTime: '2024-03-01T09:10:00Z', valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } },
  { resourceType: 'Observation', id: 'hr2', status: 'final', code: { coding: [{ system: LOINC, code: '8867-4' }] }, subject: { reference: 'Patient/ann' }, effectiveDateTime: '2024-05-01', valueQuantity: { value: 100.4, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' } },
  { resourceType: 'Observation', id: 'bp1', status: 'final', code: { coding: [{ system: LOINC, code: '85354-9', display: 'Blood pressure panel' }] }, subject: { reference: 'Patient/ann' }, effectiveDateTime: '2024-03-01T09:12:00Z',
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6', display: 'Systolic' }] }, valueQuantity: { value: 150, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
      { code: { coding: [{ system: LOINC, code: '8462-4', display: 'Diastolic' }] }, valueQuantity: { value: 90, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    ] },
  { resourceType: 'Observation', id: 'sys1', status: 'amended', code: { coding: [{ system: LOINC, code: '8480-6' }] }, subject: { reference: 'Patient/bob' }, effectiveDateTime: '2023-01-01T00:00:00Z', valueQuantity: { value: 120, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
  { resourceType: 'Observation', id: 'smoke', status: 'final', code: { coding: [{ system: LOINC, code: '72166-2' }] }, subject: { reference: 'Patient/bob' }, valueCodeableConcept: { coding: [{ system: SCT, code: '266919005', display: 'Never smoked' }] } },
  { resourceType: 'Condition', id: 'dm', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] }, code: { coding: [{ system: SCT, code: '44054006', display: 'Type 2 diabetes mellitus' }] }, subject: { reference: 'Patient/ann' }, onsetDateTime: '2015' },
  { resourceType: 'Condition', id: 'htn', clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'resolved' }] }, code: { coding: [{ system: SCT, code: '38341003', display: 'Hypertension' }] }, subject: { reference: 'Patient/bob' }, onsetPeriod: { start: '2010-01-01' } },
  { resourceType: 'ValueSet', id: 'diabetes-codes', url: 'https://tessera.example/ValueSet/diabetes', status: 'active', compose: { include: [{ system: SCT, concept: [{ code: '44054006' }, { code: '46635009' }] }] } },
  { resourceType: 'List', id: 'watch', status: 'current', mode: 'working', entry: [{ item: { reference: 'Patient/bob' } }, { item: { reference: 'Patient/cy' } }] },
  { resourceType: 'CodeSystem', id: 'cs', url: 'https://tessera.example/cs/a/b', status: 'active', content: 'complete' },
];

describe.each(ENGINES)('search on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
    for (const r of fixtures) {
      const res = await t.call('PUT', `/fhir/${r.resourceType}/${r.id}`, r);
      if (res.status >= 300) throw new Error(`${r.id}: ${JSON.stringify(res.body)}`);
    }
  });
  afterAll(async () => t.close());

  const ids = async (url: string, headers: Record<string, string> = {}): Promise<string[]> => {
    const res = await t.call('GET', url, undefined, headers);
    if (res.status !== 200) throw new Error(`${url} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.entry.filter((e: any) => e.search.mode === 'match').map((e: any) => e.resource.id).sort();
  };
  const fails = async (url: string, expression: string) => {
    const res = await t.call('GET', url);
    expect(res.status, url).toBe(400);
    expect(res.body.issue[0].expression, url).toEqual([expression]);
  };

  describe('token', () => {
    it.each([
      ['/fhir/Observation?code=8867-4', ['hr1', 'hr2']],
      ['/fhir/Observation?code=http://loinc.org|8867-4', ['hr1', 'hr2']],
      ['/fhir/Observation?code=http://snomed.info/sct|8867-4', []],
      ['/fhir/Observation?code=http://loinc.org|', ['bp1', 'hr1', 'hr2', 'smoke', 'sys1']],
      ['/fhir/Patient?gender=female,male', ['ann', 'bob']],
      ['/fhir/Patient?active=true', ['ann']],
      ['/fhir/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9434765919', ['ann']],
      ['/fhir/Patient?identifier=9434765919', ['ann']],
      ['/fhir/Patient?identifier=|9434765919', []],
      ['/fhir/Observation?code:not=http://loinc.org|8867-4', ['bp1', 'smoke', 'sys1']],
      ['/fhir/Observation?code:text=heart', ['hr1']],
      ['/fhir/Condition?code:in=https://tessera.example/ValueSet/diabetes', ['dm']],
      ['/fhir/Condition?code:not-in=ValueSet/diabetes-codes', ['htn']],
      ['/fhir/Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|NH|9434765919', ['ann']],
      ['/fhir/Observation?value-concept=http://snomed.info/sct|266919005', ['smoke']],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe('blood pressure (https://hl7.org/fhir/R4/observation.html#bp)', () => {
    it('code=8480-6 finds the lone systolic but no panels', async () => {
      expect(await ids('/fhir/Observation?code=http://loinc.org|8480-6')).toEqual(['sys1']);
    });
    it('combo-code and component-code find the panel', async () => {
      expect(await ids('/fhir/Observation?combo-code=http://loinc.org|8480-6')).toEqual(['bp1', 'sys1']);
      expect(await ids('/fhir/Observation?component-code=http://loinc.org|8480-6')).toEqual(['bp1']);
    });
    it('component-code-value-quantity matches code and value of the same component', async () => {
      expect(await ids('/fhir/Observation?component-code-value-quantity=http://loinc.org|8480-6$gt140')).toEqual(['bp1']);
      // 90 is the diastolic's value, not the systolic's: no match.
      expect(await ids('/fhir/Observation?component-code-value-quantity=http://loinc.org|8480-6$90')).toEqual([]);
      expect(await ids('/fhir/Observation?component-code-value-quantity=http://loinc.org|8462-4$90|http://unitsofmeasure.org|mm[Hg]')).toEqual(['bp1']);
    });
    it('code-value-quantity and code-value-concept', async () => {
      expect(await ids('/fhir/Observation?code-value-quantity=http://loinc.org|8867-4$ge100')).toEqual(['hr2']);
      expect(await ids('/fhir/Observation?code-value-concept=http://loinc.org|72166-2$http://snomed.info/sct|266919005')).toEqual(['smoke']);
    });
  });

  describe('string', () => {
    it.each([
      ['/fhir/Patient?family=smith', ['bob']],
      ['/fhir/Patient?family=zoe', ['ann']],
      ['/fhir/Patient?family=ZOË', ['ann']],
      ['/fhir/Patient?name=ann', ['ann']],
      ['/fhir/Patient?family:exact=Smithson', ['bob']],
      ['/fhir/Patient?family:exact=smithson', []],
      ['/fhir/Patient?family:contains=mith', ['ann', 'bob']],
      ['/fhir/Patient?address-city=leeds', ['ann']],
      ['/fhir/Patient?address-postalcode=LS1', ['ann']],
      ['/fhir/Patient?family=o\'brien%25_', ['cy']],
      ['/fhir/Patient?family=%25', []],
      ['/fhir/Patient?family=_', []],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));

    it('starts-with is exact at the edges of the prefix, in any script', async () => {
      const families = { 'edge-smit': 'Smit', 'edge-smiu': 'Smiu', 'edge-smis': 'Smis', 'edge-smitz': 'Smitz', 'edge-unal': 'Ünal', 'edge-jp': '日本太', 'edge-jp2': '日本' };
      for (const [id, family] of Object.entries(families)) {
        expect((await t.call('PUT', `/fhir/Patient/${id}`, { resourceType: 'Patient', id, name: [{ family }] })).status).toBeLessThan(300);
      }
      const edge = async (q: string) => (await ids(`/fhir/Patient?family=${encodeURIComponent(q)}`)).filter((id) => id.startsWith('edge-'));
      expect(await edge('smit')).toEqual(['edge-smit', 'edge-smitz']);
      expect(await edge('smiu')).toEqual(['edge-smiu']);
      expect(await edge('unal')).toEqual(['edge-unal']);
      expect(await edge('日本')).toEqual(['edge-jp', 'edge-jp2']);
      expect(await edge('日本太')).toEqual(['edge-jp']);
      for (const id of Object.keys(families)) await t.call('DELETE', `/fhir/Patient/${id}`);
    });
  });

  describe('date', () => {
    it.each([
      ['/fhir/Patient?birthdate=1970', ['ann']],
      ['/fhir/Patient?birthdate=1970-06', ['ann']],
      ['/fhir/Patient?birthdate=eq1970-06-15', ['ann']],
      ['/fhir/Patient?birthdate=1985-06-01', []],
      ['/fhir/Patient?birthdate=ne1970-06-15', ['bob', 'cy']],
      ['/fhir/Patient?birthdate=lt1980', ['ann']],
      ['/fhir/Patient?birthdate=gt1985-06-01', ['bob', 'cy']],
      ['/fhir/Patient?birthdate=ge1985', ['bob', 'cy']],
      ['/fhir/Patient?birthdate=le1985-01-01', ['ann', 'bob']],
      ['/fhir/Patient?birthdate=sa1985-12-31', ['cy']],
      ['/fhir/Patient?birthdate=eb1971', ['ann']],
      ['/fhir/Patient?birthdate=ap2001-02-01', ['cy']],
      ['/fhir/Encounter?date=2024-03-01', ['enc1']],
      ['/fhir/Encounter?date=ge2024-03-01T09:15:00Z', ['enc1']],
      ['/fhir/Encounter?date=gt2024-03-01T10:00:00Z', []],
      ['/fhir/Condition?onset-date=ge2012', ['dm', 'htn']],
      ['/fhir/Condition?onset-date=lt2011', ['htn']],
      ['/fhir/Observation?date=ge2024-03-01&date=lt2024-04', ['bp1', 'hr1']],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe('number and quantity', () => {
    it.each([
      ['/fhir/Observation?value-quantity=72', ['hr1']],
      ['/fhir/Observation?value-quantity=100', ['hr2']],
      ['/fhir/Observation?value-quantity=100.4', ['hr2']],
      ['/fhir/Observation?value-quantity=100.40', ['hr2']],
      ['/fhir/Observation?value-quantity=100.0', []],
      ['/fhir/Observation?value-quantity=gt100', ['hr2', 'sys1']],
      ['/fhir/Observation?value-quantity=lt100', ['hr1']],
      ['/fhir/Observation?value-quantity=ge120', ['sys1']],
      ['/fhir/Observation?value-quantity=le72', ['hr1']],
      ['/fhir/Observation?value-quantity=ne72', ['hr2', 'sys1']],
      ['/fhir/Observation?value-quantity=ap110', ['hr2', 'sys1']],
      ['/fhir/Observation?value-quantity=120|http://unitsofmeasure.org|mm[Hg]', ['sys1']],
      ['/fhir/Observation?value-quantity=120||mm[Hg]', ['sys1']],
      ['/fhir/Observation?value-quantity=120|http://unitsofmeasure.org|/min', []],
      ['/fhir/Observation?value-quantity=7.2e1', ['hr1']],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe('reference', () => {
    it.each([
      ['/fhir/Observation?subject=Patient/bob', ['smoke', 'sys1']],
      ['/fhir/Observation?subject=bob', ['smoke', 'sys1']],
      ['/fhir/Observation?patient=bob', ['smoke', 'sys1']],
      ['/fhir/Observation?subject:Patient=bob', ['smoke', 'sys1']],
      ['/fhir/Observation?subject:Group=bob', []],
      ['/fhir/Observation?subject=http://tessera.test/fhir/Patient/bob', ['smoke', 'sys1']],
      ['/fhir/Observation?subject=http://elsewhere.example/fhir/Patient/bob', []],
      ['/fhir/Patient?general-practitioner:identifier=https://fhir.nhs.uk/Id/ods-organization-code|B86001', []],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe('uri', () => {
    it.each([
      ['/fhir/CodeSystem?url=https://tessera.example/cs/a/b', ['cs']],
      ['/fhir/CodeSystem?url:below=https://tessera.example/cs', ['cs']],
      ['/fhir/CodeSystem?url:above=https://tessera.example/cs/a/b/c/d', ['cs']],
      ['/fhir/CodeSystem?url=https://tessera.example/cs', []],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe(':missing', () => {
    it.each([
      ['/fhir/Patient?address-city:missing=true', ['cy']],
      ['/fhir/Patient?address-city:missing=false', ['ann', 'bob']],
      ['/fhir/Observation?value-quantity:missing=true', ['bp1', 'smoke']],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe('special parameters', () => {
    it.each([
      ['/fhir/Patient?_id=ann,cy', ['ann', 'cy']],
      ['/fhir/Patient?_tag=urn:t|demo', ['ann']],
      ['/fhir/Patient?_profile=https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient', ['ann']],
      ['/fhir/Patient?_source=https://tessera.example/systems/gp', ['ann']],
      ['/fhir/Patient?_list=watch', ['bob', 'cy']],
      ['/fhir/Patient?_lastUpdated=gt2000-01-01', ['ann', 'bob', 'cy']],
      ['/fhir/Patient?_lastUpdated=lt2000-01-01', []],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe('chains and _has', () => {
    it.each([
      ['/fhir/Observation?subject:Patient.name=smithson', ['smoke', 'sys1']],
      ['/fhir/Observation?patient.gender=female', ['bp1', 'hr1', 'hr2']],
      ['/fhir/Observation?encounter.participant.name=xu', ['hr1']],
      ['/fhir/Observation?encounter:Encounter.participant:Practitioner.family=xu', ['hr1']],
      ['/fhir/Patient?_has:Observation:patient:code=72166-2', ['bob']],
      ['/fhir/Patient?_has:Condition:subject:code=44054006', ['ann']],
      ['/fhir/Practitioner?_has:Encounter:participant:_has:Observation:encounter:code=8867-4', ['drx']],
    ])('%s', async (url, expected) => expect(await ids(url)).toEqual(expected));
  });

  describe('_include and _revinclude', () => {
    it('includes the subject, and reverse-includes observations', async () => {
      const res = await t.call('GET', '/fhir/Observation?code=8867-4&_include=Observation:subject');
      const included = res.body.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource.id);
      expect(included).toEqual(['ann']);
      const rev = await t.call('GET', '/fhir/Patient?_id=bob&_revinclude=Observation:subject');
      expect(rev.body.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource.id).sort()).toEqual(['smoke', 'sys1']);
    });
    it('wildcards and :iterate', async () => {
      const all = await t.call('GET', '/fhir/Observation?_id=hr1&_include=*');
      expect(all.body.entry.map((e: any) => e.resource.id).sort()).toEqual(['ann', 'enc1', 'hr1']);
      const rev = await t.call('GET', '/fhir/Patient?_id=bob&_revinclude=*');
      expect(rev.body.entry.filter((e: any) => e.search.mode === 'include').map((e: any) => e.resource.id).sort()).toEqual(['htn', 'smoke', 'sys1', 'watch']);
      const iter = await t.call('GET', '/fhir/Observation?_id=hr1&_include=Observation:encounter&_include:iterate=Encounter:participant');
      expect(iter.body.entry.map((e: any) => e.resource.id).sort()).toEqual(['drx', 'enc1', 'hr1']);
    });
  });

  describe('sorting, paging, totals, summaries', () => {
    it('sorts by several keys, descending', async () => {
      const res = await t.call('GET', '/fhir/Patient?_sort=-birthdate');
      expect(res.body.entry.map((e: any) => e.resource.id)).toEqual(['cy', 'bob', 'ann']);
      const two = await t.call('GET', '/fhir/Observation?_sort=status,-date');
      expect(two.body.entry.map((e: any) => e.resource.id)).toEqual(['sys1', 'hr2', 'bp1', 'hr1', 'smoke']);
      const byId = await t.call('GET', '/fhir/Patient?_sort=-_id');
      expect(byId.body.entry.map((e: any) => e.resource.id)).toEqual(['cy', 'bob', 'ann']);
    });
    it('sorts a patient-scoped search the same way as the same search across patients (paged, several keys)', async () => {
      for (const sort of ['-date', 'date', 'code,-date', '-value-quantity', 'status,-_lastUpdated']) {
        const inOrder = async (url: string) => (await t.call('GET', url)).body.entry.map((e: any) => e.resource.id as string);
        const across = (await inOrder(`/fhir/Observation?_sort=${sort}&_count=100`)).filter((id: string) => ['hr1', 'hr2', 'bp1'].includes(id));
        const seen: string[] = [];
        let url: string | undefined = `/fhir/Observation?patient=ann&_sort=${sort}&_count=1`;
        while (url) {
          const res = await t.call('GET', url);
          seen.push(...res.body.entry.map((e: any) => e.resource.id));
          url = res.body.link.find((l: any) => l.relation === 'next')?.url.replace('http://tessera.test', '');
        }
        expect(seen, sort).toEqual(across);
        expect(await inOrder(`/fhir/Patient/ann/Observation?_sort=${sort}`), sort).toEqual(across);
      }
    });
    it('pages with opaque cursors and exact totals', async () => {
      const seen: string[] = [];
      let url: string | undefined = '/fhir/Observation?_count=2&_sort=-date';
      let total = 0;
      while (url) {
        const res = await t.call('GET', url);
        total = res.body.total;
        seen.push(...res.body.entry.map((e: any) => e.resource.id));
        url = res.body.link.find((l: any) => l.relation === 'next')?.url.replace('http://tessera.test', '');
      }
      expect(total).toBe(5);
      expect(seen).toEqual(['hr2', 'bp1', 'hr1', 'sys1', 'smoke']);
    });
    it('keeps the total exact on an empty page: none on a first page with no match, the matches before the cursor on a later one', async () => {
      const none = await t.call('GET', '/fhir/Basic?code=urn:paging|none');
      expect([none.body.total, none.body.entry ?? []]).toEqual([0, []]);
      for (const id of ['page-a', 'page-b']) await t.call('PUT', `/fhir/Basic/${id}`, { resourceType: 'Basic', id, code: { coding: [{ system: 'urn:paging', code: 'x' }] } });
      const first = await t.call('GET', '/fhir/Basic?code=urn:paging|x&_sort=_id&_count=1');
      expect(first.body.entry.map((e: any) => e.resource.id)).toEqual(['page-a']);
      await t.call('DELETE', '/fhir/Basic/page-b');
      const later = await t.call('GET', first.body.link.find((l: any) => l.relation === 'next').url.replace('http://tessera.test', ''));
      expect([later.body.total, later.body.entry ?? []]).toEqual([1, []]);
    });
    it('_total=none omits the total; _summary=count gives only it', async () => {
      expect((await t.call('GET', '/fhir/Patient?_total=none')).body.total).toBeUndefined();
      const c = await t.call('GET', '/fhir/Patient?_summary=count');
      expect(c.body.total).toBe(3);
      expect(c.body.entry).toEqual([]);
    });
    it('_elements and _summary shape the entries', async () => {
      const res = await t.call('GET', '/fhir/Patient?_id=ann&_elements=gender');
      expect(Object.keys(res.body.entry[0].resource).sort()).toEqual(['gender', 'id', 'meta', 'resourceType']);
    });
    it('POST _search takes form parameters', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/fhir/Patient/_search', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'gender=male' });
      expect(JSON.parse(res.body).entry.map((e: any) => e.resource.id)).toEqual(['bob']);
    });
    it('compartment search', async () => {
      expect(await ids('/fhir/Patient/ann/Observation?code=8867-4')).toEqual(['hr1', 'hr2']);
      expect(await ids('/fhir/Patient/bob/Condition')).toEqual(['htn']);
    });
    it('$everything returns the record and what it refers to', async () => {
      const res = await t.call('GET', '/fhir/Patient/ann/$everything');
      expect(res.body.entry[0].resource.id).toBe('ann');
      expect(res.body.entry.map((e: any) => e.resource.id).sort()).toEqual(['ann', 'bp1', 'dm', 'drx', 'enc1', 'hr1', 'hr2', 'practice']);
      const typed = await t.call('GET', '/fhir/Patient/ann/$everything?_type=Condition');
      expect(typed.body.entry.map((e: any) => e.resource.id)).toEqual(['dm']);
      expect((await t.call('GET', '/fhir/Patient/nobody/$everything')).status).toBe(404);
    });
  });

  // Each case below was found by the differential test (test/differential) and fixed.
  describe('regressions found by differential testing', () => {
    const more = [
      { resourceType: 'Patient', id: 'reg-alive', name: [{ family: 'Regress' }] },
      { resourceType: 'Patient', id: 'reg-not-dead', deceasedBoolean: false },
      { resourceType: 'Patient', id: 'reg-dead', deceasedDateTime: '2020-01-01' },
      { resourceType: 'Patient', id: 'reg-bsn', identifier: [{ use: 'official', type: { text: 'BSN' }, system: 'urn:oid:2.16.840.1.113883.2.4.6.3' }] },
      { resourceType: 'Observation', id: 'reg-display', status: 'final', code: { coding: [{ system: LOINC, code: '29463-7', display: 'Body Weight' }], text: 'Weight measured' }, subject: { reference: 'Patient/reg-alive' } },
      { resourceType: 'Observation', id: 'reg-accent', status: 'final', code: { coding: [{ system: LOINC, code: '8867-4' }], text: 'Fréquence cardiaque' } },
      { resourceType: 'Observation', id: 'reg-ident', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/reg-alive', identifier: { system: 'urn:reg', value: '42' } } },
      { resourceType: 'Observation', id: 'reg-contained', status: 'final', code: { text: 'x' }, contained: [{ resourceType: 'Practitioner', id: 'p1', name: [{ family: 'Inside' }] }], performer: [{ reference: '#p1' }] },
      { resourceType: 'Observation', id: 'reg-display-only', status: 'final', code: { text: 'x' }, performer: [{ display: 'Dr Who' }] },
      { resourceType: 'Observation', id: 'reg-sampled', status: 'final', code: { text: 'x' }, valueSampledData: { origin: { value: 0 }, period: 10, dimensions: 1, data: '1 2 3' } },
    ];
    beforeAll(async () => {
      for (const r of more) {
        const res = await t.call('PUT', `/fhir/${r.resourceType}/${r.id}`, r);
        if (res.status >= 300) throw new Error(`${r.id}: ${JSON.stringify(res.body)}`);
      }
    });
    const regIds = async (url: string) => (await ids(url)).filter((id) => id.startsWith('reg-'));

    it(':text searches Coding.display even when CodeableConcept.text is set, as a starts-with string search ignoring accents', async () => {
      // https://hl7.org/fhir/R4/search.html#token ":text … either CodeableConcept.text, Coding.display, or Identifier.type.text … a normal string search"
      expect(await regIds('/fhir/Observation?code:text=body')).toEqual(['reg-display']);
      expect(await regIds('/fhir/Observation?code:text=weight%20m')).toEqual(['reg-display']);
      expect(await regIds('/fhir/Observation?code:text=measured')).toEqual([]);
      expect(await regIds('/fhir/Observation?code:text=FREQUENCE')).toEqual(['reg-accent']);
    });
    it(':text searches Identifier.type.text of an identifier without a value', async () => {
      expect(await regIds('/fhir/Patient?identifier:text=bsn')).toEqual(['reg-bsn']);
    });
    it(':identifier matches a reference that also has a literal reference', async () => {
      expect(await ids('/fhir/Observation?subject:identifier=urn:reg|42')).toEqual(['reg-ident']);
      expect(await regIds('/fhir/Observation?subject=Patient/reg-alive')).toEqual(['reg-display', 'reg-ident']);
    });
    it(':missing counts contained and display-only references, and SampledData, as values', async () => {
      expect(await regIds('/fhir/Observation?performer:missing=false')).toEqual(['reg-contained', 'reg-display-only']);
      expect(await regIds('/fhir/Observation?performer:missing=true')).not.toContain('reg-contained');
      expect(await regIds('/fhir/Observation?value-quantity:missing=false')).toEqual(['reg-sampled']);
      expect(await regIds('/fhir/Observation?value-quantity:missing=true')).not.toContain('reg-sampled');
      // …but they still match no value.
      expect(await regIds('/fhir/Observation?performer=p1')).toEqual([]);
    });
    it('deceased=false finds patients without deceased, as FHIRPath evaluates `deceased.exists() and deceased != false`', async () => {
      expect(await regIds('/fhir/Patient?deceased=false')).toEqual(['reg-alive', 'reg-bsn', 'reg-not-dead']);
      expect(await regIds('/fhir/Patient?deceased=true')).toEqual(['reg-dead']);
      expect(await regIds('/fhir/Patient?deceased:missing=true')).toEqual([]);
    });
  });

  describe('no silent ignores', () => {
    it('refuses unknown parameters and modifiers, naming them', async () => {
      await fails('/fhir/Patient?colour=blue', 'colour');
      await fails('/fhir/Patient?family:fuzzy=x', 'family:fuzzy');
      await fails('/fhir/Patient?_text=x', '_text');
      await fails('/fhir/Observation?subject.nonsense=x', 'subject.nonsense');
    });
    it('refuses bad values, naming the parameter', async () => {
      await fails('/fhir/Patient?birthdate=1970-13', 'birthdate');
      await fails('/fhir/Patient?birthdate=xx1970', 'birthdate');
      await fails('/fhir/Observation?value-quantity=abc', 'value-quantity');
      await fails('/fhir/Patient?_count=-1', '_count');
      await fails('/fhir/Patient?_sort=colour', '_sort');
      await fails('/fhir/Observation?component-code-value-quantity=http://loinc.org|8480-6', 'component-code-value-quantity');
      await fails('/fhir/Condition?code:in=https://nowhere.example/vs', 'code:in');
    });
    it('with Prefer: handling=lenient ignores them and the self link shows what was applied', async () => {
      const res = await t.call('GET', '/fhir/Patient?colour=blue&gender=male', undefined, { prefer: 'handling=lenient' });
      expect(res.status).toBe(200);
      expect(res.body.entry.map((e: any) => e.resource.id)).toEqual(['bob']);
      expect(res.body.link[0].url).toBe('http://tessera.test/fhir/Patient?gender=male');
    });
  });
});
