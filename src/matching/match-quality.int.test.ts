/**
 * Matching quality on a generated population: every person's records in the GP, hospital and
 * laboratory systems, perturbed as real records are (typing errors, swapped given names, short
 * forms, old addresses and surnames, swapped day and month, missing NHS numbers). Each source
 * Patient record is sent to `$match`; each answer is judged against the ground truth.
 *
 * Judged per call ("directed pairs"): a returned record graded `certain` or `probable` is a true
 * positive when it is another record of the same person, else a false positive; another record
 * of the same person not returned as `certain`/`probable` is a false negative. Bars from the
 * issue: precision ≥ 99.5 %, recall ≥ 97 %.
 *
 * Only the Patient resources are loaded: matching reads nothing else, and loading every
 * person's clinical record would take minutes. PGlite only (the scoring is engine-independent;
 * the operation's candidate searches run on both engines in patient-match.int.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NHS_NUMBER_SYSTEM } from '../fhir/nhs-number.js';
import type { BundleEntry, Resource } from '../fhir/types.js';
import { generatePopulation } from '../generate/index.js';
import { createStore } from '../main.js';
import { matchHandler } from '../operations/patient-match.js';
import { processTransaction } from '../store/bundle-processor.js';
import type { Database } from '../store/database.js';
import type { FhirStore } from '../store/fhir-store.js';
import { openTestDatabase } from '../../test/support/test-store.js';

const BASE = 'http://tessera.test/fhir';
const POPULATION = { patients: 1000, seed: 20_250_601, now: new Date('2025-06-01T09:00:00Z'), requests: 'id' as const };
const PRECISION_BAR = 0.995;
const RECALL_BAR = 0.97;

interface SourceRecord {
  readonly personId: string;
  readonly kind: string;
  readonly patient: Resource;
}

function noRead(): never {
  throw new Error('no GET entries here');
}

describe('$match quality on a generated population', () => {
  let db: Database;
  let store: FhirStore;
  const records: SourceRecord[] = [];

  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    store = createStore(db);
    const population = generatePopulation(POPULATION);
    const opts = { baseUrl: BASE, prefer: 'minimal' as const, read: noRead };
    await processTransaction(store, population.shared, opts);
    const entries: BundleEntry[] = [];
    for (const person of population.people) {
      person.bundles.forEach(({ source, bundle }, i) => {
        const entry = bundle.entry!.find((e) => e.resource?.resourceType === 'Patient')!;
        // The ground truth says which record of which person this is.
        const truth = person.truth.records[i]!;
        const identifier = entry.resource!['identifier'] as { system: string; value: string }[];
        expect(identifier[0]).toEqual(truth.patient);
        records.push({ personId: person.personId, kind: source.kind, patient: entry.resource! });
        entries.push(entry);
      });
    }
    for (let i = 0; i < entries.length; i += 500) {
      await processTransaction(store, { resourceType: 'Bundle', type: 'transaction', entry: entries.slice(i, i + 500) }, opts);
    }
    // Match each record as stored (its references resolved), not as generated.
    for (const [i, r] of records.entries()) {
      records[i] = { ...r, patient: JSON.parse((await store.readCurrent('Patient', r.patient.id!))!.json) as Resource };
    }
  }, 120_000);

  afterAll(async () => {
    await db?.close();
  });

  it('finds certain and probable matches with precision ≥ 99.5 % and recall ≥ 97 %', async () => {
    const handler = matchHandler({ store });
    const idsOf = new Map<string, string[]>();
    for (const r of records) idsOf.set(r.personId, [...(idsOf.get(r.personId) ?? []), r.patient.id!]);
    const personOf = new Map(records.map((r) => [r.patient.id!, r.personId]));
    const hasNhsNumber = new Map(records.map((r) => [r.patient.id!, JSON.stringify(r.patient['identifier']).includes(NHS_NUMBER_SYSTEM)]));
    // Pairs where one record lacks the NHS number rest on the demographics alone.
    const withoutNumber = { pairs: 0, found: 0 };

    let truePositives = 0;
    let falsePositives = 0;
    let falseNegatives = 0;
    const grades: Record<string, number> = {};
    const latencies: number[] = [];
    const misses: string[] = [];
    for (const r of records) {
      const started = performance.now();
      const res = await handler(
        { method: 'POST', query: [], headers: {}, baseUrl: BASE, body: { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: r.patient }, { name: 'count', valueInteger: 100 }] } },
        { type: 'Patient' },
      );
      latencies.push(performance.now() - started);
      expect(res.status).toBe(200);
      const bundle = JSON.parse(res.body!) as { entry: { resource: Resource; search: { score: number; extension: { valueCode: string }[] } }[] };
      const accepted = new Set<string>();
      for (const e of bundle.entry) {
        const id = e.resource.id!;
        if (id === r.patient.id) continue; // itself
        const grade = e.search.extension[0]!.valueCode;
        const same = personOf.get(id) === r.personId;
        grades[`${same ? 'same' : 'other'} ${grade}`] = (grades[`${same ? 'same' : 'other'} ${grade}`] ?? 0) + 1;
        if (grade !== 'certain' && grade !== 'probable') continue;
        accepted.add(id);
        if (same) truePositives++;
        else falsePositives++;
      }
      for (const id of idsOf.get(r.personId)!) {
        if (id !== r.patient.id && !(hasNhsNumber.get(id) && hasNhsNumber.get(r.patient.id!))) {
          withoutNumber.pairs++;
          if (accepted.has(id)) withoutNumber.found++;
        }
        if (id === r.patient.id || accepted.has(id)) continue;
        falseNegatives++;
        if (misses.length < 10) misses.push(`${r.kind} ${r.patient.id} → ${id}`);
      }
    }

    const truePairs = truePositives + falseNegatives;
    const precision = truePositives / (truePositives + falsePositives);
    const recall = truePositives / truePairs;
    latencies.sort((a, b) => a - b);
    const pct = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
    console.log([
      `$match quality: ${POPULATION.patients} people, ${records.length} source Patient records, ${truePairs} true directed pairs (${truePairs / 2} unordered)`,
      `  certain+probable: ${truePositives} true, ${falsePositives} false, ${falseNegatives} missed`,
      `  pairs where a record lacks the NHS number: ${withoutNumber.found} of ${withoutNumber.pairs} found`,
      `  precision ${(100 * precision).toFixed(2)} % (bar ${100 * PRECISION_BAR} %), recall ${(100 * recall).toFixed(2)} % (bar ${100 * RECALL_BAR} %)`,
      `  grades returned: ${JSON.stringify(grades)}`,
      `  latency per call (ms, in-process, PGlite): p50 ${pct(0.5)}, p95 ${pct(0.95)}, max ${pct(1)}`,
      ...(misses.length > 0 ? [`  first misses: ${misses.join('; ')}`] : []),
    ].join('\n'));
    expect(truePairs).toBeGreaterThan(500);
    expect(withoutNumber.pairs).toBeGreaterThan(100);
    expect(precision).toBeGreaterThanOrEqual(PRECISION_BAR);
    expect(recall).toBeGreaterThanOrEqual(RECALL_BAR);
  }, 120_000);
});
