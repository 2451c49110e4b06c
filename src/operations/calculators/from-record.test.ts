/**
 * Pure parts of record gathering. The searches themselves are tested on both database engines in
 * `handlers.int.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import { ageInYears, BODY_MEASUREMENT_MAX_AGE_HOURS, CREATININE_MAX_AGE_HOURS, NEWS2_MAX_AGE_HOURS, NEWS2_MAX_AGE_HOURS_CEILING } from './from-record.js';

describe('ageInYears', () => {
  it.each([
    ['1950-06-15', '2024-06-14T23:59:59Z', 73],
    ['1950-06-15', '2024-06-15T00:00:00Z', 74],
    ['1959-05-01', '2024-05-01T12:00:00Z', 65],
    ['2004-02-29', '2023-02-28T12:00:00Z', 18], // not yet 19: a leap-day birthday falls on 1 March
    ['2004-02-29', '2023-03-01T00:00:00Z', 19],
    ['2004-02-29', '2024-02-29T00:00:00Z', 20],
  ])('born %s, at %s → %i', (birth, at, age) => {
    expect(ageInYears(birth, new Date(at))).toBe(age);
  });

  it('refuses to guess from a partial birth date (the year alone can cross an age band)', () => {
    expect(ageInYears('1959', new Date('2024-05-01T00:00:00Z'))).toBeUndefined();
    expect(ageInYears('1959-05', new Date('2024-05-01T00:00:00Z'))).toBeUndefined();
  });
});

describe('documented age limits', () => {
  it('NEWS2 24 h (up to 72 h on request), creatinine 90 days, weight and height 2 years', () => {
    expect([NEWS2_MAX_AGE_HOURS, NEWS2_MAX_AGE_HOURS_CEILING, CREATININE_MAX_AGE_HOURS / 24, BODY_MEASUREMENT_MAX_AGE_HOURS / 24]).toEqual([24, 72, 90, 730]);
  });
});
