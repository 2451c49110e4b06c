/**
 * Custom SearchParameters and online reindexing (https://hl7.org/fhir/R4/search.html#custom),
 * on both engines: searches on a parameter refuse until its batches have run, then answer
 * exactly; writes interleaved with batches are indexed right; a second node sees the change;
 * a crashed batch leaves the job to resume from its cursor.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ENGINES } from '../../test/support/test-store.js';
import { createTestApp, type TestApp } from '../../test/support/test-app.js';
import { testPrincipal } from '../../test/support/principals.js';
import { createStore } from '../main.js';
import type { Database } from './database.js';
import { ReindexWorker, runReindexBatch, runReindexUntilIdle } from './reindex.js';

const MARITAL = 'http://terminology.hl7.org/CodeSystem/v3-MaritalStatus';
const LANG = 'urn:ietf:bcp:47';
const BATCH = 2;

function patient(id: string, marital: 'M' | 'S', language = 'en') {
  return {
    resourceType: 'Patient', id, name: [{ family: `Fam-${id}` }],
    maritalStatus: { coding: [{ system: MARITAL, code: marital }] },
    communication: [{ language: { coding: [{ system: LANG, code: language }] } }],
  };
}

const maritalParam = {
  resourceType: 'SearchParameter', id: 'marital', url: 'https://tessera.test/SearchParameter/marital-status', name: 'MaritalStatus',
  status: 'active', description: 'Marital status', code: 'marital-status', base: ['Patient'], type: 'token', expression: 'Patient.maritalStatus',
};

describe.each(ENGINES)('custom search parameters on %s', (engine) => {
  let t: TestApp;
  const batch = () => runReindexBatch(t.db, { registry: t.store.registry, batchSize: BATCH });
  const finish = () => runReindexUntilIdle(t.db, { registry: t.store.registry, batchSize: BATCH });
  const ids = async (query: string) => {
    const res = await t.call('GET', `/fhir/Patient?${query}&_count=100`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return (res.body.entry ?? []).map((e: { resource: { id: string } }) => e.resource.id).sort();
  };
  /** Index rows of `param` per resource id: each indexed resource must have exactly one. */
  const rowsPerResource = async (param: string) => {
    const res = await t.db.query<{ id: string; n: number }>(`SELECT id, count(*)::int AS n FROM search_token WHERE param = $1 GROUP BY id ORDER BY id`, [param]);
    return Object.fromEntries(res.rows.map((r) => [r.id, r.n]));
  };

  beforeEach(async () => {
    t = await createTestApp(engine, { store: { registryRefreshMs: 0, reindexDelayMs: 0 } });
    const seed = [patient('p1', 'M'), patient('p2', 'S'), patient('p3', 'M', 'fr'), patient('p4', 'S', 'fr'), patient('p5', 'M')];
    for (const p of seed) expect((await t.call('PUT', `/fhir/Patient/${p.id}`, p)).status).toBe(201);
  });
  afterEach(async () => {
    await t.close();
  });

  it('refuses a search on the new parameter until its batches have run, then answers exactly', async () => {
    expect((await t.call('PUT', '/fhir/SearchParameter/marital', maritalParam)).status).toBe(201);
    const refused = await t.call('GET', '/fhir/Patient?marital-status=M');
    expect(refused.status).toBe(400);
    expect(refused.body.issue[0]).toMatchObject({ code: 'transient', expression: ['marital-status'] });
    expect(refused.body.issue[0].diagnostics).toMatch(/still being indexed/);
    // Lenient handling leaves it out, and the self link says so.
    const lenient = await t.call('GET', '/fhir/Patient?marital-status=M', undefined, { prefer: 'handling=lenient' });
    expect(lenient.status).toBe(200);
    expect(lenient.body.link[0].url).not.toMatch(/marital/);

    // A reference parameter still being indexed would make wildcard includes partial too.
    await t.call('PUT', '/fhir/SearchParameter/gp', { ...maritalParam, id: 'gp', url: 'https://tessera.test/sp/gp', code: 'first-gp', type: 'reference', expression: 'Patient.generalPractitioner.first()', target: ['Organization'] });
    const gp = await t.call('GET', '/fhir/Patient?_include=Patient:*');
    expect(gp.status).toBe(400);
    expect(gp.body.issue[0].diagnostics).toMatch(/'first-gp' is still being indexed/);
    expect((await t.call('GET', '/fhir/Patient?_include=Patient:organization')).status).toBe(200);
    await t.call('DELETE', '/fhir/SearchParameter/gp');

    const listed = async () => (await t.call('GET', '/fhir/metadata')).body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient').searchParam
      .some((p: { name: string }) => p.name === 'marital-status');
    expect(await listed()).toBe(false); // not yet searchable, so not in the CapabilityStatement

    const first = await batch();
    expect(first).toMatchObject({ base: 'Patient', code: 'marital-status', action: 'index', resources: 2, isDone: false });
    expect((await t.call('GET', '/fhir/Patient?marital-status=M')).status).toBe(400);
    expect(await finish()).toBe(5); // p3–p4, then p5 (a short batch ends the job); removing first-gp: 3
    expect(await ids('marital-status=M')).toEqual(['p1', 'p3', 'p5']);
    expect(await ids(`marital-status=${encodeURIComponent(`${MARITAL}|S`)}`)).toEqual(['p2', 'p4']);
    expect(await ids('marital-status:missing=true')).toEqual([]);
    expect(await rowsPerResource('marital-status')).toEqual({ p1: 1, p2: 1, p3: 1, p4: 1, p5: 1 });
    const job = (await t.db.query<{ status: string; processed: number }>(`SELECT status, processed FROM reindex_jobs WHERE code = 'marital-status'`)).rows;
    expect(job).toEqual([{ status: 'done', processed: 5 }]);
    // The CapabilityStatement lists it.
    const meta = await t.call('GET', '/fhir/metadata');
    const patientRest = meta.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    expect(patientRest.searchParam).toContainEqual({ name: 'marital-status', definition: maritalParam.url, type: 'token' });
  });

  it('indexes writes made while the job runs, before and after its cursor', async () => {
    await t.call('PUT', '/fhir/SearchParameter/marital', maritalParam);
    await batch(); // p1, p2 done
    // Behind the cursor: p2 becomes married; ahead of it: p4 becomes married, p5 is deleted; new p0 and p9.
    expect((await t.call('PUT', '/fhir/Patient/p2', patient('p2', 'M'))).status).toBe(200);
    expect((await t.call('PUT', '/fhir/Patient/p4', patient('p4', 'M'))).status).toBe(200);
    expect((await t.call('DELETE', '/fhir/Patient/p5')).status).toBe(204);
    expect((await t.call('PUT', '/fhir/Patient/p0', patient('p0', 'S'))).status).toBe(201);
    expect((await t.call('PUT', '/fhir/Patient/p9', patient('p9', 'M'))).status).toBe(201);
    await batch(); // p3, p4
    expect((await t.call('PUT', '/fhir/Patient/p1', patient('p1', 'S'))).status).toBe(200);
    await finish();
    expect(await ids('marital-status=M')).toEqual(['p2', 'p3', 'p4', 'p9']);
    expect(await ids('marital-status=S')).toEqual(['p0', 'p1']);
    expect(await rowsPerResource('marital-status')).toEqual({ p0: 1, p1: 1, p2: 1, p3: 1, p4: 1, p9: 1 });
  });

  it('lets writes run concurrently with the batches, losing no rows', async () => {
    for (let i = 10; i < 30; i++) await t.call('PUT', `/fhir/Patient/q${i}`, patient(`q${i}`, 'S'));
    await t.call('PUT', '/fhir/SearchParameter/marital', maritalParam);
    // Every q patient is married while the batches run, in parallel on PostgreSQL's pool.
    const writes = Array.from({ length: 20 }, (_, k) => t.call('PUT', `/fhir/Patient/q${10 + k}`, patient(`q${10 + k}`, 'M')));
    const [batches, ...results] = await Promise.all([finish(), ...writes]);
    expect(batches).toBeGreaterThanOrEqual(13);
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(await ids('marital-status=S')).toEqual(['p2', 'p4']);
    expect((await ids('marital-status=M')).length).toBe(23);
    const perResource = await rowsPerResource('marital-status');
    expect(Object.values(perResource).every((n) => n === 1) && Object.keys(perResource).length === 25).toBe(true);
  });

  it('reindexes when the expression changes, and forgets the parameter when it is deleted', async () => {
    await t.call('PUT', '/fhir/SearchParameter/marital', maritalParam);
    await finish();
    expect(await ids('marital-status=M')).toEqual(['p1', 'p3', 'p5']);
    // Same code, now the language: a new job; searches refuse until it is done.
    const changed = { ...maritalParam, expression: 'Patient.communication.language' };
    expect((await t.call('PUT', '/fhir/SearchParameter/marital', changed)).status).toBe(200);
    expect((await t.call('GET', '/fhir/Patient?marital-status=fr')).status).toBe(400);
    await finish();
    expect(await ids('marital-status=fr')).toEqual(['p3', 'p4']);
    expect(await ids('marital-status=M')).toEqual([]);
    // A change that does not touch what is indexed starts no job.
    const jobsBefore = (await t.db.query(`SELECT 1 FROM reindex_jobs`)).rows.length;
    expect((await t.call('PUT', '/fhir/SearchParameter/marital', { ...changed, description: 'Language, really' })).status).toBe(200);
    expect((await t.db.query(`SELECT 1 FROM reindex_jobs`)).rows.length).toBe(jobsBefore);
    expect(await ids('marital-status=fr')).toEqual(['p3', 'p4']);

    expect((await t.call('DELETE', '/fhir/SearchParameter/marital')).status).toBe(204);
    const unknown = await t.call('GET', '/fhir/Patient?marital-status=fr');
    expect(unknown.status).toBe(400);
    expect(unknown.body.issue[0].diagnostics).toMatch(/Unknown search parameter 'marital-status'/);
    expect(Object.keys(await rowsPerResource('marital-status')).length).toBe(5);
    const removal = await batch();
    expect(removal).toMatchObject({ action: 'remove', code: 'marital-status' });
    await finish();
    expect(await rowsPerResource('marital-status')).toEqual({});
  });

  it('refuses SearchParameters it cannot index, naming the element', async () => {
    const badExpression = await t.call('PUT', '/fhir/SearchParameter/bad', { ...maritalParam, id: 'bad', code: 'bad', expression: 'Patient.name.select(given)' });
    expect(badExpression.status).toBe(422);
    expect(badExpression.body.issue[0]).toMatchObject({ code: 'not-supported', expression: ['SearchParameter.expression'] });
    const badType = await t.call('PUT', '/fhir/SearchParameter/bad', { ...maritalParam, id: 'bad', code: 'bad', type: 'composite' });
    expect(badType.status).toBe(422);
    expect(badType.body.issue[0].expression).toEqual(['SearchParameter.type']);
    const builtIn = await t.call('PUT', '/fhir/SearchParameter/bad', { ...maritalParam, id: 'bad', code: 'birthdate' });
    expect(builtIn.status).toBe(400);
    expect(builtIn.body.issue[0]).toMatchObject({ code: 'duplicate', expression: ['SearchParameter.code'] });
    await t.call('PUT', '/fhir/SearchParameter/marital', maritalParam);
    const twice = await t.call('PUT', '/fhir/SearchParameter/again', { ...maritalParam, id: 'again' });
    expect(twice.status).toBe(400);
    expect(twice.body.issue[0].diagnostics).toMatch(/SearchParameter\/marital/);
    // A draft is stored but not used, so it is not checked either.
    expect((await t.call('PUT', '/fhir/SearchParameter/draft', { ...maritalParam, id: 'draft', status: 'draft', type: 'composite' })).status).toBe(201);
    expect((await t.db.query(`SELECT 1 FROM reindex_jobs`)).rows.length).toBe(1);
  });

  it('lets only backend systems define search parameters', async () => {
    const gp = testPrincipal('practitioner', 'user/*.cruds', { fhirUser: 'Practitioner/gp1', organization: 'Organization/org-gp', role: 'gp', userId: 'u-gp' });
    const staff = await createTestApp(engine, { authenticate: async () => gp });
    try {
      const res = await staff.call('PUT', '/fhir/SearchParameter/marital', maritalParam);
      expect(res.status).toBe(403);
      expect(res.body.issue[0].diagnostics).toMatch(/Only backend systems may define search parameters/);
    } finally {
      await staff.close();
    }
  });

  it('a second node on the same database sees the parameter appear, become usable and go', async () => {
    let clock = 0;
    const other = createStore(t.db, { registryRefreshMs: 1000 });
    // Give the other node a clock it does not share with the test app.
    (other.registries as unknown as { now: () => number }).now = () => clock;
    await other.refreshRegistry();
    expect(other.registry.get('Patient', 'marital-status')).toBeUndefined();
    await t.call('PUT', '/fhir/SearchParameter/marital', maritalParam);
    await other.refreshRegistry();
    expect(other.registry.get('Patient', 'marital-status')).toBeUndefined(); // checked under a second ago
    clock += 1000;
    await other.refreshRegistry();
    expect(other.registry.get('Patient', 'marital-status')).toMatchObject({ type: 'token', isIndexing: true });
    // Writes on the other node index the new parameter straight away.
    await other.update(patient('p7', 'M') as never);
    await runReindexUntilIdle(t.db, { registry: other.registry, batchSize: BATCH });
    clock += 1000;
    await other.refreshRegistry();
    expect(other.registry.get('Patient', 'marital-status')?.isIndexing).toBeUndefined();
    expect(await ids('marital-status=M')).toEqual(['p1', 'p3', 'p5', 'p7']);
    await t.call('DELETE', '/fhir/SearchParameter/marital');
    clock += 1000;
    await other.refreshRegistry();
    expect(other.registry.get('Patient', 'marital-status')).toBeUndefined();
  });

  it('starts a job only after its delay, so every node has seen the new definition', async () => {
    const slow = createStore(t.db, { registryRefreshMs: 0, reindexDelayMs: 60_000 });
    await slow.update(maritalParam as never);
    expect(await runReindexBatch(t.db, { registry: slow.registry, batchSize: BATCH })).toBeUndefined();
    await t.db.query(`UPDATE reindex_jobs SET not_before = now() - interval '1 second'`);
    expect(await runReindexBatch(t.db, { registry: slow.registry, batchSize: BATCH })).toMatchObject({ code: 'marital-status', resources: 2 });
  });

  it('resumes from the cursor after a batch dies mid-way', async () => {
    await t.call('PUT', '/fhir/SearchParameter/marital', maritalParam);
    await batch();
    // A node that dies after writing a batch's rows but before committing its cursor.
    const crashing: Database = {
      ...t.db,
      query: t.db.query.bind(t.db),
      transaction: (fn) => t.db.transaction((tx) => fn({
        query: async (sql, params, opts) => {
          if (/^\s*UPDATE reindex_jobs SET cursor_id/.test(sql)) throw new Error('node killed');
          return tx.query(sql, params, opts);
        },
      })),
    };
    await expect(runReindexBatch(crashing, { registry: t.store.registry, batchSize: BATCH })).rejects.toThrow('node killed');
    const job = (await t.db.query<{ cursor_id: string; processed: number; status: string }>(`SELECT cursor_id, processed, status FROM reindex_jobs`)).rows[0];
    expect(job).toEqual({ cursor_id: 'p2', processed: 2, status: 'pending' });
    expect((await t.call('GET', '/fhir/Patient?marital-status=M')).status).toBe(400);
    // A restarted node's worker picks the job up where the last committed batch ended.
    const worker = new ReindexWorker(t.db, { registry: t.store.registry, batchSize: BATCH, intervalMs: 5 });
    worker.start();
    try {
      await vi.waitFor(async () => expect((await t.call('GET', '/fhir/Patient?marital-status=M')).status).toBe(200), { timeout: 10_000, interval: 20 });
    } finally {
      await worker.stop();
    }
    expect(await ids('marital-status=M')).toEqual(['p1', 'p3', 'p5']);
    expect((await t.db.query<{ processed: number }>(`SELECT processed FROM reindex_jobs`)).rows[0]!.processed).toBe(5);
  });
});
