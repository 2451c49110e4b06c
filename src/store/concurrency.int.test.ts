/**
 * Optimistic locking under contention: 50 concurrent If-Match updates of one resource. Exactly
 * one may win per version; the rest get 412 and nothing is lost.
 * https://hl7.org/fhir/R4/http.html#concurrency
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';

describe.each(ENGINES)('concurrent If-Match updates on %s', (engine) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(engine);
  });
  afterAll(async () => t.close());

  it('lets exactly one of 50 writers win each version', async () => {
    await t.call('PUT', '/fhir/Patient/contended', { resourceType: 'Patient', id: 'contended', name: [{ family: 'v1' }] });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.call('PUT', '/fhir/Patient/contended', { resourceType: 'Patient', id: 'contended', name: [{ family: `writer-${i}` }] }, { 'if-match': 'W/"1"' }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = results.find((r) => r.status === 200)!;
    const current = await t.call('GET', '/fhir/Patient/contended');
    expect(current.body.meta.versionId).toBe('2');
    expect(current.body.name).toEqual(winner.body.name);
    const history = await t.call('GET', '/fhir/Patient/contended/_history');
    expect(history.body.total).toBe(2);
  });

  it('serialises 50 unconditional updates into 50 consecutive versions', async () => {
    await t.call('PUT', '/fhir/Patient/busy', { resourceType: 'Patient', id: 'busy', name: [{ family: 'start' }] });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.call('PUT', '/fhir/Patient/busy', { resourceType: 'Patient', id: 'busy', name: [{ family: `w${i}` }] })),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const versions = results.map((r) => Number(r.body.meta.versionId)).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 50 }, (_, i) => i + 2));
  });

  it('creates exactly one resource when 20 clients race to create the same id', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => t.call('PUT', '/fhir/Patient/race-new', { resourceType: 'Patient', id: 'race-new', active: true })),
    );
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.every((r) => r.status === 201 || r.status === 200)).toBe(true);
  });
});
