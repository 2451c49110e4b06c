import { describe, expect, it } from 'vitest';
import { roundHalfUp } from './rounding.js';

describe('roundHalfUp', () => {
  it.each([
    [38.05, 1, 38.1], // the double is 38.0499…, yet it prints as 38.05 and so rounds up (toFixed gives 38.0)
    [1.005, 2, 1.01], // Math.round(1.005 * 100) / 100 gives 1
    [38.04, 1, 38],
    [35.05, 1, 35.1],
    [24.95, 1, 25],
    [24.94, 1, 24.9],
    [22.857142857, 1, 22.9],
    [71.42, 0, 71],
    [71.5, 0, 72],
    [0, 1, 0],
    [-1.25, 1, -1.3],
    [1e-7, 1, 0],
  ])('rounds %d to %d dp as %d', (value, dp, expected) => {
    expect(roundHalfUp(value, dp)).toBe(expected);
  });

  it.each([NaN, Infinity, -Infinity])('refuses %d', (value) => {
    expect(() => roundHalfUp(value, 1)).toThrow(RangeError);
  });

  it('refuses bad decimals', () => {
    expect(() => roundHalfUp(1, 1.5)).toThrow(RangeError);
  });
});
