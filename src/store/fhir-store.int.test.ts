import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OperationOutcomeError } from '../fhir/outcome.js';
import { parseSearch } from '../search/parse-search.js';
import { SearchRegistry } from '../search/registry.js';
import { ENGINES, openTestDatabase } from '../../test/support/test-store.js';
import type { Database } from './database.js';
import { FhirStore } from './fhir-store.js';

const registry = new SearchRegistry();

describe.each(ENGINES)('FhirStore contract on %s', (engine) => {
  let db: Database;
  let store: FhirStore;
  beforeAll(async () => {
    db = await openTestDatabase(engine);
    store = new FhirStore({ db, registry, validate: () => [] });
  });
  afterAll(async () => db.close());

  const patient = (family: string, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Patient', name: [{ family, given: ['Ann'] }], ...extra,
  });

  it('creates with a server id, reads back with meta stamped', async () => {
    const { version, created } = await store.create(patient('Smith'));
    expect(created).toBe(true);
    expect(version.versionId).toBe(1);
    const read = await store.read('Patient', version.id);
    const body = JSON.parse(read.json);
    expect(body).toMatchObject({ resourceType: 'Patient', id: version.id, meta: { versionId: '1' } });
    expect(body.meta.lastUpdated).toBe(read.lastUpdated.toISOString());
  });

  it('keeps every version and answers 410 after delete', async () => {
    const { version } = await store.create(patient('Jones'));
    await store.update({ ...patient('Jones-Brown'), id: version.id });
    await store.delete('Patient', version.id);
    await expect(store.read('Patient', version.id)).rejects.toMatchObject({ status: 410 });
    expect(JSON.parse((await store.vread('Patient', version.id, '1')).json).name[0].family).toBe('Jones');
    expect(JSON.parse((await store.vread('Patient', version.id, '2')).json).name[0].family).toBe('Jones-Brown');
    const h = await store.history({ resourceType: 'Patient', id: version.id, count: 10 });
    expect(h.entries.map((e) => [e.versionId, e.method])).toEqual([[3, 'DELETE'], [2, 'PUT'], [1, 'POST']]);
  });

  it('answers reads asked together, each with its own current version, never one older than an acknowledged write', async () => {
    const made = await Promise.all(['Read-1', 'Read-2', 'Read-3'].map((f) => store.create(patient(f))));
    const ids = made.map((m) => m.version.id);
    await store.update({ ...patient('Read-2-changed'), id: ids[1] });
    const all = await Promise.all([...ids, ...ids].map((id) => store.read('Patient', id)));
    expect(all.map((v) => JSON.parse(v.json).name[0].family)).toEqual(['Read-1', 'Read-2-changed', 'Read-3', 'Read-1', 'Read-2-changed', 'Read-3']);
    expect(all.map((v) => v.versionId)).toEqual([1, 2, 1, 1, 2, 1]);
    const [missing, gone] = await Promise.all([store.readCurrent('Patient', 'never-made'), store.delete('Patient', ids[2]!).then(() => store.readCurrent('Patient', ids[2]!))]);
    expect(missing).toBeUndefined();
    expect(gone).toMatchObject({ deleted: true, versionId: 2 });
  });

  it('rejects a stale If-Match with 412 and keeps the winner', async () => {
    const { version } = await store.create(patient('Lee'));
    await store.update({ ...patient('Lee2'), id: version.id }, 1);
    const err = await store.update({ ...patient('Lee3'), id: version.id }, 1).catch((e) => e);
    expect(err).toBeInstanceOf(OperationOutcomeError);
    expect(err.status).toBe(412);
    expect(JSON.parse((await store.read('Patient', version.id)).json).name[0].family).toBe('Lee2');
  });

  it('does not create a version for an unchanged update', async () => {
    const { version } = await store.update({ ...patient('Same'), id: 'same-1' });
    const again = await store.update({ ...patient('Same'), id: 'same-1' });
    expect(again.version.versionId).toBe(version.versionId);
  });

  it('conditional create returns the existing match', async () => {
    const p = patient('Cond', { identifier: [{ system: 'urn:x', value: 'c1' }] });
    const a = await store.create(p, 'identifier=urn:x|c1');
    const b = await store.create(p, 'identifier=urn:x|c1');
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.version.id).toBe(a.version.id);
  });

  it('searches by string prefix, token, and pages with a cursor', async () => {
    for (let i = 0; i < 5; i++) await store.create(patient(`Pager${i}`, { gender: i % 2 ? 'male' : 'female' }));
    const req = parseSearch(registry, 'Patient', [['family', 'pager'], ['gender', 'female'], ['_count', '2']]);
    const p1 = await store.search(req);
    expect(p1.total).toBe(3);
    expect(p1.matches).toHaveLength(2);
    const p2 = await store.search({ ...req, cursor: p1.next! });
    expect(p2.matches).toHaveLength(1);
    expect(p2.next).toBeUndefined();
    const ids = [...p1.matches, ...p2.matches].map((m) => m.id);
    expect(new Set(ids).size).toBe(3);
  });

  it('keeps index rows right across updates that do and do not change indexed values', async () => {
    const id = 'reindex-1';
    const find = async (q: [string, string][]) => (await store.search(parseSearch(registry, 'Patient', q))).matches.map((m) => m.id);
    await store.update({ ...patient('Before', { gender: 'female' }), id });
    await store.update({ ...patient('Before', { gender: 'female', language: 'cy' }), id });
    expect(await find([['family', 'before'], ['gender', 'female']])).toEqual([id]);
    await store.update({ ...patient('After', { gender: 'female', language: 'cy' }), id });
    expect(await find([['family', 'before']])).toEqual([]);
    expect(await find([['family', 'after'], ['gender', 'female']])).toEqual([id]);
    await store.update({ ...patient('After', { gender: 'male', language: 'cy' }), id });
    expect(await find([['family', 'after'], ['gender', 'female']])).toEqual([]);
    expect(await find([['family', 'after'], ['gender', 'male']])).toEqual([id]);
  });

  it('sorts descending by a string parameter across pages', async () => {
    const req = parseSearch(registry, 'Patient', [['family', 'pager'], ['_sort', '-family'], ['_count', '2']]);
    const p1 = await store.search(req);
    const p2 = await store.search({ ...req, cursor: p1.next! });
    const p3 = await store.search({ ...req, cursor: p2.next! });
    const names = [...p1.matches, ...p2.matches, ...p3.matches].map((m) => JSON.parse(m.json).name[0].family);
    expect(names).toEqual(['Pager4', 'Pager3', 'Pager2', 'Pager1', 'Pager0']);
  });
});
