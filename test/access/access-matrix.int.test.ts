/**
 * The access matrix: every role × relationship × consent setting × resource × interaction,
 * generated from one table of who may see what, each case asserting "allowed" or "the same as
 * if it did not exist". Zero leaks: anything not listed as visible must never appear — not by
 * read, search, include, revinclude, chain, `_has`, history, vread or `$everything`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { ACT_CODE, ONLINE_VISIBILITY, SHARING_CHOICE, SNOMED, REVIEW_INDICATED, REVIEW_NOT_INDICATED } from '../../src/access/codes.js';
import { AuthStore } from '../../src/store/auth-store.js';
import type { Resource } from '../../src/fhir/types.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { ENGINES } from '../support/test-store.js';
import { SYSTEM_PRINCIPAL, testPrincipal } from '../support/principals.js';

const YEARS = (n: number) => new Date(Date.now() - n * 365.25 * 86400_000).toISOString().slice(0, 10);
const CODE_SYSTEM = 'urn:test:code';

/** One record item: a resource and the key used to name it in the matrix. */
interface Item {
  key: string;
  resource: Resource;
}

const patient = (id: string, family: string, extra: Record<string, unknown> = {}): Item => ({
  key: id, resource: { resourceType: 'Patient', id, name: [{ family, given: ['Test'] }], ...extra },
});
const obs = (key: string, patientId: string, extra: Record<string, unknown> = {}): Item => ({
  key,
  resource: {
    resourceType: 'Observation', id: key, status: 'final', code: { coding: [{ system: CODE_SYSTEM, code: `code-${key}` }] },
    subject: { reference: `Patient/${patientId}` }, effectiveDateTime: '2024-01-01T00:00:00Z', ...extra,
  },
});
const labelled = (code: string, system = ACT_CODE) => ({ meta: { security: [{ system, code }] } });
const consent = (key: string, patientId: string, choice: string, provision: Record<string, unknown> = { type: 'deny' }): Item => ({
  key,
  resource: {
    resourceType: 'Consent', id: key, status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: SHARING_CHOICE, code: choice }] }],
    patient: { reference: `Patient/${patientId}` }, provision,
  },
});

const HOSPITAL_SOURCE = 'https://hospital.example/pas';

/** The record: every kind of relationship, consent and visibility marker. */
const ITEMS: Item[] = [
  { key: 'org-gp', resource: { resourceType: 'Organization', id: 'org-gp', name: 'Riverside Surgery' } },
  { key: 'org-hosp', resource: { resourceType: 'Organization', id: 'org-hosp', name: 'City Hospital' } },
  { key: 'org-other', resource: { resourceType: 'Organization', id: 'org-other', name: 'Hilltop Practice' } },
  // Alice: registered at the GP practice; a redacted item, a result awaiting filing, a hospital record linked to hers.
  patient('alice', 'Ash', { generalPractitioner: [{ reference: 'Organization/org-gp' }] }),
  obs('alice-bp', 'alice'),
  obs('alice-redacted', 'alice', labelled('redacted', ONLINE_VISIBILITY)),
  obs('alice-nopat', 'alice', labelled('NOPAT')),
  obs('alice-prelim', 'alice', { status: 'preliminary' }),
  patient('alice-h', 'Ash', { link: [{ other: { reference: 'Patient/alice' }, type: 'seealso' }] }),
  obs('alice-h-lab', 'alice-h', { meta: { source: HOSPITAL_SOURCE } }),
  // Bob: registered at the GP practice, referred to the hospital, withholds sexual health from sharing.
  patient('bob', 'Birch', { generalPractitioner: [{ reference: 'Organization/org-gp' }] }),
  obs('bob-sex', 'bob', labelled('SEX')),
  obs('bob-chol', 'bob'),
  { key: 'bob-referral', resource: { resourceType: 'ServiceRequest', id: 'bob-referral', status: 'active', intent: 'order', subject: { reference: 'Patient/bob' }, performer: [{ reference: 'Organization/org-hosp' }] } },
  consent('bob-consent', 'bob', 'withhold-category', { type: 'permit', provision: [{ type: 'deny', securityLabel: [{ system: ACT_CODE, code: 'SEX' }] }] }),
  // Carol: a child registered at the practice, Dan is her carer; one item hidden from proxies.
  patient('carol', 'Cedar', { birthDate: YEARS(6), generalPractitioner: [{ reference: 'Organization/org-gp' }] }),
  obs('carol-growth', 'carol'),
  obs('carol-confidential', 'carol', labelled('hidden-from-proxy', ONLINE_VISIBILITY)),
  // Dan: Carol's carer, a patient elsewhere.
  patient('dan', 'Dale', { birthDate: YEARS(40), generalPractitioner: [{ reference: 'Organization/org-other' }] }),
  obs('dan-bp', 'dan'),
  // Ella: 14, Dan has proxy access without a Gillick review: demographics only.
  patient('ella', 'Elm', { birthDate: YEARS(14), generalPractitioner: [{ reference: 'Organization/org-gp' }] }),
  obs('ella-bp', 'ella'),
  // Eve: registered elsewhere, in hospital now (an open encounter).
  patient('eve', 'Yew', { generalPractitioner: [{ reference: 'Organization/org-other' }] }),
  { key: 'eve-admission', resource: { resourceType: 'Encounter', id: 'eve-admission', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }, subject: { reference: 'Patient/eve' }, serviceProvider: { reference: 'Organization/org-hosp' } } },
  obs('eve-sats', 'eve'),
  // Frank: registered at the practice, referred to the hospital, but the practice recorded his dissent to share.
  patient('frank', 'Fir', { generalPractitioner: [{ reference: 'Organization/org-gp' }] }),
  obs('frank-bp', 'frank'),
  { key: 'frank-referral', resource: { resourceType: 'ServiceRequest', id: 'frank-referral', status: 'active', intent: 'order', subject: { reference: 'Patient/frank' }, performer: [{ reference: 'Organization/org-hosp' }] } },
  consent('frank-dissent', 'frank', 'dissent-to-share'),
  // Grace: an enhanced review is pending before she sees her record online.
  patient('grace', 'Gum', { generalPractitioner: [{ reference: 'Organization/org-gp' }] }),
  obs('grace-review', 'grace', { code: { coding: [{ system: SNOMED, code: REVIEW_INDICATED }, { system: CODE_SYSTEM, code: 'code-grace-review' }] } }),
  obs('grace-bp', 'grace'),
  // Hal: a finished hospital stay only: nobody but systems has a relationship.
  patient('hal', 'Holly', { generalPractitioner: [{ reference: 'Organization/org-other' }] }),
  { key: 'hal-stay', resource: { resourceType: 'Encounter', id: 'hal-stay', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' }, subject: { reference: 'Patient/hal' }, serviceProvider: { reference: 'Organization/org-hosp' } } },
  obs('hal-bp', 'hal'),
];

const ALL = ITEMS.map((i) => i.key);
const DIRECTORY = ['org-gp', 'org-hosp', 'org-other'];

const itemsOf = (type: string) => ITEMS.filter((i) => i.resource.resourceType === type);
function patientOf(i: Item): string | undefined {
  const r = i.resource as { resourceType: string; subject?: { reference: string }; patient?: { reference: string } };
  if (r.resourceType === 'Patient') return i.key;
  return (r.subject ?? r.patient)?.reference.split('/')[1];
}
/** One person's records: Alice's GP record and her hospital record are linked. */
const personOf = (pid: string) => (pid === 'alice' || pid === 'alice-h' ? ['alice', 'alice-h'] : [pid]);
/** Every item in these patients' records (and their linked records). */
const recordOf = (...ps: string[]) => ITEMS.filter((i) => ps.flatMap(personOf).includes(patientOf(i) ?? '')).map((i) => i.key);

/** Who may see what. Everything not listed is invisible to that caller. */
const VISIBLE: Record<string, string[]> = {
  system: ALL,
  alice: [...DIRECTORY, 'alice', 'alice-bp', 'alice-h', 'alice-h-lab'],
  dan: [...DIRECTORY, 'dan', 'dan-bp', 'carol', 'carol-growth', 'ella'],
  grace: [...DIRECTORY, 'grace'],
  gp: [...DIRECTORY, ...recordOf('alice', 'bob', 'carol', 'ella', 'frank', 'grace')],
  hospital: [...DIRECTORY, ...recordOf('eve'), 'bob', 'bob-chol', 'bob-referral', 'bob-consent'],
  stranger: [...DIRECTORY],
};

const PRINCIPALS: Record<string, Principal> = {
  system: SYSTEM_PRINCIPAL,
  alice: testPrincipal('patient', 'patient/*.cruds', { fhirUser: 'Patient/alice', role: 'patient', userId: 'u-alice' }),
  dan: testPrincipal('patient', 'patient/*.cruds', { fhirUser: 'Patient/dan', role: 'carer', userId: 'u-dan' }),
  grace: testPrincipal('patient', 'patient/*.cruds', { fhirUser: 'Patient/grace', role: 'patient', userId: 'u-grace' }),
  gp: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/gp1', organization: 'Organization/org-gp', role: 'gp', userId: 'u-gp' }),
  hospital: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/doc1', organization: 'Organization/org-hosp', role: 'hospital-doctor', userId: 'u-doc' }),
  stranger: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/stranger', organization: 'Organization/org-other2', role: 'gp', userId: 'u-stranger' }),
};


for (const engine of ENGINES) {
  describe(`access matrix on ${engine}`, () => {
    let t: TestApp;
    const as = (role: string) => ({ authorization: `Bearer ${role}` });
    const ids = (bundle: { entry?: { resource: { resourceType: string; id: string }; search?: { mode: string } }[] }, mode?: string) =>
      (bundle.entry ?? []).filter((e) => !mode || e.search?.mode === mode).map((e) => e.resource.id).sort();

    beforeAll(async () => {
      t = await createTestApp(engine, {
        authenticate: async (h) => {
          const role = h?.replace(/^Bearer /, '') ?? 'system';
          const p = PRINCIPALS[role];
          if (!p) throw new Error(`no principal ${role}`);
          return p;
        },
      });
      for (const i of ITEMS) {
        const res = await t.call('PUT', `/fhir/${i.resource.resourceType}/${i.key}`, i.resource, as('system'));
        expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
      }
      const auth = new AuthStore(t.db);
      await auth.createUser({ id: 'u-dan', username: 'dan', displayName: 'Dan', role: 'carer', passwordHash: 'x', fhirUser: 'Patient/dan' });
      await auth.setProxyRelationship({ carerUserId: 'u-dan', patientId: 'carol', permissions: ['record', 'appointments'] });
      await auth.setProxyRelationship({ carerUserId: 'u-dan', patientId: 'ella', permissions: ['record'] });
    });
    afterAll(async () => t.close());

    const cases = Object.keys(PRINCIPALS).flatMap((role) => ITEMS.map((i) => [role, i.key, VISIBLE[role]!.includes(i.key)] as const));

    it.each(cases)('%s reading %s: visible=%s', async (role, key, visible) => {
      const item = ITEMS.find((i) => i.key === key)!;
      const type = item.resource.resourceType;
      const read = await t.call('GET', `/fhir/${type}/${key}`, undefined, as(role));
      expect(read.status).toBe(visible ? 200 : 404);
      const vread = await t.call('GET', `/fhir/${type}/${key}/_history/1`, undefined, as(role));
      expect(vread.status).toBe(visible ? 200 : 404);
      const history = await t.call('GET', `/fhir/${type}/${key}/_history`, undefined, as(role));
      expect(history.status).toBe(visible ? 200 : 404);
      const search = await t.call('GET', `/fhir/${type}?_id=${key}`, undefined, as(role));
      expect(search.status).toBe(200);
      expect(search.body.total).toBe(visible ? 1 : 0);
      expect(ids(search.body)).toEqual(visible ? [key] : []);
    });

    it.each(Object.keys(PRINCIPALS))('%s: type searches, totals and type history show exactly the visible', async (role) => {
      for (const type of ['Patient', 'Observation', 'Encounter', 'Consent', 'ServiceRequest', 'Organization']) {
        const expected = itemsOf(type).map((i) => i.key).filter((k) => VISIBLE[role]!.includes(k)).sort();
        const res = await t.call('GET', `/fhir/${type}?_count=3`, undefined, as(role));
        expect(res.body.total, `${role} ${type}`).toBe(expected.length);
        // Page through: the pages hold exactly the visible ones.
        const seen: string[] = [...ids(res.body)];
        let next = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
        while (next) {
          const page = await t.call('GET', next.replace('http://tessera.test', ''), undefined, as(role));
          seen.push(...ids(page.body));
          next = page.body.link.find((l: { relation: string }) => l.relation === 'next')?.url;
        }
        expect(seen.sort(), `${role} ${type}`).toEqual(expected);
        const history = await t.call('GET', `/fhir/${type}/_history`, undefined, as(role));
        expect([...new Set(history.body.entry.map((e: { resource: { id: string } }) => e.resource.id))].sort(), `${role} ${type} history`).toEqual(expected);
      }
    });

    const observations = itemsOf('Observation');
    it.each(Object.keys(PRINCIPALS).flatMap((role) => observations.map((o) => [role, o.key] as const)))('%s: include, revinclude, chain and _has through %s', async (role, key) => {
      const o = observations.find((x) => x.key === key)!;
      const pid = patientOf(o)!;
      const family = (ITEMS.find((i) => i.key === pid)!.resource as unknown as { name: { family: string }[] }).name[0]!.family;
      const seesObs = VISIBLE[role]!.includes(key);
      const seesPatient = VISIBLE[role]!.includes(pid);
      // _include: the patient comes along only if visible.
      const inc = await t.call('GET', `/fhir/Observation?_id=${key}&_include=Observation:subject`, undefined, as(role));
      expect(ids(inc.body, 'match')).toEqual(seesObs ? [key] : []);
      expect(ids(inc.body, 'include')).toEqual(seesObs && seesPatient ? [pid] : []);
      // _revinclude: the observation comes along only if visible.
      const rev = await t.call('GET', `/fhir/Patient?_id=${pid}&_revinclude=Observation:subject`, undefined, as(role));
      expect(ids(rev.body, 'match')).toEqual(seesPatient ? [pid] : []);
      expect(ids(rev.body, 'include').includes(key)).toBe(seesPatient && seesObs);
      // Chain: matching through an invisible patient finds nothing.
      const chain = await t.call('GET', `/fhir/Observation?code=${CODE_SYSTEM}|code-${key}&subject:Patient.family=${family}`, undefined, as(role));
      expect(ids(chain.body)).toEqual(seesObs && seesPatient ? [key] : []);
      // _has: an invisible observation reveals nothing about the patient.
      const has = await t.call('GET', `/fhir/Patient?_id=${pid}&_has:Observation:subject:code=${CODE_SYSTEM}|code-${key}`, undefined, as(role));
      expect(ids(has.body)).toEqual(seesObs && seesPatient ? [pid] : []);
    });

    const patients = itemsOf('Patient');
    it.each(Object.keys(PRINCIPALS).flatMap((role) => patients.map((p) => [role, p.key] as const)))('%s: $everything and compartment search of %s', async (role, pid) => {
      const visible = VISIBLE[role]!;
      const every = await t.call('GET', `/fhir/Patient/${pid}/$everything`, undefined, as(role));
      const comp = await t.call('GET', `/fhir/Patient/${pid}/Observation`, undefined, as(role));
      if (!visible.includes(pid)) {
        expect(every.status).toBe(404);
        expect(comp.status).toBe(404);
        return;
      }
      expect(every.status).toBe(200);
      for (const id of ids(every.body)) expect(visible, `${role} $everything ${pid} leaked ${id}`).toContain(id);
      for (const id of ids(comp.body)) expect(visible, `${role} Patient/${pid}/Observation leaked ${id}`).toContain(id);
      const expectedObs = observations.filter((o) => visible.includes(o.key) && personOf(pid).includes(patientOf(o)!)).map((o) => o.key).sort();
      expect(ids(comp.body)).toEqual(expectedObs);
    });

    it('staff break the glass: a stated reason opens the record for a while, the practice is alerted, consent still holds', async () => {
      expect((await t.call('GET', '/fhir/Patient/hal', undefined, as('stranger'))).status).toBe(404);
      const noReason = await t.call('POST', '/fhir/Patient/hal/$break-glass', { resourceType: 'Parameters', parameter: [] }, as('stranger'));
      expect(noReason.status).toBe(400);
      const byPatient = await t.call('POST', '/fhir/Patient/hal/$break-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Unconscious in the emergency department' }] }, as('alice'));
      expect(byPatient.status).toBe(403);
      const res = await t.call('POST', '/fhir/Patient/hal/$break-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Unconscious in the emergency department' }, { name: 'durationMinutes', valueInteger: 30 }] }, as('stranger'));
      expect(res.status).toBe(200);
      const expires = Date.parse(res.body.parameter[0].valueInstant);
      expect(expires - Date.now()).toBeGreaterThan(25 * 60_000);
      expect(expires - Date.now()).toBeLessThanOrEqual(30 * 60_000);
      expect((await t.call('GET', '/fhir/Patient/hal', undefined, as('stranger'))).status).toBe(200);
      expect((await t.call('GET', '/fhir/Observation/hal-bp', undefined, as('stranger'))).status).toBe(200);
      const alertRef = res.body.parameter[1].valueReference.reference as string;
      const alert = await t.call('GET', `/fhir/${alertRef}`, undefined, as('system'));
      expect(alert.body.recipient[0].reference).toBe('Organization/org-other');
      expect(alert.body.payload[0].contentString).toMatch(/Unconscious in the emergency department/);
      // A dissent to share is not overridden.
      await t.call('POST', '/fhir/Patient/frank/$break-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Collapsed at the bus station' }] }, as('stranger'));
      expect((await t.call('GET', '/fhir/Observation/frank-bp', undefined, as('stranger'))).status).toBe(404);
      // Other staff are not let in by someone else's grant.
      expect((await t.call('GET', '/fhir/Patient/hal', undefined, as('hospital'))).status).toBe(404);
    });

    it('writes: patients write only into records they may see; staff only with a relationship; directory data only by staff', async () => {
      const flag = (pid: string) => ({ resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${pid}` }, description: 'This is not mine' });
      expect((await t.call('POST', '/fhir/Task', flag('alice'), as('alice'))).status).toBe(201);
      expect((await t.call('POST', '/fhir/Task', flag('bob'), as('alice'))).status).toBe(403);
      expect((await t.call('POST', '/fhir/Task', flag('nobody-at-all'), as('alice'))).status).toBe(403);
      expect((await t.call('POST', '/fhir/Task', flag('bob'), as('gp'))).status).toBe(201);
      expect((await t.call('POST', '/fhir/Task', flag('hal'), as('gp'))).status).toBe(403);
      expect((await t.call('POST', '/fhir/Organization', { resourceType: 'Organization', name: 'Mine' }, as('alice'))).status).toBe(403);
      expect((await t.call('POST', '/fhir/Organization', { resourceType: 'Organization', name: 'Branch surgery' }, as('gp'))).status).toBe(201);
      // Updating or deleting what one cannot see: 404, as if it did not exist.
      const bobObs = ITEMS.find((i) => i.key === 'bob-chol')!.resource;
      expect((await t.call('PUT', '/fhir/Observation/bob-chol', bobObs, as('alice'))).status).toBe(404);
      expect((await t.call('DELETE', '/fhir/Observation/bob-chol', undefined, as('alice'))).status).toBe(404);
      expect((await t.call('GET', '/fhir/Observation/bob-chol', undefined, as('system'))).status).toBe(200);
      // Enhanced review is the practice's decision: a patient cannot lift (or set) their own.
      const notIndicated = { resourceType: 'Observation', status: 'final', code: { coding: [{ system: SNOMED, code: REVIEW_NOT_INDICATED }] }, subject: { reference: 'Patient/grace' }, effectiveDateTime: '2030-01-01' };
      expect((await t.call('POST', '/fhir/Observation', notIndicated, as('grace'))).status).toBe(403);
      expect((await t.call('GET', '/fhir/Observation/grace-bp', undefined, as('grace'))).status).toBe(404);
      expect((await t.call('POST', '/fhir/Observation', { ...notIndicated, subject: { reference: 'Patient/alice' }, code: { coding: [{ system: SNOMED, code: REVIEW_INDICATED }] } }, as('alice'))).status).toBe(403);
      // Transactions, conditional writes and identity operations: backend systems only.
      expect((await t.call('POST', '/fhir', { resourceType: 'Bundle', type: 'batch', entry: [] }, as('gp'))).status).toBe(403);
      expect((await t.call('POST', '/fhir/Task', flag('alice'), { ...as('alice'), 'if-none-exist': 'status=requested' })).status).toBe(403);
      expect((await t.call('POST', '/fhir/Patient/$match', { resourceType: 'Parameters', parameter: [] }, as('gp'))).status).toBe(403);
    });

    it('scopes bound what a token may do, whatever the relationship', async () => {
      PRINCIPALS.readonly = testPrincipal('practitioner', 'user/Observation.rs', { fhirUser: 'Practitioner/gp1', organization: 'Organization/org-gp', role: 'gp', userId: 'u-gp' });
      expect((await t.call('GET', '/fhir/Observation/alice-bp', undefined, as('readonly'))).status).toBe(200);
      expect((await t.call('GET', '/fhir/Patient/alice', undefined, as('readonly'))).status).toBe(403);
      expect((await t.call('DELETE', '/fhir/Observation/alice-bp', undefined, as('readonly'))).status).toBe(403);
      // Included resources of other types are left out rather than refused.
      const inc = await t.call('GET', '/fhir/Observation?_id=alice-bp&_include=Observation:subject', undefined, as('readonly'));
      expect(ids(inc.body, 'include')).toEqual([]);
    });

    it('a request without a caller is refused with 401 and a WWW-Authenticate challenge', async () => {
      const bare = await createTestApp(engine, { authenticate: async (h) => { if (!h) { const { TokenError } = await import('../../src/auth/principal.js'); throw new TokenError('missing'); } return SYSTEM_PRINCIPAL; } });
      try {
        const res = await bare.call('GET', '/fhir/Patient');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(res.body.resourceType).toBe('OperationOutcome');
        expect((await bare.call('GET', '/fhir/metadata')).status).toBe(200);
      } finally {
        await bare.close();
      }
    });
  });
}
