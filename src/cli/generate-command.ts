/**
 * `tessera generate --patients N --seed S [--out DIR]`: writes a synthetic UK population as
 * gzipped FHIR transaction bundles ready for `tessera import`:
 *
 * - `0000-shared.json.gz`: the organisations and clinicians every other bundle refers to;
 * - `NNNN-<source>.json.gz`: for each chunk of 100 people, one bundle per source system
 *   (`gp-A99001`, `trust-R9A`, `lab-R9A01`, …), numbered so that sorting by name is load order;
 * - `ground-truth.json`: which source records are the same person, for matching tests.
 *
 * Only the files are I/O here; the data come from the pure generator in `../generate/`.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Bundle, BundleEntry } from '../fhir/types.js';
import {
  checkOptions, generatePeople, generateSharedBundle, groundTruthOf, type GeneratedPerson, type GroundTruthPerson, type RequestStyle,
} from '../generate/index.js';

const gzipAsync = promisify(gzip);

/** People per chunk of files. */
export const CHUNK_SIZE = 100;

/** Files this command writes, so that a re-run may replace them (and nothing else). */
const OWN_FILE = /^(\d{4}-[a-z0-9-]+\.json\.gz|ground-truth\.json)$/i;

/** Options of `tessera generate`. */
export interface GenerateCommandOptions {
  patients: number;
  seed: number;
  /** Output folder; created if missing. */
  out: string;
  /** The generation date; defaults to midnight UTC today, so runs on the same day agree. */
  now?: Date;
  /** `conditional` (default): `PUT Type?identifier=…` entries; `id`: `PUT Type/id` (see `GenerateOptions.requests`). */
  requests?: RequestStyle;
}

async function writeGzipJson(file: string, value: unknown): Promise<number> {
  const data = await gzipAsync(Buffer.from(JSON.stringify(value), 'utf8'));
  writeFileSync(file, data);
  return data.length;
}

/** Midnight UTC of the current day. */
function today(): Date {
  const d = new Date();
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
}

/** Groups a chunk's bundles by source system into one transaction bundle each, in first-seen order. */
function chunkBundles(people: readonly GeneratedPerson[]): { key: string; source: string; entries: BundleEntry[] }[] {
  const bySource = new Map<string, { key: string; source: string; entries: BundleEntry[] }>();
  for (const person of people) {
    for (const { source, bundle } of person.bundles) {
      let group = bySource.get(source.key);
      if (group === undefined) {
        group = { key: source.key, source: source.uri, entries: [] };
        bySource.set(source.key, group);
      }
      for (const entry of bundle.entry ?? []) group.entries.push(entry);
    }
  }
  return [...bySource.values()];
}

/**
 * Generates `patients` people with `seed` and writes them into `out`. Prints a summary and
 * returns the exit code: 0, or 1 (with a message) when the options are invalid or `out` holds
 * files this command did not write.
 */
export async function runGenerate(opts: GenerateCommandOptions): Promise<number> {
  const now = opts.now ?? today();
  const options = { patients: opts.patients, seed: opts.seed, now, ...(opts.requests !== undefined ? { requests: opts.requests } : {}) };
  try {
    checkOptions(options);
  } catch (err) {
    process.stderr.write(`tessera generate: ${(err as Error).message}\n`);
    return 1;
  }
  mkdirSync(opts.out, { recursive: true });
  const existing = readdirSync(opts.out);
  const foreign = existing.filter((f) => !OWN_FILE.test(f));
  if (foreign.length > 0) {
    process.stderr.write(`tessera generate: ${opts.out} holds other files (${foreign.slice(0, 3).join(', ')}${foreign.length > 3 ? ', …' : ''}); choose an empty folder\n`);
    return 1;
  }
  for (const f of existing) rmSync(path.join(opts.out, f));

  const started = performance.now();
  const timestamp = `${now.toISOString().slice(0, 19)}Z`;
  const counts = new Map<string, number>();
  let files = 0;
  let bytes = 0;
  const count = (entries: readonly BundleEntry[]) => {
    for (const e of entries) {
      const type = e.resource?.resourceType ?? 'unknown';
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
  };

  const shared = generateSharedBundle(now, opts.requests);
  count(shared.entry ?? []);
  bytes += await writeGzipJson(path.join(opts.out, '0000-shared.json.gz'), shared);
  files++;

  const truth: GroundTruthPerson[] = [];
  let chunk: GeneratedPerson[] = [];
  let chunkNumber = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    chunkNumber++;
    const writes = chunkBundles(chunk).map((group) => {
      count(group.entries);
      const bundle: Bundle = { resourceType: 'Bundle', meta: { source: group.source }, type: 'transaction', timestamp, entry: group.entries };
      return writeGzipJson(path.join(opts.out, `${String(chunkNumber).padStart(4, '0')}-${group.key}.json.gz`), bundle);
    });
    for (const size of await Promise.all(writes)) bytes += size;
    files += writes.length;
    chunk = [];
  };
  for (const person of generatePeople(options)) {
    truth.push(person.truth);
    chunk.push(person);
    if (chunk.length === CHUNK_SIZE) await flush();
  }
  await flush();
  writeFileSync(path.join(opts.out, 'ground-truth.json'), `${JSON.stringify(groundTruthOf(options, truth))}\n`);
  files++;

  const seconds = (performance.now() - started) / 1000;
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const lines = [
    `Generated ${opts.patients} patients (seed ${opts.seed}, as of ${now.toISOString().slice(0, 10)}) in ${seconds.toFixed(1)} s`,
    `${total} resources in ${files} files (${(bytes / 1_048_576).toFixed(1)} MiB gzipped) in ${opts.out}`,
    ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([type, n]) => `  ${type}: ${n}`),
    `Load with: tessera import ${path.join(opts.out, '*.json.gz')}  (the shared bundle, 0000-shared, first)`,
    `Ground truth for record matching: ${path.join(opts.out, 'ground-truth.json')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
