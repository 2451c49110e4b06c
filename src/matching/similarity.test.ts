import { describe, expect, it } from 'vitest';
import { editDistance, jaro, jaroWinkler } from './similarity.js';

describe('jaro and jaroWinkler', () => {
  // Worked examples from Winkler (1990) as usually quoted: MARTHA/MARHTA, DWAYNE/DUANE, DIXON/DICKSONX.
  it.each([
    ['MARTHA', 'MARHTA', 0.944, 0.961],
    ['DWAYNE', 'DUANE', 0.822, 0.84],
    ['DIXON', 'DICKSONX', 0.767, 0.813],
  ])('%s / %s: Jaro %f, Jaro–Winkler %f', (a, b, j, jw) => {
    expect(jaro(a, b)).toBeCloseTo(j, 3);
    expect(jaroWinkler(a, b)).toBeCloseTo(jw, 3);
  });

  it('is 1 for equal strings, 0 when nothing is shared or one is empty', () => {
    expect(jaroWinkler('smith', 'smith')).toBe(1);
    expect(jaro('abc', 'xyz')).toBe(0);
    expect(jaro('', 'abc')).toBe(0);
    expect(jaroWinkler('', '')).toBe(1);
  });

  it('is symmetric', () => {
    for (const [a, b] of [['crowther', 'crowhter'], ['sutcliffe', 'sutclife'], ['li', 'lee']] as const) {
      expect(jaroWinkler(a, b)).toBeCloseTo(jaroWinkler(b, a), 12);
    }
  });
});

describe('editDistance (optimal string alignment)', () => {
  it.each([
    ['kitten', 'sitting', 3],
    ['smith', 'smith', 0],
    ['smith', 'smtih', 1], // two neighbours swapped
    ['smith', 'smth', 1], // one dropped
    ['smith', 'smitth', 1], // one doubled
    ['smith', 'smoth', 1], // one mistyped
    ['ca', 'abc', 3], // OSA, not full Damerau–Levenshtein (which gives 2)
    ['', 'abc', 3],
  ])('%s → %s is %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });

  it('stops early above the limit', () => {
    expect(editDistance('abcdef', 'uvwxyz', 1)).toBe(2);
    expect(editDistance('a', 'abcd', 1)).toBe(2);
    expect(editDistance('smith', 'smyth', 1)).toBe(1);
  });
});
