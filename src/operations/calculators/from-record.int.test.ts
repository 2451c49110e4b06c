/**
 * Gathering from the record when the first read is not enough, on both engines: the store
 * returns a few Observations per code, and a code whose newest readings are all unusable is read
 * again, deeper, so the newest *usable* reading is still the one used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculators } from '../../calculators/index.js';
import { createStore } from '../../main.js';
import type { Database } from '../../store/database.js';
import type { FhirStore } from '../../store/fhir-store.js';
import type { LatestObservationsQuery } from '../../store/latest-observations.js';
import { ENGINES, openTestDatabase } from '../../../test/support/test-store.js';
import { gatherInputs, type RecordReader } from './from-record.js';
import { hoursBefore, quantityObservation } from './testing.js';

describe.each(ENGINES)('gathering from the record on %s', (engine) => {
  let db: Database;
  let store: FhirStore;
  const now = new Date('2024-05-01T12:00:00.000Z');
  const reads: LatestObservationsQuery[] = [];
  const reader: RecordReader = {
    latestObservations: (q) => {
      reads.push(q);
      return store.latestObservations(q);
    },
  };

  beforeAll(async () => {
    db = await openTestDatabase(engine);
    store = createStore(db);
  });
  afterAll(async () => db.close());

  it('reads the record once when the newest readings are usable', async () => {
    const p = (await store.create({ resourceType: 'Patient', gender: 'male', birthDate: '1960-01-01' })).version.id;
    await store.create(quantityObservation(p, '29463-7', 80, 'kg', hoursBefore(now, 48)));
    await store.create(quantityObservation(p, '8302-2', 1.8, 'm', hoursBefore(now, 48)));
    reads.length = 0;
    const gathered = await gatherInputs(reader, calculators.bmi.metadata, p, { now: () => now });
    expect(gathered.input).toMatchObject({ weightKg: 80, heightM: 1.8, age: 64 });
    expect(reads).toHaveLength(1);
  });

  it('reads deeper when a code\'s newest readings are all entered in error, and uses the newest usable one', async () => {
    const p = (await store.create({ resourceType: 'Patient', gender: 'female', birthDate: '1970-01-01' })).version.id;
    const usable = (await store.create(quantityObservation(p, '29463-7', 70, 'kg', hoursBefore(now, 100)))).version.id;
    await store.create(quantityObservation(p, '29463-7', 60, 'kg', hoursBefore(now, 200)));
    for (let i = 0; i < 30; i++) {
      await store.create(quantityObservation(p, '29463-7', 99, 'kg', hoursBefore(now, 50 - i), { status: 'entered-in-error' }));
    }
    await store.create(quantityObservation(p, '8302-2', 1.7, 'm', hoursBefore(now, 10)));
    reads.length = 0;
    const gathered = await gatherInputs(reader, calculators.bmi.metadata, p, { now: () => now });
    expect(gathered.input).toMatchObject({ weightKg: 70, heightM: 1.7 });
    expect(gathered.sources.find((s) => s.input === 'weightKg')).toMatchObject({ sources: [`Observation/${usable}`], ageHours: 100 });
    // The second read asks only for the weight codes, deeper.
    expect(reads).toHaveLength(2);
    expect(reads[1]!.perCode).toBeGreaterThan(reads[0]!.perCode);
    expect(reads[1]!.observationCodes.map((c) => c.code)).not.toContain('8302-2');
  });

  it('says "missing", not "too old", only after reading every unusable reading of the code', async () => {
    const p = (await store.create({ resourceType: 'Patient', gender: 'female', birthDate: '1970-01-01' })).version.id;
    for (let i = 0; i < 8; i++) {
      await store.create(quantityObservation(p, '2160-0', 1, 'mg/dL', hoursBefore(now, 10 + i), { status: 'preliminary' }));
    }
    reads.length = 0;
    await expect(gatherInputs(reader, calculators.egfr.metadata, p, { now: () => now })).rejects.toMatchObject({
      status: 422, outcome: { issue: [expect.objectContaining({ code: 'required', expression: ['creatinine'] })] },
    });
    expect(reads).toHaveLength(2);
  });
});
