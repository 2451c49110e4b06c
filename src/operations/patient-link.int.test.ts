/**
 * `POST /fhir/Patient/{id}/$link` and `$unlink` through Fastify on both engines: reciprocal
 * `seealso` links as new versions of both records, in one transaction, idempotent, and the
 * refusals (404 unknown, 410 deleted, 400 self or not a Patient reference).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issue } from '../fhir/outcome.js';
import type { Resource } from '../fhir/types.js';
import { validateResource } from '../fhir/validation/index.js';
import { businessRules } from '../main.js';
import { patient } from '../matching/testing.js';
import { FhirStore } from '../store/fhir-store.js';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { setPatientLink } from './patient-link.js';
import { searchAuditEvents } from '../store/audit-log.js';
import { LIFECYCLE_SYSTEM } from './link-provenance.js';

const BASE = 'http://tessera.test/fhir';
const other = (reference: string) => ({ resourceType: 'Parameters', parameter: [{ name: 'other', valueReference: { reference } }] });
const expressionOf = (body: { issue: { expression?: string[] }[] }) => body.issue.flatMap((i) => i.expression ?? []);

describe.each(ENGINES)('Patient/$link and $unlink on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
    for (const id of ['gp', 'lab', 'hospital', 'gone', 'locked', 'p1', 'p2']) {
      expect((await t.call('PUT', `/fhir/Patient/${id}`, patient({ id, family: 'Smith', given: ['Ann'], birthDate: '1980-03-12' }))).status).toBe(201);
    }
    await t.call('DELETE', '/fhir/Patient/gone');
  });
  afterAll(async () => t.close());

  const read = async (id: string) => (await t.call('GET', `/fhir/Patient/${id}`)).body as Resource & { link?: unknown[] };

  it('links two records both ways as new versions, merging nothing', async () => {
    const before = [await read('gp'), await read('lab')];
    const res = await t.call('POST', '/fhir/Patient/gp/$link', other('Patient/lab'));
    expect(res.status).toBe(200);
    expect(res.body.resourceType).toBe('Parameters');
    const [p, o, changed] = res.body.parameter;
    expect(changed).toEqual({ name: 'changed', valueBoolean: true });
    expect(p.name).toBe('patient');
    expect(o.name).toBe('other');
    const gp = await read('gp');
    const lab = await read('lab');
    expect(p.resource).toEqual(gp);
    expect(o.resource).toEqual(lab);
    expect(gp.link).toEqual([{ other: { reference: 'Patient/lab' }, type: 'seealso' }]);
    expect(lab.link).toEqual([{ other: { reference: 'Patient/gp' }, type: 'seealso' }]);
    expect(gp.meta?.versionId).toBe('2');
    expect(lab.meta?.versionId).toBe('2');
    // Everything else is as it was.
    const strip = (r: Resource) => ({ ...r, meta: undefined, link: undefined });
    expect(strip(gp)).toEqual(strip(before[0]!));
    expect(strip(lab)).toEqual(strip(before[1]!));
    expect((await t.call('GET', '/fhir/Patient/gp/_history')).body.total).toBe(2);
  });

  it('is idempotent from either side', async () => {
    for (const [from, to] of [['gp', 'lab'], ['lab', 'gp']]) {
      const res = await t.call('POST', `/fhir/Patient/${from}/$link`, other(`Patient/${to}`));
      expect(res.status).toBe(200);
      expect(res.body.parameter[2]).toEqual({ name: 'changed', valueBoolean: false });
    }
    expect((await read('gp')).meta?.versionId).toBe('2');
    expect((await read('lab')).meta?.versionId).toBe('2');
  });

  it('recognises an absolute reference on this server', async () => {
    const res = await t.call('POST', '/fhir/Patient/lab/$link', other(`${BASE}/Patient/gp`));
    expect(res.body.parameter[2].valueBoolean).toBe(false);
  });

  it('adds links to further records, and unlinks one pair, keeping the others', async () => {
    expect((await t.call('POST', '/fhir/Patient/hospital/$link', other('Patient/gp'))).status).toBe(200);
    expect((await read('gp')).link).toEqual([
      { other: { reference: 'Patient/lab' }, type: 'seealso' },
      { other: { reference: 'Patient/hospital' }, type: 'seealso' },
    ]);
    const res = await t.call('POST', '/fhir/Patient/lab/$unlink', other('Patient/gp'));
    expect(res.status).toBe(200);
    expect(res.body.parameter[2].valueBoolean).toBe(true);
    const gp = await read('gp');
    const lab = await read('lab');
    expect(gp.link).toEqual([{ other: { reference: 'Patient/hospital' }, type: 'seealso' }]);
    expect(lab.link).toBeUndefined();
    expect(lab.meta?.versionId).toBe('3');
    // Unlinking again changes nothing.
    const again = await t.call('POST', '/fhir/Patient/gp/$unlink', other('Patient/lab'));
    expect(again.body.parameter[2].valueBoolean).toBe(false);
    expect((await read('lab')).meta?.versionId).toBe('3');
    // The unlinked record is the same record as before it was linked.
    const v1 = (await t.call('GET', '/fhir/Patient/lab/_history/1')).body;
    expect({ ...lab, meta: undefined }).toEqual({ ...v1, meta: undefined });
  });

  it('keeps both records consistent when two clients link the same pair at once', async () => {
    const results = await Promise.all([
      t.call('POST', '/fhir/Patient/p1/$link', other('Patient/p2')),
      t.call('POST', '/fhir/Patient/p2/$link', other('Patient/p1')),
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200]);
    expect(results.filter((r) => r.body.parameter[2].valueBoolean)).toHaveLength(1);
    expect((await read('p1')).link).toEqual([{ other: { reference: 'Patient/p2' }, type: 'seealso' }]);
    expect((await read('p2')).link).toEqual([{ other: { reference: 'Patient/p1' }, type: 'seealso' }]);
  });

  it('writes both records or neither', async () => {
    // A store whose business rules refuse any new version of Patient/locked with a link.
    const store = new FhirStore({
      db: t.db, registry: t.store.registry, validate: validateResource,
      rules: (r) => ((r as Resource).id === 'locked' && (r as Resource)['link'] ? [issue('business-rule', 'locked')] : businessRules(r)),
    });
    await expect(setPatientLink(store, 'hospital', 'locked', 'link', { agent: { clientId: 'test' } })).rejects.toMatchObject({ status: 422 });
    expect((await read('hospital')).link).toEqual([{ other: { reference: 'Patient/gp' }, type: 'seealso' }]);
    expect((await read('locked')).meta?.versionId).toBe('1');
  });

  describe('provenance and audit of link changes', () => {
    const provenanceOf = async (id: string) =>
      ((await t.call('GET', `/fhir/Provenance?target=Patient/${id}&_sort=-_lastUpdated`)).body.entry ?? []).map((e: { resource: Resource }) => e.resource) as (Resource & Record<string, any>)[];

    it('records who linked two records, why and when, targeting both new versions, in one transaction with them', async () => {
      for (const id of ['pa', 'pb']) await t.call('PUT', `/fhir/Patient/${id}`, patient({ id, family: 'Jones', given: ['Bea'], birthDate: '1970-01-02' }));
      const res = await t.call('POST', '/fhir/Patient/pa/$link', { ...other('Patient/pb'), parameter: [...other('Patient/pb').parameter, { name: 'reason', valueString: 'Same NHS number, confirmed by the practice' }] });
      expect(res.status).toBe(200);
      const [prov, ...more] = await provenanceOf('pa');
      expect(more).toHaveLength(0);
      expect(prov!.target).toEqual([{ reference: 'Patient/pa/_history/2' }, { reference: 'Patient/pb/_history/2' }]);
      expect(prov!.activity.coding[0]).toMatchObject({ system: LIFECYCLE_SYSTEM, code: 'link' });
      expect(prov!.reason).toEqual([{ text: 'Same NHS number, confirmed by the practice' }]);
      expect(prov!.agent[0].who).toMatchObject({ identifier: { value: 'test-client' } });
      // Recorded at the instant the new versions were written.
      expect(prov!.recorded).toBe((await read('pa')).meta?.lastUpdated);
      expect((await provenanceOf('pb')).map((p) => p.id)).toEqual([prov!.id]);
      expect(validateResource(prov).filter((i) => i.severity === 'error')).toEqual([]);
    });

    it('puts the change in both patients\' audit trails, in its transaction', async () => {
      for (const pid of ['pa', 'pb']) {
        // Newest writes first: the new Patient versions (update) and the Provenance (create).
        const events = (await searchAuditEvents(t.db, { patient: pid, count: 20 })).filter((e) => e.action === 'C' || e.action === 'U').slice(0, 2);
        expect(events.map((e) => e.action).sort(), pid).toEqual(['C', 'U']);
        // Both at the transaction's one instant, that of the versions it wrote.
        expect(events[0]!.recorded, pid).toBe(events[1]!.recorded);
        expect(events[0]!.recorded, pid).toBe((await read(pid)).meta?.lastUpdated);
        expect(JSON.stringify(events), pid).toContain(`Patient/${pid}`);
      }
      // The full event, in the first patient's trail, names every version written.
      const full = JSON.stringify(await searchAuditEvents(t.db, { patient: 'pa', count: 20 }));
      expect(full).toContain('Patient/pb');
      expect(full).toContain('Provenance/');
    });

    it('records unlinking, and writes nothing when nothing changes', async () => {
      expect((await t.call('POST', '/fhir/Patient/pb/$unlink', other('Patient/pa'))).body.parameter[2].valueBoolean).toBe(true);
      expect((await t.call('POST', '/fhir/Patient/pb/$unlink', other('Patient/pa'))).body.parameter[2].valueBoolean).toBe(false);
      const provs = await provenanceOf('pb');
      expect(provs.map((p) => p.activity.coding[0].code)).toEqual(['unlink', 'link']);
      expect(provs[0]!.target).toEqual([{ reference: 'Patient/pb/_history/3' }, { reference: 'Patient/pa/_history/3' }]);
      expect(provs[0]!.reason).toBeUndefined();
    });

    it('rolls the Provenance back with the link', async () => {
      const store = new FhirStore({
        db: t.db, registry: t.store.registry, validate: validateResource,
        rules: (r) => ((r as Resource).resourceType === 'Provenance' ? [issue('business-rule', 'no provenance today')] : businessRules(r)),
      });
      await expect(setPatientLink(store, 'pa', 'pb', 'link', { agent: { clientId: 'test' } })).rejects.toMatchObject({ status: 422 });
      expect((await read('pa')).meta?.versionId).toBe('3');
      expect(await provenanceOf('pa')).toHaveLength(2);
    });

    it('refuses an empty reason', async () => {
      const res = await t.call('POST', '/fhir/Patient/pa/$link', { resourceType: 'Parameters', parameter: [{ name: 'other', valueReference: { reference: 'Patient/pb' } }, { name: 'reason', valueString: ' ' }] });
      expect(res.status).toBe(400);
      expect(expressionOf(res.body)).toContain('Parameters.parameter[1].valueString');
    });
  });

  describe('refusals', () => {
    it.each<[string, string, unknown, number, string | undefined]>([
      ['an unknown patient', '/fhir/Patient/nobody/$link', other('Patient/gp'), 404, undefined],
      ['an unknown other patient', '/fhir/Patient/gp/$link', other('Patient/nobody'), 404, undefined],
      ['a deleted patient', '/fhir/Patient/gp/$link', other('Patient/gone'), 410, undefined],
      ['a patient and itself', '/fhir/Patient/gp/$link', other('Patient/gp'), 400, 'Parameters.parameter[0].valueReference.reference'],
      ['a reference to another type', '/fhir/Patient/gp/$link', other('Observation/1'), 400, 'Parameters.parameter[0].valueReference.reference'],
      ['a reference to another server', '/fhir/Patient/gp/$link', other('https://elsewhere.example/fhir/Patient/lab'), 400, 'Parameters.parameter[0].valueReference.reference'],
      ['no other', '/fhir/Patient/gp/$unlink', { resourceType: 'Parameters' }, 400, 'Parameters.parameter'],
      ['other as a string', '/fhir/Patient/gp/$link', { resourceType: 'Parameters', parameter: [{ name: 'other', valueString: 'Patient/lab' }] }, 400, 'Parameters.parameter[0].valueReference.reference'],
      ['an unknown parameter', '/fhir/Patient/gp/$link', { resourceType: 'Parameters', parameter: [{ name: 'type', valueCode: 'replaces' }] }, 400, 'Parameters.parameter[0].name'],
      ['two others', '/fhir/Patient/gp/$link', { resourceType: 'Parameters', parameter: [{ name: 'other', valueReference: { reference: 'Patient/lab' } }, { name: 'other', valueReference: { reference: 'Patient/hospital' } }] }, 400, 'Parameters.parameter[1].name'],
      ['a body that is not Parameters', '/fhir/Patient/gp/$link', patient({ family: 'Smith' }), 400, 'Parameters'],
      ['no body', '/fhir/Patient/gp/$link', undefined, 400, 'Parameters'],
      ['the Patient type', '/fhir/Patient/$link', other('Patient/gp'), 400, 'url'],
    ])('%s', async (_, url, body, status, expression) => {
      const res = await t.call('POST', url, body);
      expect(res.status).toBe(status);
      expect(res.body.resourceType).toBe('OperationOutcome');
      if (expression !== undefined) expect(expressionOf(res.body)).toContain(expression);
    });

    it('needs POST', async () => {
      expect((await t.call('GET', '/fhir/Patient/gp/$link')).status).toBe(405);
      expect((await t.call('GET', '/fhir/Patient/gp/$unlink')).status).toBe(405);
    });
  });
});
