/**
 * Hostile search values reach SQL only as bound parameters: quotes, LIKE wildcards, backslashes,
 * unicode and 10,000-character values give correct results or a 400 — never a 500, never SQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

const HOSTILE = [
  "'", "''", "' OR '1'='1", "'; DROP TABLE resources; --", '"', '%', '%%', '_', '__', '\\', '\\\\', '\\%', '\\_',
  '$1', '$$', ':', '|', '||', ',', '\\,', '\\|', '\\$', '(', ')', '*', '?', '\u0000', 'NULL', 'null',
  'Zoë', 'Ωμέγα', '李小龍', '🩺🏥', '\u202eevil', 'a\u0301', ' ', '  leading', 'trailing  ',
  'x'.repeat(10_000),
];

const PARAMS = [
  'Patient?family=', 'Patient?family:exact=', 'Patient?family:contains=', 'Patient?name=', 'Patient?identifier=',
  'Patient?identifier=urn:x|', 'Patient?gender=', 'Patient?gender:not=', 'Patient?birthdate=', 'Patient?_id=',
  'Observation?subject=', 'Observation?subject:identifier=', 'Observation?value-quantity=', 'Observation?code:text=',
  'Observation?component-code-value-quantity=', 'CodeSystem?url=', 'CodeSystem?url:below=', 'CodeSystem?url:above=',
  'Patient?_has:Observation:subject:code=', 'Observation?subject:Patient.family=', 'Patient?_sort=', 'Patient?_count=',
  'Condition?code:in=', 'Patient?_list=', 'Patient?_tag=',
];

describe.each(ENGINES)('hostile search values on %s', (engine) => {
  let t: TestApp;
  const names = HOSTILE.filter((h) => !h.includes('\u0000') && h.trim() === h && h.length > 0 && h.length < 1000);
  beforeAll(async () => {
    t = await createTestApp(engine);
    for (const [i, family] of names.entries()) {
      const res = await t.call('PUT', `/fhir/Patient/h${i}`, { resourceType: 'Patient', id: `h${i}`, name: [{ family }], identifier: [{ system: 'urn:x', value: family }] });
      expect(res.status, family).toBeLessThan(300);
    }
  });
  afterAll(async () => t.close());

  it('never answers 500 and never runs the value as SQL', async () => {
    for (const p of PARAMS) {
      for (const h of HOSTILE) {
        const url = `/fhir/${p}${encodeURIComponent(h)}`;
        const res = await t.call('GET', url);
        expect([200, 400], `${p}${h.slice(0, 40)}`).toContain(res.status);
        expect(res.body.resourceType).toMatch(/^(Bundle|OperationOutcome)$/);
      }
    }
    // The table is still there.
    expect((await t.call('GET', '/fhir/Patient?_summary=count')).body.total).toBe(names.length);
  });

  it('finds each stored hostile name exactly, and wildcards match literally', async () => {
    for (const [i, family] of names.entries()) {
      const res = await t.call('GET', `/fhir/Patient?family:exact=${encodeURIComponent(family.replace(/[\\,|$]/g, (c) => `\\${c}`))}`);
      expect(res.status, family).toBe(200);
      expect(res.body.entry.map((e: any) => e.resource.id), family).toEqual([`h${i}`]);
    }
    const pct = await t.call('GET', `/fhir/Patient?family=${encodeURIComponent('%')}`);
    expect(pct.body.entry.map((e: any) => e.resource.name[0].family).every((f: string) => f.startsWith('%'))).toBe(true);
    const us = await t.call('GET', `/fhir/Patient?family:contains=${encodeURIComponent('_')}`);
    expect(us.body.entry.map((e: any) => e.resource.name[0].family).every((f: string) => f.includes('_'))).toBe(true);
  });
});
