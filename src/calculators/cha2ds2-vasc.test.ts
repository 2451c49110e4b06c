import { describe, expect, it } from 'vitest';
import { cha2ds2Vasc, type Cha2ds2VascInput, ng196Recommendation } from './cha2ds2-vasc.js';
import { catchOutcome } from './testing.js';

const NONE = {
  congestiveHeartFailure: false, hypertension: false, diabetes: false, strokeTiaThromboembolism: false, vascularDisease: false,
} as const;
const ALL = {
  congestiveHeartFailure: true, hypertension: true, diabetes: true, strokeTiaThromboembolism: true, vascularDisease: true,
} as const;
const MAN_50: Cha2ds2VascInput = { ...NONE, age: 50, sex: 'male' };

describe('CHA₂DS₂-VASc worked examples (nhs-domain.md §6.4; Lip 2010 scoring)', () => {
  it.each([
    ['male 50, no risk factors', { ...NONE, age: 50, sex: 'male' }, 0],
    ['female 50, no risk factors', { ...NONE, age: 50, sex: 'female' }, 1],
    ['female 70 with hypertension', { ...NONE, hypertension: true, age: 70, sex: 'female' }, 3],
    ['male 66 with hypertension and diabetes', { ...NONE, hypertension: true, diabetes: true, age: 66, sex: 'male' }, 3],
    ['male 76', { ...NONE, age: 76, sex: 'male' }, 2],
    ['female 78 with every factor (the maximum)', { ...ALL, age: 78, sex: 'female' }, 9],
  ] as const)('%s → %d', (_label, input, score) => {
    expect(cha2ds2Vasc.calculate(input).score).toBe(score);
  });

  it('female 78 with every factor: points per item', () => {
    expect(cha2ds2Vasc.calculate({ ...ALL, age: 78, sex: 'female' }).points).toEqual({
      congestiveHeartFailure: 1, hypertension: 1, age: 2, diabetes: 1, strokeTiaThromboembolism: 2, vascularDisease: 1, sexCategory: 1,
    });
  });
});

describe('Lip 2010: each item alone', () => {
  it.each([
    ['congestiveHeartFailure', 'congestiveHeartFailure', 1],
    ['hypertension', 'hypertension', 1],
    ['diabetes', 'diabetes', 1],
    ['strokeTiaThromboembolism', 'strokeTiaThromboembolism', 2],
    ['vascularDisease', 'vascularDisease', 1],
  ] as const)('%s scores %d', (input, item, points) => {
    const r = cha2ds2Vasc.calculate({ ...MAN_50, [input]: true });
    expect(r.points[item]).toBe(points);
    expect(r.score).toBe(points);
  });

  it('female sex category scores 1', () => {
    expect(cha2ds2Vasc.calculate({ ...MAN_50, sex: 'female' }).points.sexCategory).toBe(1);
  });

  it.each([[18, 0], [64, 0], [65, 1], [74, 1], [75, 2], [120, 2]])('Lip 2010 age bands: age %d scores %d', (age, points) => {
    const r = cha2ds2Vasc.calculate({ ...MAN_50, age });
    expect(r.points.age).toBe(points);
    expect(r.score).toBe(points);
  });
});

describe('NICE NG196 anticoagulation thresholds', () => {
  it.each([
    [0, 'male', 'do-not-offer'], [1, 'female', 'do-not-offer'], [1, 'male', 'consider'],
    [2, 'female', 'offer'], [2, 'male', 'offer'], [9, 'female', 'offer'],
  ] as const)('NICE NG196: score %d, %s → %s', (score, sex, rec) => {
    expect(ng196Recommendation(score, sex)).toBe(rec);
  });

  it('NICE NG196: a woman under 65 with no other risk factor → do not offer', () => {
    const r = cha2ds2Vasc.calculate({ ...MAN_50, sex: 'female' });
    expect(r).toMatchObject({ score: 1, recommendation: 'do-not-offer' });
    expect(r.recommendationText).toContain('do not offer');
  });

  it('NICE NG196: a man with hypertension (score 1) → consider', () => {
    expect(cha2ds2Vasc.calculate({ ...MAN_50, hypertension: true })).toMatchObject({ score: 1, recommendation: 'consider' });
  });

  it('NICE NG196: a woman aged 65 (score 2) → offer', () => {
    expect(cha2ds2Vasc.calculate({ ...MAN_50, sex: 'female', age: 65 })).toMatchObject({ score: 2, recommendation: 'offer' });
  });
});

describe('CHA₂DS₂-VASc input validation', () => {
  it.each(Object.keys(MAN_50))('missing %s → 400 required', (name) => {
    const input: Record<string, unknown> = { ...MAN_50 };
    delete input[name];
    const err = catchOutcome(() => cha2ds2Vasc.calculate(input));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'required', expression: [name] })]);
  });

  it.each([
    ['hypertension', 'true', 'value'], ['diabetes', 1, 'value'], ['congestiveHeartFailure', 'yes', 'value'],
    ['age', 70.5, 'value'], ['age', NaN, 'value'], ['age', '70', 'value'], ['sex', 'F', 'code-invalid'], ['sex', 'other', 'code-invalid'],
  ] as const)('%s = %s → 400 %s', (name, value, code) => {
    const err = catchOutcome(() => cha2ds2Vasc.calculate({ ...MAN_50, [name]: value }));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code, expression: [name] })]);
  });

  it.each([17, 121, -5])('age %d → 422 naming age', (age) => {
    const err = catchOutcome(() => cha2ds2Vasc.calculate({ ...MAN_50, age }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'value', expression: ['age'] })]);
  });

  it('an unknown item (e.g. the CHADS₂ "age75") → 400 naming it', () => {
    const err = catchOutcome(() => cha2ds2Vasc.calculate({ ...MAN_50, age75: true }));
    expect(err.status).toBe(400);
    expect(err.outcome.issue[0]).toMatchObject({ code: 'structure', expression: ['age75'] });
  });
});
