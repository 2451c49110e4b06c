import { describe, expect, it } from 'vitest';
import { ckdEpiCreatinine, CREATININE_UMOL_PER_MG_DL } from '../../calculators/egfr.js';
import { ckdEpi2009, creatinineForEgfr } from './physiology.js';

describe('CKD-EPI 2009 in the generator agrees with the eGFR calculator', () => {
  it.each([
    [80, 50, 'female'], [106, 55, 'male'], [60, 30, 'female'], [150, 70, 'male'], [250, 82, 'female'], [45, 25, 'male'],
  ] as const)('creatinine %d umol/L, age %d, %s', (creatinine, age, sex) => {
    const calculator = ckdEpiCreatinine('ckd-epi-2009', creatinine / CREATININE_UMOL_PER_MG_DL, age, sex);
    expect(ckdEpi2009(creatinine, age, sex)).toBeCloseTo(calculator, 6);
  });

  it('nhs-domain.md Appendix B: 80 umol/L, 50, female → 74.06 (CKD-EPI 2009)', () => {
    expect(ckdEpi2009(80, 50, 'female')).toBeCloseTo(74.06, 2);
  });
});

describe('creatinineForEgfr solves the equation for creatinine', () => {
  it('round-trips across the range of eGFR, ages and both sexes', () => {
    for (const sex of ['male', 'female'] as const) {
      for (const age of [18, 40, 65, 90]) {
        for (const egfr of [8, 15, 29, 45, 59, 60, 75, 90, 110, 130]) {
          expect(ckdEpi2009(creatinineForEgfr(egfr, age, sex), age, sex)).toBeCloseTo(egfr, 6);
        }
      }
    }
  });

  it('gives higher creatinine for lower eGFR', () => {
    expect(creatinineForEgfr(30, 70, 'male')).toBeGreaterThan(creatinineForEgfr(60, 70, 'male'));
  });
});
