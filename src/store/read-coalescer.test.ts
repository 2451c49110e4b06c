import { describe, expect, it } from 'vitest';
import { ReadCoalescer, type ResourceKey } from './read-coalescer.js';

interface Row { resourceType: string; id: string; n: number }

/** A loader over a fixed table that records every call's keys. */
function table(rows: Row[], fail?: (keys: readonly ResourceKey[]) => boolean) {
  const calls: string[][] = [];
  const load = async (keys: readonly ResourceKey[]) => {
    calls.push(keys.map((k) => `${k.type}/${k.id}`));
    if (fail?.(keys)) throw new Error('database went away');
    return rows.filter((r) => keys.some((k) => k.type === r.resourceType && k.id === r.id));
  };
  return { calls, coalescer: new ReadCoalescer<Row>(load) };
}

const rows: Row[] = [
  { resourceType: 'Patient', id: 'a', n: 1 },
  { resourceType: 'Observation', id: 'a', n: 2 },
  { resourceType: 'Patient', id: 'b', n: 3 },
];

describe('ReadCoalescer', () => {
  it('answers the reads asked in one turn from one load, each with its own row', async () => {
    const { calls, coalescer } = table(rows);
    const answers = await Promise.all([
      coalescer.read('Patient', 'a'), coalescer.read('Observation', 'a'), coalescer.read('Patient', 'b'), coalescer.read('Patient', 'nobody'),
    ]);
    expect(answers.map((r) => r?.n)).toEqual([1, 2, 3, undefined]);
    expect(calls).toEqual([['Patient/a', 'Observation/a', 'Patient/b', 'Patient/nobody']]);
  });

  it('loads a key asked for twice once and answers both', async () => {
    const { calls, coalescer } = table(rows);
    const [x, y] = await Promise.all([coalescer.read('Patient', 'a'), coalescer.read('Patient', 'a')]);
    expect([x?.n, y?.n]).toEqual([1, 1]);
    expect(calls).toEqual([['Patient/a']]);
  });

  it('sends a read asked while a load is running in a later load, never in the one already sent', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const calls: string[][] = [];
    const coalescer = new ReadCoalescer<Row>(async (keys) => {
      calls.push(keys.map((k) => k.id));
      if (calls.length === 1) await gate;
      return rows.filter((r) => r.resourceType === 'Patient' && keys.some((k) => k.id === r.id));
    });
    const first = coalescer.read('Patient', 'a');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([['a']]);
    const second = coalescer.read('Patient', 'b');
    expect((await second)?.n).toBe(3);
    expect(calls).toEqual([['a'], ['b']]);
    release();
    expect((await first)?.n).toBe(1);
  });

  it('fails every read of a failed load, and the next reads load again', async () => {
    const { calls, coalescer } = table(rows, (keys) => keys.some((k) => k.id === 'b'));
    const failed = await Promise.allSettled([coalescer.read('Patient', 'a'), coalescer.read('Patient', 'b')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((await coalescer.read('Patient', 'a'))?.n).toBe(1);
    expect(calls).toEqual([['Patient/a', 'Patient/b'], ['Patient/a']]);
  });

  it('splits a very large turn into loads of at most 200 keys', async () => {
    const many = Array.from({ length: 450 }, (_, i) => ({ resourceType: 'Patient', id: `p${i}`, n: i }));
    const { calls, coalescer } = table(many);
    const answers = await Promise.all(many.map((r) => coalescer.read('Patient', r.id)));
    expect(answers.map((r) => r?.n)).toEqual(many.map((r) => r.n));
    expect(calls.map((c) => c.length)).toEqual([200, 200, 50]);
  });
});
