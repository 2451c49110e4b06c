/**
 * Importing the same source data twice: the second import writes nothing (no new versions, no
 * Provenance); changing one item writes exactly one new version. Each imported item records its
 * source system (`meta.source`) and a Provenance names what each import changed.
 * Runs on the generated UK population (three source systems per person), on both engines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatePopulation } from '../../src/generate/index.js';
import { importFile } from '../../src/cli/import-files.js';
import type { Bundle } from '../../src/fhir/types.js';
import { ENGINES } from '../support/test-store.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tessera-reimport-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function writeBundles(): string[] {
  const pop = generatePopulation({ patients: 4, seed: 7, now: new Date('2026-06-01T00:00:00Z') });
  const files = [path.join(tmp, '0-shared.json.gz')];
  writeFileSync(files[0]!, gzipSync(JSON.stringify(pop.shared)));
  pop.people.forEach((person, i) =>
    person.bundles.forEach(({ bundle }, j) => {
      const f = path.join(tmp, `${i + 1}-${j}.json.gz`);
      writeFileSync(f, gzipSync(JSON.stringify(bundle)));
      files.push(f);
    }),
  );
  return files;
}

describe.each(ENGINES)('re-importing source data on %s', (engine) => {
  let t: TestApp;
  let files: string[];
  const versions = async () => Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM resource_versions')).rows[0]!.n);
  const count = async (type: string) => (await t.call('GET', `/fhir/${type}?_summary=count`)).body.total as number;

  beforeAll(async () => {
    t = await createTestApp(engine);
    files = writeBundles();
  });
  afterAll(async () => t.close());

  it('imports, then re-imports with zero new versions; one change makes exactly one version', async () => {
    for (const f of files) expect((await importFile(t.store, f, 'http://tessera.test/fhir')).error).toBeUndefined();
    const first = await versions();
    const provenance = await count('Provenance');
    expect(provenance).toBeGreaterThan(0);
    // The same person arrives from several systems, each with its own local Patient record.
    expect(await count('Patient')).toBeGreaterThan(4);
    const obs = (await t.call('GET', '/fhir/Observation?_count=1')).body.entry[0].resource;
    expect(obs.meta.source).toMatch(/^https:\/\//);

    for (const f of files) expect((await importFile(t.store, f, 'http://tessera.test/fhir')).error).toBeUndefined();
    expect(await versions()).toBe(first);
    expect(await count('Provenance')).toBe(provenance);

    // Change one Observation's value in its source bundle and import that bundle again.
    const { readFileSync } = await import('node:fs');
    const { gunzipSync } = await import('node:zlib');
    let changed: { file: string; id: string } | undefined;
    for (const f of files.slice(1)) {
      const bundle = JSON.parse(gunzipSync(readFileSync(f)).toString('utf8')) as Bundle;
      const entry = bundle.entry?.find((e) => e.resource?.resourceType === 'Observation' && (e.resource as any).valueQuantity);
      if (!entry) continue;
      (entry.resource as any).valueQuantity.value += 1;
      writeFileSync(f, gzipSync(JSON.stringify(bundle)));
      changed = { file: f, id: (entry.resource as any).identifier[0].value };
      break;
    }
    expect(changed).toBeDefined();
    expect((await importFile(t.store, changed!.file, 'http://tessera.test/fhir')).error).toBeUndefined();
    expect(await versions()).toBe(first + 2); // the Observation's new version, and its Provenance
    expect(await count('Provenance')).toBe(provenance + 1);
    const prov = (await t.call('GET', '/fhir/Provenance?_sort=-_lastUpdated&_count=1')).body.entry[0].resource;
    expect(prov.target).toHaveLength(1);
    expect(prov.target[0].reference).toMatch(/^Observation\/[^/]+\/_history\/2$/);
  }, 120_000);
});
