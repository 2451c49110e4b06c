import { describe, expect, it } from 'vitest';
import { analyteForCode, toCanonical } from './analytes.js';

describe('UCUM harmonisation', () => {
  it('converts HbA1c % (NGSP) to mmol/mol (IFCC master equation: 7.5% → 58 mmol/mol)', () => {
    const a = analyteForCode('4548-4')!;
    expect(a.key).toBe('hba1c');
    expect(Math.round(toCanonical(a, 7.5, '%')!)).toBe(58);
    expect(toCanonical(a, 52, 'mmol/mol')).toBe(52);
  });
  it('converts mg/dL to mmol/L and µmol/L for cholesterol, triglycerides and creatinine', () => {
    expect(toCanonical(analyteForCode('2093-3')!, 193.35, 'mg/dL')!).toBeCloseTo(5.0, 2);
    expect(toCanonical(analyteForCode('2571-8')!, 177.14, 'mg/dL')!).toBeCloseTo(2.0, 2);
    expect(toCanonical(analyteForCode('2160-0')!, 1, 'mg/dL')!).toBeCloseTo(88.42, 2);
    expect(toCanonical(analyteForCode('14682-9')!, 80, 'µmol/L')).toBe(80);
  });
  it('refuses units it does not know rather than guessing', () => {
    expect(toCanonical(analyteForCode('59261-8')!, 5, 'furlongs')).toBeUndefined();
    expect(analyteForCode('0000-0')).toBeUndefined();
  });
});
