import { describe, expect, it } from 'vitest';
import { ckdEpiCreatinine, CREATININE_UMOL_PER_MG_DL, egfr, type EgfrInput, kdigoGfrCategory } from './egfr.js';
import { catchOutcome } from './testing.js';

const BASE = { creatinine: 80, creatinineUnit: 'umol/L', age: 50, sex: 'male' } as const;

/** [creatinine, unit, age, sex, 2021 eGFR, 2009 eGFR], to 2 dp. */
const WORKED: [number, 'umol/L' | 'mg/dL', number, 'male' | 'female', number, number][] = [
  [1.2, 'mg/dL', 55, 'male', 71.42, 67.67],
  [0.8, 'mg/dL', 40, 'female', 95.46, 92.22],
  [1.0, 'mg/dL', 70, 'female', 60.61, 57.03],
  [80, 'umol/L', 50, 'male', 103.36, 98.58],
  [80, 'umol/L', 50, 'female', 77.37, 74.06],
  [150, 'umol/L', 72, 'male', 42.4, 39.5],
  [300, 'umol/L', 65, 'female', 14.43, 13.48],
];

const toMgDl = (value: number, unit: 'umol/L' | 'mg/dL') => (unit === 'mg/dL' ? value : value / CREATININE_UMOL_PER_MG_DL);

describe('CKD-EPI worked examples (nhs-domain.md §6.2, from Inker 2021 and Levey 2009)', () => {
  it.each(WORKED)('Inker 2021 equation: %d %s, %d y, %s → %d', (c, unit, age, sex, e2021) => {
    expect(ckdEpiCreatinine('ckd-epi-2021', toMgDl(c, unit), age, sex)).toBeCloseTo(e2021, 2);
  });

  it.each(WORKED)('Levey 2009 equation, no ethnicity coefficient: %d %s, %d y, %s → 2021 %d, 2009 %d', (c, unit, age, sex, _e2021, e2009) => {
    expect(ckdEpiCreatinine('ckd-epi-2009', toMgDl(c, unit), age, sex)).toBeCloseTo(e2009, 2);
  });

  it.each(WORKED)('reported (whole number) and KDIGO category: %d %s, %d y, %s', (creatinine, creatinineUnit, age, sex, e2021, e2009) => {
    const r21 = egfr.calculate({ creatinine, creatinineUnit, age, sex, equation: 'ckd-epi-2021' });
    const r09 = egfr.calculate({ creatinine, creatinineUnit, age, sex, equation: 'ckd-epi-2009' });
    expect(r21.egfr).toBe(Math.round(e2021));
    expect(r09.egfr).toBe(Math.round(e2009));
    expect(r21.category).toBe(kdigoGfrCategory(Math.round(e2021)));
    expect(r09.category).toBe(kdigoGfrCategory(Math.round(e2009)));
  });

  it('NKF CKD-EPI 2021 reference calculator: 1.2 mg/dL, 55 y, male → 71 (G2)', () => {
    expect(egfr.calculate({ creatinine: 1.2, creatinineUnit: 'mg/dL', age: 55, sex: 'male', equation: 'ckd-epi-2021' }))
      .toMatchObject({ egfr: 71, category: 'G2', equation: 'ckd-epi-2021', equationLabel: 'CKD-EPI 2021 (race-free)' });
  });

  it('nhs-domain.md §6.2: 300 µmol/L, 65 y, female → 2009: 13 (G5); 2021: 14 (G5)', () => {
    const input = { creatinine: 300, creatinineUnit: 'umol/L', age: 65, sex: 'female' } as const;
    expect(egfr.calculate({ ...input, equation: 'ckd-epi-2009' })).toMatchObject({ egfr: 13, category: 'G5' });
    expect(egfr.calculate({ ...input, equation: 'ckd-epi-2021' })).toMatchObject({ egfr: 14, category: 'G5' });
  });

  // Every nhs-domain.md example has creatinine above κ, so none exercises α. These were
  // computed separately (Python, coefficients retyped from Levey 2009 and Inker 2021).
  it.each([
    [0.5, 'mg/dL', 30, 'female', 129.32, 129.87],
    [0.6, 'mg/dL', 45, 'male', 121.32, 121.43],
    [44.2, 'umol/L', 25, 'female', 133.4, 134.52],
    [53, 'umol/L', 80, 'male', 97.61, 94.99],
  ] as const)('creatinine below κ (the α term): %d %s, %d y, %s → 2021 %d, 2009 %d', (c, unit, age, sex, e2021, e2009) => {
    expect(ckdEpiCreatinine('ckd-epi-2021', toMgDl(c, unit), age, sex)).toBeCloseTo(e2021, 2);
    expect(ckdEpiCreatinine('ckd-epi-2009', toMgDl(c, unit), age, sex)).toBeCloseTo(e2009, 2);
  });

  it('at creatinine = κ both min and max terms are 1: eGFR = base × age term × sex factor', () => {
    expect(ckdEpiCreatinine('ckd-epi-2021', 0.9, 40, 'male')).toBeCloseTo(142 * 0.9938 ** 40, 10);
    expect(ckdEpiCreatinine('ckd-epi-2021', 0.7, 40, 'female')).toBeCloseTo(142 * 0.9938 ** 40 * 1.012, 10);
    expect(ckdEpiCreatinine('ckd-epi-2009', 0.9, 40, 'male')).toBeCloseTo(141 * 0.993 ** 40, 10);
    expect(ckdEpiCreatinine('ckd-epi-2009', 0.7, 40, 'female')).toBeCloseTo(141 * 0.993 ** 40 * 1.018, 10);
  });

  it('the equation is continuous across κ (no step at the knot)', () => {
    const below = ckdEpiCreatinine('ckd-epi-2021', 0.9 - 1e-9, 40, 'male');
    const above = ckdEpiCreatinine('ckd-epi-2021', 0.9 + 1e-9, 40, 'male');
    expect(Math.abs(below - above)).toBeLessThan(1e-6);
  });
});

describe('NICE NG203: default equation and no ethnicity adjustment', () => {
  it('defaults to CKD-EPI 2009 without the ethnicity coefficient, and says so', () => {
    const r = egfr.calculate({ creatinine: 1.2, creatinineUnit: 'mg/dL', age: 55, sex: 'male' });
    expect(r).toMatchObject({ egfr: 68, equation: 'ckd-epi-2009' });
    expect(r.equationLabel).toContain('no ethnicity adjustment (NICE NG203)');
  });

  it.each(['race', 'ethnicity', 'isBlack'])('a %s input is refused with the NG203 reason (400)', (key) => {
    const err = catchOutcome(() => egfr.calculate({ ...BASE, [key]: true }));
    expect(err.status).toBe(400);
    expect(err.outcome.issue[0]).toMatchObject({ code: 'structure', expression: [key] });
    expect(err.outcome.issue[0]?.diagnostics).toContain('NICE NG203');
  });
});

describe('creatinine unit conversion (1 mg/dL = 88.4 µmol/L)', () => {
  it.each([
    [1.2, 106.08], [0.8, 70.72], [1.0, 88.4], [2.5, 221],
  ])('%d mg/dL gives the same eGFR as %d µmol/L', (mgDl, umolL) => {
    for (const equation of ['ckd-epi-2009', 'ckd-epi-2021'] as const) {
      const a = egfr.calculate({ ...BASE, creatinine: mgDl, creatinineUnit: 'mg/dL', equation });
      const b = egfr.calculate({ ...BASE, creatinine: umolL, creatinineUnit: 'umol/L', equation });
      expect(a).toEqual(b);
    }
  });

  it('nhs-domain.md §6.2: 106.1 µmol/L (≈1.2 mg/dL), 55 y, male → 2021: 71', () => {
    expect(egfr.calculate({ creatinine: 106.1, creatinineUnit: 'umol/L', age: 55, sex: 'male', equation: 'ckd-epi-2021' }).egfr).toBe(71);
  });
});

describe('KDIGO GFR categories: every threshold, both sides', () => {
  it.each([
    [150, 'G1'], [90, 'G1'], [89, 'G2'], [60, 'G2'], [59, 'G3a'], [45, 'G3a'], [44, 'G3b'], [30, 'G3b'],
    [29, 'G4'], [15, 'G4'], [14, 'G5'], [1, 'G5'],
  ] as const)('KDIGO 2012: eGFR %d is %s', (value, category) => {
    expect(kdigoGfrCategory(value)).toBe(category);
  });

  it('categorises the reported value: raw 59.88 is reported as 60, so G2 (not G3a)', () => {
    expect(ckdEpiCreatinine('ckd-epi-2009', 114 / 88.4, 60, 'male')).toBeCloseTo(59.88, 2);
    expect(egfr.calculate({ creatinine: 114, creatinineUnit: 'umol/L', age: 60, sex: 'male' })).toMatchObject({ egfr: 60, category: 'G2' });
  });

  it('categorises the reported value: raw 44.77 is reported as 45, so G3a (not G3b)', () => {
    expect(egfr.calculate({ creatinine: 145, creatinineUnit: 'umol/L', age: 60, sex: 'male' })).toMatchObject({ egfr: 45, category: 'G3a' });
  });
});

describe('eGFR input validation', () => {
  const required: (keyof EgfrInput)[] = ['creatinine', 'creatinineUnit', 'age', 'sex'];
  it.each(required)('missing %s → 400 required', (name) => {
    const { [name as keyof typeof BASE]: _omit, ...rest } = BASE;
    const err = catchOutcome(() => egfr.calculate(rest));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'required', expression: [name] })]);
  });

  it.each([
    ['creatinine', NaN, 'value'],
    ['creatinine', '80', 'value'],
    ['creatinine', Infinity, 'value'],
    ['creatinineUnit', 'mmol/L', 'code-invalid'],
    ['creatinineUnit', 'µmol/L', 'code-invalid'],
    ['creatinineUnit', 'umol/l', 'code-invalid'],
    ['age', 55.5, 'value'],
    ['age', '55', 'value'],
    ['sex', 'M', 'code-invalid'],
    ['sex', 'unknown', 'code-invalid'],
    ['equation', 'mdrd', 'code-invalid'],
    ['equation', null, 'required'],
  ] as const)('%s = %s → 400 %s', (name, value, code) => {
    const err = catchOutcome(() => egfr.calculate({ ...BASE, [name]: value }));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code, expression: [name] })]);
  });

  it.each([
    [10, 'umol/L'], [3000, 'umol/L'], [0.12, 'mg/dL'], [33.9, 'mg/dL'],
  ] as const)('creatinine %d %s is inside the limits', (creatinine, creatinineUnit) => {
    expect(Number.isInteger(egfr.calculate({ ...BASE, creatinine, creatinineUnit }).egfr)).toBe(true);
  });

  it.each([
    [9.9, 'umol/L'], [3000.1, 'umol/L'], [0, 'umol/L'], [-80, 'umol/L'], [0.11, 'mg/dL'], [34, 'mg/dL'],
  ] as const)('creatinine %d %s is outside the limits → 422', (creatinine, creatinineUnit) => {
    const err = catchOutcome(() => egfr.calculate({ ...BASE, creatinine, creatinineUnit }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'value', expression: ['creatinine'] })]);
  });

  it('a mg/dL value sent as µmol/L → 422 suggesting mg/dL', () => {
    const err = catchOutcome(() => egfr.calculate({ ...BASE, creatinine: 1.2, creatinineUnit: 'umol/L' }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue[0]?.diagnostics).toContain('set creatinineUnit to mg/dL');
  });

  it('a µmol/L value sent as mg/dL → 422 suggesting µmol/L', () => {
    const err = catchOutcome(() => egfr.calculate({ ...BASE, creatinine: 106, creatinineUnit: 'mg/dL' }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue[0]?.diagnostics).toContain('set creatinineUnit to umol/L');
  });

  it.each([[17, 422], [18, 200], [120, 200], [121, 422]])('age %d → %d', (age, status) => {
    if (status === 200) expect(egfr.calculate({ ...BASE, age }).egfr).toBeGreaterThan(0);
    else expect(catchOutcome(() => egfr.calculate({ ...BASE, age }))).toMatchObject({ status, outcome: { issue: [expect.objectContaining({ expression: ['age'] })] } });
  });
});
