import { describe, expect, it } from 'vitest';
import { bmi, bmiCategory, FAMILY_BACKGROUNDS, LOWER_THRESHOLD_BACKGROUNDS } from './bmi.js';
import { catchOutcome, expressionsOf } from './testing.js';

describe('BMI worked examples (nhs-domain.md §6.3; NICE categories)', () => {
  it.each([
    [70, 1.75, 22.9, 'healthy-weight', 'healthy-weight'],
    [82, 1.7, 28.4, 'overweight', 'obesity-class-1'],
    [95, 1.8, 29.3, 'overweight', 'obesity-class-1'],
    [50, 1.7, 17.3, 'underweight', 'underweight'],
    [120, 1.65, 44.1, 'obesity-class-3', 'obesity-class-3'],
    [68, 1.68, 24.1, 'healthy-weight', 'overweight'],
  ] as const)('NICE: %d kg / %d m → BMI %d, %s (general), %s (lower thresholds)', (weightKg, heightM, value, general, lower) => {
    expect(bmi.calculate({ weightKg, heightM })).toMatchObject({ bmi: value, category: general, thresholds: 'general' });
    expect(bmi.calculate({ weightKg, heightM, ethnicity: 'south-asian' })).toMatchObject({ bmi: value, category: lower, thresholds: 'lower' });
  });
});

describe('NICE BMI thresholds: every cut-off, both sides (1 dp values; height 2.0 m makes BMI = weight ÷ 4)', () => {
  it.each([
    [73.6, 18.4, 'underweight'], [74, 18.5, 'healthy-weight'], [99.6, 24.9, 'healthy-weight'], [100, 25, 'overweight'],
    [119.6, 29.9, 'overweight'], [120, 30, 'obesity-class-1'], [139.6, 34.9, 'obesity-class-1'], [140, 35, 'obesity-class-2'],
    [159.6, 39.9, 'obesity-class-2'], [160, 40, 'obesity-class-3'],
  ] as const)('NICE general thresholds: %d kg → BMI %d is %s', (weightKg, value, category) => {
    expect(bmi.calculate({ weightKg, heightM: 2, ethnicity: 'white' })).toMatchObject({ bmi: value, category });
  });

  it.each([
    [73.6, 18.4, 'underweight'], [74, 18.5, 'healthy-weight'], [91.6, 22.9, 'healthy-weight'], [92, 23, 'overweight'],
    [109.6, 27.4, 'overweight'], [110, 27.5, 'obesity-class-1'], [129.6, 32.4, 'obesity-class-1'], [130, 32.5, 'obesity-class-2'],
    [149.6, 37.4, 'obesity-class-2'], [150, 37.5, 'obesity-class-3'],
  ] as const)('NICE lower thresholds (23 / 27.5, classes reduced by 2.5): %d kg → BMI %d is %s', (weightKg, value, category) => {
    expect(bmi.calculate({ weightKg, heightM: 2, ethnicity: 'chinese' })).toMatchObject({ bmi: value, category });
  });

  it('rounds to 1 dp before categorising: 24.96 is shown as 25.0 and is overweight', () => {
    expect(bmi.calculate({ weightKg: 99.84, heightM: 2 })).toMatchObject({ bmi: 25, category: 'overweight' });
  });

  it('rounds to 1 dp before categorising: 24.94 is shown as 24.9 and is healthy weight', () => {
    expect(bmi.calculate({ weightKg: 99.76, heightM: 2 })).toMatchObject({ bmi: 24.9, category: 'healthy-weight' });
  });

  it('bmiCategory treats each lower bound as inclusive', () => {
    expect(bmiCategory(18.5, 'general')).toBe('healthy-weight');
    expect(bmiCategory(23, 'lower')).toBe('overweight');
    expect(bmiCategory(22.9, 'lower')).toBe('healthy-weight');
  });
});

describe('NICE family backgrounds', () => {
  it.each(LOWER_THRESHOLD_BACKGROUNDS)('NICE: %s family background uses the lower thresholds', (ethnicity) => {
    expect(bmi.calculate({ weightKg: 92, heightM: 2, ethnicity })).toMatchObject({ thresholds: 'lower', category: 'overweight' });
  });

  it.each(['white', 'other', 'not-stated', undefined] as const)('%s uses the general thresholds', (ethnicity) => {
    expect(bmi.calculate({ weightKg: 92, heightM: 2, ethnicity })).toMatchObject({ thresholds: 'general', category: 'healthy-weight' });
  });

  it('every background is one of the two groups', () => {
    expect(FAMILY_BACKGROUNDS).toHaveLength(LOWER_THRESHOLD_BACKGROUNDS.length + 3);
  });

  it('says when the general thresholds were used because background was not given', () => {
    expect(bmi.calculate({ weightKg: 70, heightM: 1.75 }).notes.join(' ')).toContain('Family background not given');
    expect(bmi.calculate({ weightKg: 70, heightM: 1.75, ethnicity: 'not-stated' }).notes.join(' ')).toContain('Family background not given');
    expect(bmi.calculate({ weightKg: 70, heightM: 1.75, ethnicity: 'white' }).notes.join(' ')).not.toContain('Family background');
  });
});

describe('NICE cautions in notes', () => {
  it.each([[64, false], [65, true]])('age %d → age caution %s', (age, shown) => {
    expect(bmi.calculate({ weightKg: 70, heightM: 1.75, age }).notes.some((n) => n.includes('65 and over'))).toBe(shown);
  });

  it.each([[139.6, true], [140, false]])('weight %d kg at 2 m → waist-to-height note %s (BMI under 35)', (weightKg, shown) => {
    expect(bmi.calculate({ weightKg, heightM: 2 }).notes.some((n) => n.includes('waist-to-height'))).toBe(shown);
  });
});

describe('BMI input validation', () => {
  it.each(['weightKg', 'heightM'])('missing %s → 400 required', (name) => {
    const input: Record<string, unknown> = { weightKg: 70, heightM: 1.75 };
    delete input[name];
    const err = catchOutcome(() => bmi.calculate(input));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'required', expression: [name] })]);
  });

  it.each([
    ['weightKg', NaN, 'value'], ['weightKg', '70', 'value'], ['heightM', Infinity, 'value'], ['heightM', '1.75m', 'value'],
    ['ethnicity', 'asian', 'code-invalid'], ['ethnicity', 'South Asian', 'code-invalid'], ['age', 40.5, 'value'], ['age', '40', 'value'],
  ] as const)('%s = %s → 400 %s', (name, value, code) => {
    const err = catchOutcome(() => bmi.calculate({ weightKg: 70, heightM: 1.75, [name]: value }));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code, expression: [name] })]);
  });

  it.each([
    [20, 1.5, 8.9], [650, 2, 162.5], [20, 0.5, 80], [100, 2.75, 13.2], [28, 2, 7],
  ])('limits are inclusive: %d kg, %d m → BMI %d', (weightKg, heightM, value) => {
    expect(bmi.calculate({ weightKg, heightM }).bmi).toBe(value);
  });

  it.each([
    ['weightKg', 19.9, 1.5], ['weightKg', 650.1, 2], ['heightM', 70, 0.49], ['heightM', 70, 2.76],
  ] as const)('implausible %s → 422 naming it', (name, weightKg, heightM) => {
    const err = catchOutcome(() => bmi.calculate({ weightKg, heightM }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'value', expression: [name] })]);
  });

  it('height in centimetres → 422 with a hint to divide by 100', () => {
    const err = catchOutcome(() => bmi.calculate({ weightKg: 70, heightM: 175 }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue[0]?.diagnostics).toContain('centimetres');
  });

  it.each([[17, 422], [18, 200]])('age %d → %d (adults only; children use UK90 centiles)', (age, status) => {
    if (status === 200) expect(bmi.calculate({ weightKg: 70, heightM: 1.75, age }).bmi).toBe(22.9);
    else {
      const err = catchOutcome(() => bmi.calculate({ weightKg: 70, heightM: 1.75, age }));
      expect(err.status).toBe(status);
      expect(err.outcome.issue[0]).toMatchObject({ expression: ['age'] });
      expect(err.outcome.issue[0]?.diagnostics).toContain('UK90');
    }
  });

  it.each([
    [20, 2.5], [27.9, 2], [650, 1.5],
  ])('contradictory weight %d kg and height %d m (implausible BMI) → 422 naming both', (weightKg, heightM) => {
    const err = catchOutcome(() => bmi.calculate({ weightKg, heightM }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue[0]?.code).toBe('business-rule');
    expect(expressionsOf(err)).toEqual(['weightKg', 'heightM']);
  });

  it('unknown inputs (e.g. weight in pounds) → 400 naming them', () => {
    const err = catchOutcome(() => bmi.calculate({ weightKg: 70, heightM: 1.75, weightLb: 154 }));
    expect(err.status).toBe(400);
    expect(expressionsOf(err)).toEqual(['weightLb']);
  });
});
