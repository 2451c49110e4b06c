/**
 * Loads the demo data set on the first start of an empty database. A setting records that it
 * was loaded, so later starts skip straight to serving.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { FhirStore } from '../store/fhir-store.js';
import { getSetting, setSetting } from '../store/settings.js';
import { importFile } from './import-files.js';
import { loadUkDemoPopulation } from './demo-uk.js';

/** The folder with the shipped Synthea bundles. */
export function demoDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', ...(import.meta.url.includes('/dist/') ? ['..'] : []), 'demo', 'synthea');
}

/** The demo files in load order: organisations and practitioners first, then patients. */
export function demoFiles(dir = demoDir()): string[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json.gz'));
  const first = files.filter((f) => /^(hospital|practitioner)Information/.test(f)).sort();
  const rest = files.filter((f) => !first.includes(f)).sort();
  return [...first, ...rest].map((f) => path.join(dir, f));
}

/**
 * Loads the demo data unless already loaded: the Synthea bundles, then a small synthetic UK
 * population split across GP, hospital and laboratory systems (see `demo-uk.ts`). Returns the
 * number of resources loaded.
 */
export async function loadDemoDataOnce(store: FhirStore, log: Logger, baseUrl: string, now = new Date()): Promise<number> {
  if (await getSetting(store.db, 'demo_loaded')) return 0;
  const files = demoFiles();
  const started = Date.now();
  let total = 0;
  log.info(`Loading the demo data set (${files.length} files) — first start only`);
  for (const f of files) {
    const res = await importFile(store, f, baseUrl);
    if (res.error) throw new Error(`demo data ${res.file} failed to load: ${res.error}`);
    total += res.resources;
  }
  const ukStarted = Date.now();
  const uk = await loadUkDemoPopulation(store, baseUrl, now);
  total += uk;
  log.info(`Loaded the UK demo population (${uk} resources, linked per person) in ${((Date.now() - ukStarted) / 1000).toFixed(1)} s`);
  await store.statistics.idle();
  await store.statistics.analyze();
  await setSetting(store.db, 'demo_loaded', new Date().toISOString());
  log.info(`Loaded ${total} demo resources in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return total;
}
