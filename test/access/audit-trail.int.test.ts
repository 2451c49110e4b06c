/**
 * The audit trail through the API, for a scripted day of mixed use: every access to a patient's
 * record appears in their trail exactly once — reads and searches (batched), writes (in their
 * own transaction), a refused look, a break-glass — the patient can list them, and verification
 * detects a modified row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/auth/principal.js';
import { listPatientAccess, verifyAuditChains } from '../../src/store/audit-log.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { ENGINES } from '../support/test-store.js';
import { SYSTEM_PRINCIPAL, testPrincipal } from '../support/principals.js';

const PRINCIPALS: Record<string, Principal> = {
  system: SYSTEM_PRINCIPAL,
  alice: testPrincipal('patient', 'patient/*.cruds', { fhirUser: 'Patient/alice', role: 'patient', userId: 'u-alice' }),
  gp: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/gp1', organization: 'Organization/surgery', role: 'gp', userId: 'u-gp' }),
  stranger: testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/ed', organization: 'Organization/elsewhere', role: 'hospital-doctor', userId: 'u-ed' }),
};

describe.each(ENGINES)('the audit trail of a day (%s)', (engine) => {
  let t: TestApp;
  const as = (who: string) => ({ authorization: `Bearer ${who}` });
  const obs = (id: string, value: number) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'Weight' }, subject: { reference: 'Patient/alice' }, valueQuantity: { value, unit: 'kg' } });

  beforeAll(async () => {
    t = await createTestApp(engine, { authenticate: async (h) => PRINCIPALS[h?.replace(/^Bearer /, '') ?? 'system']! });
  });
  afterAll(async () => t?.close());

  it('records each access once, in the patient’s own trail, and the patient can read it', async () => {
    const day: [string, string, string, unknown?][] = [
      ['system', 'PUT', '/fhir/Patient/alice', { resourceType: 'Patient', id: 'alice', generalPractitioner: [{ reference: 'Organization/surgery' }] }],
      ['system', 'PUT', '/fhir/Observation/o1', obs('o1', 70)],
      ['system', 'PUT', '/fhir/Observation/o2', obs('o2', 71)],
      ['alice', 'GET', '/fhir/Patient/alice'],
      ['alice', 'GET', '/fhir/Observation?patient=alice'],
      ['gp', 'GET', '/fhir/Observation/o1'],
      ['gp', 'PUT', '/fhir/Observation/o1', obs('o1', 70.5)],
      ['gp', 'GET', '/fhir/Patient/alice/$everything'],
      ['stranger', 'GET', '/fhir/Patient/alice'],
      ['stranger', 'POST', '/fhir/Patient/alice/$break-glass', { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Collapsed in the emergency department' }] }],
      ['stranger', 'GET', '/fhir/Observation/o2'],
    ];
    const statuses: number[] = [];
    for (const [who, method, url, body] of day) statuses.push((await t.call(method, url, body, as(who))).status);
    expect(statuses).toEqual([201, 201, 201, 200, 200, 200, 200, 200, 404, 200, 200]);
    await t.flushAudit();

    const list = await t.call('GET', '/fhir/Patient/alice/$access-log?_count=100', undefined, as('alice'));
    expect(list.status).toBe(200);
    const events = list.body.entry.map((e: { resource: any }) => e.resource);
    // Reads are written in batches and writes in their own transactions, so the trail's order is
    // not the order of the day: compare as a set, each access exactly once.
    const summary = events.map((e: any) => `${e.agent[0].who?.reference ?? 'system'} ${e.subtype?.[0]?.code ?? e.type.code} ${e.outcome}`).sort();
    expect(events).toHaveLength(day.length);
    expect(summary).toEqual([
      'Patient/alice read 0', 'Patient/alice search 0',
      'Practitioner/ed 110127 0', 'Practitioner/ed read 0', 'Practitioner/ed read 4',
      'Practitioner/gp1 operation 0', 'Practitioner/gp1 read 0', 'Practitioner/gp1 update 0',
      'system create 0', 'system create 0', 'system create 0',
    ]);
    // The break-glass is marked as such, with its reason.
    const btg = events.find((e: any) => (e.purposeOfEvent ?? []).some((p: any) => (p.coding ?? []).some((c: any) => c.code === 'BTG')));
    expect(btg).toBeDefined();
    // Another patient sees nothing of it; staff without a relationship cannot list it.
    expect((await t.call('GET', '/fhir/Patient/alice/$access-log', undefined, as('gp'))).status).toBe(200);
    expect((await t.call('GET', '/fhir/Patient/alice/$access-log', undefined, as('stranger'))).status).toBe(200); // still within the break-glass window
    expect((await t.call('PUT', '/fhir/Patient/bob', { resourceType: 'Patient', id: 'bob' }, as('system'))).status).toBe(201);
    PRINCIPALS.bob = testPrincipal('patient', 'patient/*.cruds', { fhirUser: 'Patient/bob', role: 'patient', userId: 'u-bob' });
    expect((await t.call('GET', '/fhir/Patient/alice/$access-log', undefined, as('bob'))).status).toBe(404);
    // Investigators: everything one person did, for backend systems only.
    const byAgent = await t.call('GET', '/fhir/$access-log?agent=Practitioner/ed', undefined, as('system'));
    expect(byAgent.body.entry.length).toBeGreaterThanOrEqual(3);
    expect((await t.call('GET', '/fhir/$access-log', undefined, as('gp'))).status).toBe(403);
  });

  it("lists the accesses to all of a person's linked records, each once, a page at a time, for the patient and their GP alike", async () => {
    // Alice's hospital record, linked to her GP record.
    expect((await t.call('PUT', '/fhir/Patient/alice-hosp', { resourceType: 'Patient', id: 'alice-hosp', link: [{ other: { reference: 'Patient/alice' }, type: 'seealso' }] }, as('system'))).status).toBe(201);
    expect((await t.call('GET', '/fhir/Patient/alice-hosp', undefined, as('system'))).status).toBe(200);
    expect((await t.call('GET', '/fhir/Patient?_id=alice,alice-hosp', undefined, as('system'))).status).toBe(200);
    await t.flushAudit();
    for (const who of ['alice', 'gp']) {
      // What the trail holds now (read directly, which is not itself an access): listing is an
      // access too, but each page's own event is newer than the first page, so never on a later one.
      await t.flushAudit();
      const before = (await listPatientAccess(t.db, ['alice', 'alice-hosp'], { count: 500 })).events.map((e) => e.id);
      const ids: string[] = [];
      let url: string | undefined = '/fhir/Patient/alice/$access-log?_count=4';
      while (url) {
        const res = await t.call('GET', url, undefined, as(who));
        expect(res.status, url).toBe(200);
        ids.push(...res.body.entry.map((e: { resource: { id: string } }) => e.resource.id));
        const next = res.body.link.find((l: { relation: string }) => l.relation === 'next')?.url as string | undefined;
        url = next ? next.slice(next.indexOf('/fhir/')) : undefined;
      }
      // The day's accesses to alice, the hospital record's creation and read, and the search of both (once).
      expect(ids.length, who).toBeGreaterThanOrEqual(14);
      expect(new Set(ids).size, who).toBe(ids.length);
      expect(ids, who).toEqual(before);
    }
    expect((await t.call('GET', '/fhir/$access-log?_cursor=x', undefined, as('system'))).status).toBe(400);
  });

  it('a write that fails leaves no success in the trail; verification passes, then catches tampering', async () => {
    const bad = await t.call('PUT', '/fhir/Observation/o1', { ...obs('o1', 1), status: 'no-such-status' }, as('gp'));
    expect(bad.status).toBe(400);
    await t.flushAudit();
    const clean = await verifyAuditChains(t.db);
    expect(clean.problems).toEqual([]);
    expect(clean.events).toBeGreaterThan(10);
    const edited = await t.db.query<{ chain_key: string }>(`UPDATE audit_events SET content = replace(content, 'Practitioner/ed', 'Practitioner/someone-else') WHERE patient_id = 'alice' AND content LIKE '%Practitioner/ed%' RETURNING chain_key`);
    expect(edited.rows.length).toBeGreaterThan(0);
    const tampered = await verifyAuditChains(t.db);
    expect(tampered.problems.length).toBe(edited.rows.length);
    expect(tampered.problems.every((p) => p.problem === 'hash-mismatch' && edited.rows.some((r) => r.chain_key === p.chainKey))).toBe(true);
  });
});
