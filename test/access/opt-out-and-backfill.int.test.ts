/**
 * Opt-outs govern secondary use: an export for analytics leaves out people who opted out, an
 * export for direct care does not. And a database written before the access rows existed gets
 * them computed once, after which access is enforced the same as on a new database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHARING_CHOICE, SNOMED, TYPE_1_OPT_OUT_SNOMED } from '../../src/access/codes.js';
import { backfillAccessRows } from '../../src/store/access-backfill.js';
import { exportResources } from '../../src/store/export.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { ENGINES } from '../support/test-store.js';
import { testPrincipal } from '../support/principals.js';

const optOut = (id: string, patient: string, coding: { system: string; code: string }) => ({
  resourceType: 'Consent', id, status: 'active', scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'research' }] },
  category: [{ coding: [coding] }], patient: { reference: `Patient/${patient}` }, provision: { type: 'deny' },
});

describe.each(ENGINES)('opt-outs and access rows (%s)', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine, { authenticate: async (h) => (h === 'Bearer gp' ? testPrincipal('practitioner', 'user/*.cruds', { organization: 'Organization/gp', fhirUser: 'Practitioner/p' }) : testPrincipal('system', 'system/*.cruds')) });
    for (const id of ['stays', 'ndoo', 'type1', 'type1-h']) {
      await t.store.update({ resourceType: 'Patient', id, generalPractitioner: [{ reference: 'Organization/gp' }], ...(id === 'type1-h' ? { link: [{ other: { reference: 'Patient/type1' }, type: 'seealso' }] } : {}) });
      await t.store.update({ resourceType: 'Observation', id: `${id}-obs`, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${id}` } });
    }
    await t.store.update(optOut('c1', 'ndoo', { system: SHARING_CHOICE, code: 'national-data-opt-out' }));
    await t.store.update(optOut('c2', 'type1', { system: SNOMED, code: TYPE_1_OPT_OUT_SNOMED }));
    await t.store.update({ resourceType: 'Organization', id: 'gp', name: 'Surgery' });
  });
  afterAll(async () => t.close());

  const exported = async (purpose: 'direct-care' | 'secondary-use') => {
    const ids: string[] = [];
    for await (const r of exportResources(t.db, [], 2, purpose)) ids.push(`${r.resourceType}/${r.id}`);
    return ids.sort();
  };

  it('secondary use leaves out everything of people who opted out (and their linked records); direct care keeps it', async () => {
    const all = await exported('direct-care');
    expect(all).toHaveLength(11);
    expect(await exported('secondary-use')).toEqual(['Observation/stays-obs', 'Organization/gp', 'Patient/stays']);
  });

  it('opting out does not change direct care: their GP still sees them', async () => {
    expect((await t.call('GET', '/fhir/Observation/ndoo-obs', undefined, { authorization: 'Bearer gp' })).status).toBe(200);
  });

  it('the access rows of an older database are computed once, then access applies', async () => {
    await t.db.query(`DELETE FROM search_token WHERE param LIKE '\\_access:%'`);
    await t.db.query(`DELETE FROM settings WHERE key = 'access_rows_version'`);
    expect((await t.call('GET', '/fhir/Observation/stays-obs', undefined, { authorization: 'Bearer gp' })).status).toBe(404);
    expect(await backfillAccessRows(t.db, t.store.registry, 3)).toBe(11);
    // The backfill runs at start, before any request; here the node already remembered a decision.
    t.access.forget();
    expect((await t.call('GET', '/fhir/Observation/stays-obs', undefined, { authorization: 'Bearer gp' })).status).toBe(200);
    expect(await exported('secondary-use')).toEqual(['Observation/stays-obs', 'Organization/gp', 'Patient/stays']);
    expect(await backfillAccessRows(t.db, t.store.registry)).toBe(0);
  });

  it('a care relationship that opens or closes takes effect at once (remembered decisions are dropped on this node)', async () => {
    const gp = { authorization: 'Bearer gp' };
    await t.store.update({ resourceType: 'Patient', id: 'walk-in' });
    expect((await t.call('GET', '/fhir/Patient/walk-in', undefined, gp)).status).toBe(404);
    const visit = { resourceType: 'Encounter', id: 'walk-in-visit', status: 'in-progress', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, subject: { reference: 'Patient/walk-in' }, serviceProvider: { reference: 'Organization/gp' } };
    expect((await t.call('PUT', '/fhir/Encounter/walk-in-visit', visit)).status).toBe(201);
    expect((await t.call('GET', '/fhir/Patient/walk-in', undefined, gp)).status).toBe(200);
    expect((await t.call('PUT', '/fhir/Encounter/walk-in-visit', { ...visit, status: 'finished' })).status).toBe(200);
    expect((await t.call('GET', '/fhir/Patient/walk-in', undefined, gp)).status).toBe(404);
  });
});
