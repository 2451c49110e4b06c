/**
 * The REST API contract (https://hl7.org/fhir/R4/http.html), through Fastify, on both engines.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

const BASE = 'http://tessera.test/fhir';
const patient = (family: string, extra: Record<string, unknown> = {}) => ({ resourceType: 'Patient', name: [{ family }], ...extra });

describe.each(ENGINES)('FHIR REST API on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => t.close());

  describe('create, read, vread', () => {
    it('creates with a server id and answers Location, ETag, Last-Modified', async () => {
      const res = await t.call('POST', '/fhir/Patient', patient('Create', { id: 'client-chosen' }));
      expect(res.status).toBe(201);
      expect(res.body.id).not.toBe('client-chosen');
      expect(res.headers.location).toBe(`${BASE}/Patient/${res.body.id}/_history/1`);
      expect(res.headers.etag).toBe('W/"1"');
      expect(new Date(String(res.headers['last-modified'])).getTime()).toBeGreaterThan(0);
      const read = await t.call('GET', `/fhir/Patient/${res.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(res.body);
      expect(read.headers['content-type']).toMatch(/application\/fhir\+json/);
      const v = await t.call('GET', `/fhir/Patient/${res.body.id}/_history/1`);
      expect(v.body).toEqual(res.body);
    });

    it('answers 404 with an OperationOutcome for unknown ids, versions and types', async () => {
      for (const url of ['/fhir/Patient/nope', '/fhir/Patient/nope/_history/1', '/fhir/NotAType/1']) {
        const res = await t.call('GET', url);
        expect(res.status, url).toBe(404);
        expect(res.body.resourceType).toBe('OperationOutcome');
      }
    });

    it('rejects an invalid id in the URL with 400', async () => {
      const res = await t.call('GET', '/fhir/Patient/bad$id');
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual(['Patient.id']);
    });

    it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
      const min = await t.call('POST', '/fhir/Patient', patient('Min'), { prefer: 'return=minimal' });
      expect(min.status).toBe(201);
      expect(min.body).toBeUndefined();
      expect(min.headers.location).toMatch(/\/Patient\/.+\/_history\/1$/);
      const oo = await t.call('POST', '/fhir/Patient', patient('OO'), { prefer: 'return=OperationOutcome' });
      expect(oo.body.resourceType).toBe('OperationOutcome');
      expect(oo.body.issue[0].severity).toBe('information');
    });

    it('answers 304 for If-None-Match on the current version', async () => {
      const c = await t.call('POST', '/fhir/Patient', patient('Cache'));
      const res = await t.call('GET', `/fhir/Patient/${c.body.id}`, undefined, { 'if-none-match': 'W/"1"' });
      expect(res.status).toBe(304);
    });
  });

  describe('update', () => {
    it('creates on update with a client id (201), then updates (200) with a new version', async () => {
      const a = await t.call('PUT', '/fhir/Patient/upd-1', { ...patient('U1'), id: 'upd-1' });
      expect(a.status).toBe(201);
      const b = await t.call('PUT', '/fhir/Patient/upd-1', { ...patient('U2'), id: 'upd-1' });
      expect(b.status).toBe(200);
      expect(b.body.meta.versionId).toBe('2');
      expect(b.headers.etag).toBe('W/"2"');
    });

    it('rejects a body id that differs from the URL, and a missing id', async () => {
      const a = await t.call('PUT', '/fhir/Patient/upd-2', { ...patient('X'), id: 'other' });
      expect(a.status).toBe(400);
      expect(a.body.issue[0].expression).toEqual(['Patient.id']);
      const b = await t.call('PUT', '/fhir/Patient/upd-2', patient('X'));
      expect(b.status).toBe(400);
    });

    it('rejects a resource type that differs from the URL', async () => {
      const res = await t.call('PUT', '/fhir/Patient/upd-3', { resourceType: 'Observation', id: 'upd-3', status: 'final', code: { text: 'x' } });
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual(['resourceType']);
    });

    it('applies If-Match: 412 on a stale version, 200 on the current one', async () => {
      await t.call('PUT', '/fhir/Patient/im-1', { ...patient('A'), id: 'im-1' });
      await t.call('PUT', '/fhir/Patient/im-1', { ...patient('B'), id: 'im-1' });
      const stale = await t.call('PUT', '/fhir/Patient/im-1', { ...patient('C'), id: 'im-1' }, { 'if-match': 'W/"1"' });
      expect(stale.status).toBe(412);
      expect(stale.body.resourceType).toBe('OperationOutcome');
      const ok = await t.call('PUT', '/fhir/Patient/im-1', { ...patient('C'), id: 'im-1' }, { 'if-match': 'W/"2"' });
      expect(ok.status).toBe(200);
      const bad = await t.call('PUT', '/fhir/Patient/im-1', { ...patient('D'), id: 'im-1' }, { 'if-match': 'banana' });
      expect(bad.status).toBe(400);
      expect(bad.body.issue[0].expression).toEqual(['If-Match']);
    });

    it('conditional update: creates when nothing matches, updates one match, 412 on several', async () => {
      const ident = (v: string) => ({ identifier: [{ system: 'urn:cu', value: v }] });
      const c = await t.call('PUT', '/fhir/Patient?identifier=urn:cu|1', patient('CU', ident('1')));
      expect(c.status).toBe(201);
      const u = await t.call('PUT', '/fhir/Patient?identifier=urn:cu|1', patient('CU2', ident('1')));
      expect(u.status).toBe(200);
      expect(u.body.id).toBe(c.body.id);
      await t.call('POST', '/fhir/Patient', patient('Dup', ident('2')));
      await t.call('POST', '/fhir/Patient', patient('Dup', ident('2')));
      const many = await t.call('PUT', '/fhir/Patient?identifier=urn:cu|2', patient('CU3', ident('2')));
      expect(many.status).toBe(412);
    });
  });

  describe('conditional create (If-None-Exist)', () => {
    it('returns the existing resource instead of creating a duplicate', async () => {
      const body = patient('INE', { identifier: [{ system: 'urn:ine', value: '9' }] });
      const a = await t.call('POST', '/fhir/Patient', body, { 'if-none-exist': 'identifier=urn:ine|9' });
      const b = await t.call('POST', '/fhir/Patient', body, { 'if-none-exist': 'identifier=urn:ine|9' });
      expect(a.status).toBe(201);
      expect(b.status).toBe(200);
      expect(b.body.id).toBe(a.body.id);
    });

    it('rejects an unknown parameter in If-None-Exist rather than ignoring it', async () => {
      const res = await t.call('POST', '/fhir/Patient', patient('INE2'), { 'if-none-exist': 'nonsense=1' });
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual(['nonsense']);
    });
  });

  describe('patch', () => {
    it('applies JSON Patch and creates a version', async () => {
      const c = await t.call('POST', '/fhir/Patient', patient('Patch'));
      const res = await t.app.inject({
        method: 'PATCH', url: `/fhir/Patient/${c.body.id}`,
        headers: { 'content-type': 'application/json-patch+json' },
        payload: JSON.stringify([{ op: 'replace', path: '/name/0/family', value: 'Patched' }, { op: 'add', path: '/gender', value: 'female' }]),
      });
      expect(res.statusCode).toBe(200);
      const body = JSON.parse(res.body);
      expect(body).toMatchObject({ name: [{ family: 'Patched' }], gender: 'female', meta: { versionId: '2' } });
    });

    it('answers 422 for a failing test op and 400 for a malformed patch', async () => {
      const c = await t.call('POST', '/fhir/Patient', patient('Patch2'));
      const send = (ops: unknown) => t.app.inject({ method: 'PATCH', url: `/fhir/Patient/${c.body.id}`, headers: { 'content-type': 'application/json-patch+json' }, payload: JSON.stringify(ops) });
      expect((await send([{ op: 'test', path: '/name/0/family', value: 'Nope' }])).statusCode).toBe(422);
      expect((await send({ op: 'add' })).statusCode).toBe(400);
      expect((await send([{ op: 'explode', path: '/x' }])).statusCode).toBe(400);
      const invalid = await send([{ op: 'add', path: '/gender', value: 'sometimes' }]);
      expect(invalid.statusCode).toBe(400);
      expect(JSON.parse(invalid.body).issue[0].expression[0]).toMatch(/gender/);
    });
  });

  describe('delete', () => {
    it('deletes; a later read answers 410; history keeps every version', async () => {
      const c = await t.call('POST', '/fhir/Patient', patient('Del'));
      const d = await t.call('DELETE', `/fhir/Patient/${c.body.id}`);
      expect(d.status).toBe(204);
      expect((await t.call('GET', `/fhir/Patient/${c.body.id}`)).status).toBe(410);
      const h = await t.call('GET', `/fhir/Patient/${c.body.id}/_history`);
      expect(h.body.total).toBe(2);
      expect(h.body.entry[0].request.method).toBe('DELETE');
      expect(h.body.entry[0].resource).toBeUndefined();
      expect(h.body.entry[1].resource.name[0].family).toBe('Del');
      const again = await t.call('PUT', `/fhir/Patient/${c.body.id}`, { ...patient('Back'), id: c.body.id });
      expect(again.status).toBe(201);
      expect(again.body.meta.versionId).toBe('3');
    });

    it('deleting what does not exist is not an error', async () => {
      expect((await t.call('DELETE', '/fhir/Patient/never-was')).status).toBe(204);
    });

    it('conditional delete removes every match', async () => {
      for (let i = 0; i < 3; i++) await t.call('POST', '/fhir/Patient', patient('CondDel', { identifier: [{ system: 'urn:cd', value: 'x' }] }));
      const res = await t.call('DELETE', '/fhir/Patient?identifier=urn:cd|x');
      expect(res.status).toBe(200);
      expect((await t.call('GET', '/fhir/Patient?identifier=urn:cd|x')).body.total).toBe(0);
    });
  });

  describe('history', () => {
    it('type and system history with _since and _count paging', async () => {
      const before = new Date(Date.now() - 1000).toISOString();
      for (let i = 0; i < 3; i++) await t.call('POST', '/fhir/Organization', { resourceType: 'Organization', name: `Org ${i}` });
      const type = await t.call('GET', `/fhir/Organization/_history?_since=${encodeURIComponent(before)}&_count=2`);
      expect(type.body.type).toBe('history');
      expect(type.body.total).toBe(3);
      expect(type.body.entry).toHaveLength(2);
      const next = type.body.link.find((l: { relation: string }) => l.relation === 'next').url.replace('http://tessera.test', '');
      const page2 = await t.call('GET', next);
      expect(page2.body.entry).toHaveLength(1);
      const names = [...type.body.entry, ...page2.body.entry].map((e: any) => e.resource.name).sort();
      expect(names).toEqual(['Org 0', 'Org 1', 'Org 2']);
      const sys = await t.call('GET', `/fhir/_history?_count=1`);
      expect(sys.body.entry).toHaveLength(1);
      expect(sys.body.total).toBeGreaterThan(3);
    });

    it('rejects a malformed _since', async () => {
      const res = await t.call('GET', '/fhir/Patient/_history?_since=yesterday');
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression).toEqual(['_since']);
    });
  });

  describe('formats and bad input', () => {
    it('answers 406 for XML Accept and _format=xml, 415 for an XML body', async () => {
      expect((await t.call('GET', '/fhir/metadata', undefined, { accept: 'application/fhir+xml' })).status).toBe(406);
      expect((await t.call('GET', '/fhir/metadata?_format=xml')).status).toBe(406);
      const res = await t.app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+xml' }, payload: '<Patient xmlns="http://hl7.org/fhir"/>' });
      expect(res.statusCode).toBe(415);
      expect(JSON.parse(res.body).resourceType).toBe('OperationOutcome');
    });

    it('answers 400 for malformed JSON and 413 for an oversized body, never a stack trace', async () => {
      const bad = await t.app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' }, payload: '{"resourceType": "Patient",' });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).not.toMatch(/at .*\.js/);
      const big = await t.app.inject({ method: 'POST', url: '/fhir/Patient', headers: { 'content-type': 'application/fhir+json' }, payload: JSON.stringify(patient('x'.repeat(2 * 1024 * 1024))) });
      expect(big.statusCode).toBe(413);
      expect(JSON.parse(big.body).issue[0].code).toBe('too-long');
    });

    it('validates on write and names the failing element', async () => {
      const res = await t.call('POST', '/fhir/Patient', { resourceType: 'Patient', birthDate: '1990-02-30', colour: 'blue' });
      expect(res.status).toBe(400);
      const expressions = res.body.issue.flatMap((i: any) => i.expression);
      expect(expressions).toEqual(expect.arrayContaining(['Patient.birthDate', 'Patient.colour']));
    });

    it('answers 422 naming the identifier for an invalid NHS number, and accepts a valid one', async () => {
      const nhs = (value: string) => ({ resourceType: 'Patient', identifier: [{ system: 'urn:local', value: 'x1' }, { system: 'https://fhir.nhs.uk/Id/nhs-number', value }] });
      const bad = await t.call('POST', '/fhir/Patient', nhs('9434765918'));
      expect(bad.status).toBe(422);
      expect(bad.body.issue[0].expression).toEqual(['Patient.identifier[1].value']);
      expect(JSON.stringify(bad.body)).not.toContain('9434765918');
      expect((await t.call('POST', '/fhir/Patient', nhs('9434765919'))).status).toBe(201);
    });

    it('answers 422 when a resource breaks a UK Core profile it claims', async () => {
      const profile = 'https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient';
      const twoNhsNumbers = {
        resourceType: 'Patient', meta: { profile: [profile] },
        identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }, { system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765870' }],
      };
      const res = await t.call('POST', '/fhir/Patient', twoNhsNumbers);
      expect(res.status).toBe(422);
      expect(res.body.issue.some((i: any) => i.severity === 'error' && /identifier/.test(i.expression?.[0] ?? ''))).toBe(true);
      const ok = await t.call('POST', '/fhir/Patient', { resourceType: 'Patient', meta: { profile: [profile] }, identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '9434765919' }] });
      expect(ok.status).toBe(201);
    });

    it('answers 405 for unsupported methods', async () => {
      expect((await t.call('DELETE', '/fhir/metadata')).status).toBe(405);
    });
  });

  describe('CapabilityStatement', () => {
    it('lists the interactions and search parameters that work', async () => {
      const res = await t.call('GET', '/fhir/metadata');
      expect(res.body.resourceType).toBe('CapabilityStatement');
      expect(res.body.fhirVersion).toBe('4.0.1');
      const pat = res.body.rest[0].resource.find((r: any) => r.type === 'Patient');
      expect(pat.interaction.map((i: any) => i.code)).toEqual(expect.arrayContaining(['read', 'vread', 'update', 'patch', 'delete', 'create', 'search-type', 'history-type']));
      expect(pat.searchParam.map((p: any) => p.name)).toEqual(expect.arrayContaining(['identifier', 'name', 'birthdate', '_id']));
      expect(res.body.rest[0].interaction.map((i: any) => i.code)).toEqual(expect.arrayContaining(['transaction', 'batch']));
    });
  });

  describe('transaction and batch', () => {
    it('rewrites urn:uuid references and answers every entry with location and etag', async () => {
      const bundle = {
        resourceType: 'Bundle', type: 'transaction', entry: [
          { fullUrl: 'urn:uuid:11111111-1111-4111-8111-111111111111', resource: patient('Tx'), request: { method: 'POST', url: 'Patient' } },
          {
            fullUrl: 'urn:uuid:22222222-2222-4222-8222-222222222222',
            resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: 'urn:uuid:11111111-1111-4111-8111-111111111111' } },
            request: { method: 'POST', url: 'Observation' },
          },
        ],
      };
      const res = await t.call('POST', '/fhir', bundle);
      expect(res.status).toBe(200);
      expect(res.body.type).toBe('transaction-response');
      const [p, o] = res.body.entry;
      expect(p.response.status).toMatch(/^201/);
      expect(p.response.location).toMatch(/^Patient\/[^/]+\/_history\/1$/);
      expect(p.response.etag).toBe('W/"1"');
      const obsId = o.response.location.split('/')[1];
      const obs = await t.call('GET', `/fhir/Observation/${obsId}`);
      expect(obs.body.subject.reference).toBe(p.response.location.split('/_history')[0]);
      const search = await t.call('GET', `/fhir/Observation?subject=${obs.body.subject.reference}`);
      expect(search.body.total).toBe(1);
    });

    it('is atomic: one bad entry leaves nothing behind, and the outcome names the entry', async () => {
      const bundle = {
        resourceType: 'Bundle', type: 'transaction', entry: [
          { resource: patient('Atomic-1', { identifier: [{ system: 'urn:atomic', value: '1' }] }), request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Patient', birthDate: 'not-a-date' }, request: { method: 'POST', url: 'Patient' } },
        ],
      };
      const res = await t.call('POST', '/fhir', bundle);
      expect(res.status).toBe(400);
      expect(res.body.issue[0].expression[0]).toMatch(/^Bundle\.entry\[1\]/);
      expect((await t.call('GET', '/fhir/Patient?identifier=urn:atomic|1')).body.total).toBe(0);
    });

    it('resolves conditional references and fails when they match nothing', async () => {
      await t.call('POST', '/fhir/Patient', patient('CondRef', { identifier: [{ system: 'urn:cr', value: '7' }] }));
      const ok = await t.call('POST', '/fhir', {
        resourceType: 'Bundle', type: 'transaction', entry: [{
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient?identifier=urn:cr|7' } },
          request: { method: 'POST', url: 'Observation' },
        }],
      }, { prefer: 'return=representation' });
      expect(ok.status).toBe(200);
      expect(ok.body.entry[0].resource.subject.reference).toMatch(/^Patient\/[^?]+$/);
      const bad = await t.call('POST', '/fhir', {
        resourceType: 'Bundle', type: 'transaction', entry: [{
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient?identifier=urn:cr|none' } },
          request: { method: 'POST', url: 'Observation' },
        }],
      });
      expect(bad.status).toBe(412);
    });

    it('batch reports each entry on its own', async () => {
      const res = await t.call('POST', '/fhir', {
        resourceType: 'Bundle', type: 'batch', entry: [
          { resource: patient('B1'), request: { method: 'POST', url: 'Patient' } },
          { resource: { resourceType: 'Patient', gender: 'nonsense' }, request: { method: 'POST', url: 'Patient' } },
          { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        ],
      });
      expect(res.body.type).toBe('batch-response');
      expect(res.body.entry[0].response.status).toMatch(/^201/);
      expect(res.body.entry[1].response.status).toBe('400');
      expect(res.body.entry[1].response.outcome.issue[0].expression[0]).toMatch(/^Bundle\.entry\[1\]/);
      expect(res.body.entry[2].response.status).toBe('404');
    });

    it('processes the official R4 transaction example atomically', async () => {
      const example = JSON.parse(readFileSync('test/fixtures/fhir/Bundle-bundle-transaction.json', 'utf8'));
      // As published it cannot succeed here: it updates Patient/123a at If-Match W/"2" (which
      // does not exist) and calls ValueSet/$lookup. Both must fail the whole bundle, cleanly.
      const res = await t.call('POST', '/fhir', example);
      expect([400, 412]).toContain(res.status);
      expect(res.body.resourceType).toBe('OperationOutcome');
      expect(res.body.issue[0].expression[0]).toMatch(/^Bundle\.entry\[\d+\]/);
      expect((await t.call('GET', '/fhir/Patient/123')).status).toBe(404);

      // With its preconditions met and the operation entry removed, every entry succeeds.
      await t.call('PUT', '/fhir/Patient/123a', { resourceType: 'Patient', id: '123a', active: true });
      await t.call('PUT', '/fhir/Patient/123a', { resourceType: 'Patient', id: '123a', active: false });
      await t.call('PUT', '/fhir/Patient/234', { resourceType: 'Patient', id: '234' });
      await t.call('PUT', '/fhir/Patient/12334', { resourceType: 'Patient', id: '12334' });
      const runnable = { ...example, entry: example.entry.filter((e: any) => !e.request.url.includes('$')) };
      const ok = await t.call('POST', '/fhir', runnable);
      expect(ok.status).toBe(200);
      expect(ok.body.entry).toHaveLength(runnable.entry.length);
      expect((await t.call('GET', '/fhir/Patient/234')).status).toBe(410);
      expect((await t.call('GET', '/fhir/Patient/123')).status).toBe(200);
      expect((await t.call('GET', '/fhir/Patient/123a')).body.meta.versionId).toBe('3');
      // The GET entries ran inside the transaction: a search, and a read answered 200 (its
      // If-None-Match names version 4, which Patient/12334 is not at).
      const gets = ok.body.entry.slice(-2);
      expect(gets[0].resource.resourceType).toBe('Bundle');
      expect(gets[1].response.status).toBe('200');
    });
  });
});
