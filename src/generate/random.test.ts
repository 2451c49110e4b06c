import { describe, expect, it } from 'vitest';
import { Random } from './random.js';

const draw = (r: Random, n: number) => Array.from({ length: n }, () => r.uint32());

describe('Random (seeded sfc32)', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    expect(draw(new Random(1), 50)).toEqual(draw(new Random(1), 50));
    expect(draw(new Random(1), 50)).not.toEqual(draw(new Random(2), 50));
  });

  it('is stable across releases: the first values of seed 42 are pinned', () => {
    // Changing these changes every generated population: do it only on purpose.
    expect(draw(new Random(42), 3)).toEqual([1854947151, 1967844160, 887071210]);
  });

  it('next() stays in [0, 1) and is roughly uniform', () => {
    const r = new Random(7);
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      if (!(x >= 0 && x < 1)) outside++;
      else buckets[Math.floor(x * 10)]!++;
    }
    expect(outside).toBe(0);
    for (const b of buckets) expect(b).toBeGreaterThan(9_500);
  });

  it('int() covers both ends of its range and nothing outside', () => {
    const r = new Random(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2_000; i++) seen.add(r.int(1, 6));
    expect([...seen].sort()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fork() depends on the label and the seed, not on how much of the parent was used', () => {
    const a = new Random(9);
    const b = new Random(9);
    b.uint32();
    b.uint32();
    expect(draw(a.fork('person-1'), 5)).toEqual(draw(b.fork('person-1'), 5));
    expect(draw(a.fork('person-1'), 5)).not.toEqual(draw(a.fork('person-2'), 5));
    expect(draw(a.fork('x'), 5)).not.toEqual(draw(new Random(10).fork('x'), 5));
  });

  it('uuid() is a lower-case RFC 4122 version 4 UUID', () => {
    const r = new Random(11);
    const seen = new Set<string>();
    for (let i = 0; i < 1_000; i++) {
      const u = r.uuid();
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      seen.add(u);
    }
    expect(seen.size).toBe(1_000);
  });

  it('normal() has about the asked mean and spread; poisson() about the asked mean', () => {
    const r = new Random(5);
    const xs = Array.from({ length: 20_000 }, () => r.normal(10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeCloseTo(10, 1);
    expect(sd).toBeCloseTo(2, 1);
    const ps = Array.from({ length: 20_000 }, () => r.poisson(3));
    expect(ps.reduce((a, b) => a + b, 0) / ps.length).toBeCloseTo(3, 1);
  });

  it('weighted() follows the weights and pick() rejects an empty list', () => {
    const r = new Random(8);
    let heavy = 0;
    for (let i = 0; i < 10_000; i++) if (r.weighted([['a', 9], ['b', 1]] as const) === 'a') heavy++;
    expect(heavy / 10_000).toBeCloseTo(0.9, 1);
    expect(() => r.pick([])).toThrow(RangeError);
  });
});
