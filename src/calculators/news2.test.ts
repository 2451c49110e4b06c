import { describe, expect, it } from 'vitest';
import { news2, news2Band, type News2Input } from './news2.js';
import { catchOutcome, expressionsOf } from './testing.js';

/** Observations that score 0 on every parameter; each test changes what it is about. */
const NORMAL: News2Input = {
  respiratoryRate: 16, spo2: 98, spo2Scale: 1, onOxygen: false,
  systolicBP: 125, heartRate: 72, consciousness: 'A', temperature: 36.8,
};

const subscoreOrder = (r: ReturnType<typeof news2.calculate>) => {
  const s = r.subscores;
  return [s.respiratoryRate, s.spo2, s.onOxygen, s.systolicBP, s.heartRate, s.consciousness, s.temperature];
};

describe('NEWS2 worked examples (nhs-domain.md §6.1, computed from RCP NEWS2 Chart 1)', () => {
  const O2 = true;
  const AIR = false;
  it.each([
    ['A', 16, 98, 1, AIR, 125, 72, 'A', 36.8, [0, 0, 0, 0, 0, 0, 0], 0, 'low'],
    ['B', 22, 95, 1, AIR, 105, 95, 'A', 38.3, [2, 1, 0, 1, 1, 0, 1], 6, 'medium'],
    ['C (boundary values)', 21, 94, 1, AIR, 110, 91, 'A', 36.0, [2, 1, 0, 1, 1, 0, 1], 6, 'medium'],
    ['D (single red score)', 26, 97, 1, AIR, 130, 80, 'A', 37.0, [3, 0, 0, 0, 0, 0, 0], 3, 'low-medium'],
    ['E', 26, 92, 1, O2, 88, 125, 'C', 39.5, [3, 2, 2, 3, 2, 3, 2], 17, 'high'],
    ['F (scale 2 on oxygen)', 18, 97, 2, O2, 130, 80, 'A', 37.0, [0, 3, 2, 0, 0, 0, 0], 5, 'medium'],
    ['G (scale 2, 93% on air)', 18, 93, 2, AIR, 130, 80, 'A', 37.0, [0, 0, 0, 0, 0, 0, 0], 0, 'low'],
    ['H (scale 2, 88% on air)', 18, 88, 2, AIR, 130, 80, 'A', 37.0, [0, 0, 0, 0, 0, 0, 0], 0, 'low'],
    ['I (H on scale 1)', 18, 88, 1, AIR, 130, 80, 'A', 37.0, [0, 3, 0, 0, 0, 0, 0], 3, 'low-medium'],
  ] as const)(
    'example %s',
    (_id, respiratoryRate, spo2, spo2Scale, onOxygen, systolicBP, heartRate, consciousness, temperature, subs, score, band) => {
      const r = news2.calculate({ respiratoryRate, spo2, spo2Scale, onOxygen, systolicBP, heartRate, consciousness, temperature });
      expect(subscoreOrder(r)).toEqual(subs);
      expect(r.score).toBe(score);
      expect(r.band).toBe(band);
      expect(r.redFlag).toBe((subs as readonly number[]).includes(3));
    },
  );
});

describe('RCP NEWS2 Chart 1: every threshold, both sides', () => {
  const cases: [keyof News2Input, number, number][] = [
    ['respiratoryRate', 1, 3], ['respiratoryRate', 8, 3], ['respiratoryRate', 9, 1], ['respiratoryRate', 11, 1],
    ['respiratoryRate', 12, 0], ['respiratoryRate', 20, 0], ['respiratoryRate', 21, 2], ['respiratoryRate', 24, 2],
    ['respiratoryRate', 25, 3], ['respiratoryRate', 80, 3],
    ['spo2', 50, 3], ['spo2', 91, 3], ['spo2', 92, 2], ['spo2', 93, 2], ['spo2', 94, 1], ['spo2', 95, 1], ['spo2', 96, 0], ['spo2', 100, 0],
    ['systolicBP', 40, 3], ['systolicBP', 90, 3], ['systolicBP', 91, 2], ['systolicBP', 100, 2], ['systolicBP', 101, 1],
    ['systolicBP', 110, 1], ['systolicBP', 111, 0], ['systolicBP', 219, 0], ['systolicBP', 220, 3], ['systolicBP', 300, 3],
    ['heartRate', 20, 3], ['heartRate', 40, 3], ['heartRate', 41, 1], ['heartRate', 50, 1], ['heartRate', 51, 0], ['heartRate', 90, 0],
    ['heartRate', 91, 1], ['heartRate', 110, 1], ['heartRate', 111, 2], ['heartRate', 130, 2], ['heartRate', 131, 3], ['heartRate', 300, 3],
    ['temperature', 25, 3], ['temperature', 35.0, 3], ['temperature', 35.1, 1], ['temperature', 36.0, 1], ['temperature', 36.1, 0],
    ['temperature', 38.0, 0], ['temperature', 38.1, 1], ['temperature', 39.0, 1], ['temperature', 39.1, 2], ['temperature', 45, 2],
  ];
  it.each(cases)('RCP NEWS2 Chart 1: %s %d scores %d', (name, value, points) => {
    const r = news2.calculate({ ...NORMAL, [name]: value });
    expect(r.subscores[name as keyof typeof r.subscores]).toBe(points);
    expect(r.score).toBe(points);
  });

  it.each([
    ['A', 0], ['C', 3], ['V', 3], ['P', 3], ['U', 3],
  ] as const)('RCP NEWS2 Chart 1: consciousness %s scores %d', (consciousness, points) => {
    expect(news2.calculate({ ...NORMAL, consciousness }).subscores.consciousness).toBe(points);
  });

  it('RCP NEWS2 Chart 1: oxygen scores 2, air scores 0', () => {
    expect(news2.calculate({ ...NORMAL, onOxygen: true }).subscores.onOxygen).toBe(2);
    expect(news2.calculate({ ...NORMAL, onOxygen: false }).subscores.onOxygen).toBe(0);
  });
});

describe('RCP NEWS2 Chart 1: SpO₂ scale 2 (oxygen matters at 93% and above)', () => {
  it.each([
    [50, 3, 3], [83, 3, 3], [84, 2, 2], [85, 2, 2], [86, 1, 1], [87, 1, 1], [88, 0, 0], [92, 0, 0],
    [93, 0, 1], [94, 0, 1], [95, 0, 2], [96, 0, 2], [97, 0, 3], [100, 0, 3],
  ])('RCP NEWS2 Chart 1 scale 2: SpO₂ %d scores %d on air, %d on oxygen', (spo2, onAir, onO2) => {
    expect(news2.calculate({ ...NORMAL, spo2Scale: 2, spo2, onOxygen: false }).subscores.spo2).toBe(onAir);
    expect(news2.calculate({ ...NORMAL, spo2Scale: 2, spo2, onOxygen: true }).subscores.spo2).toBe(onO2);
  });

  it('RCP NEWS2 Chart 1 scale 1: oxygen does not change the SpO₂ points (only adds its own 2)', () => {
    const r = news2.calculate({ ...NORMAL, spo2: 97, onOxygen: true });
    expect(r.subscores.spo2).toBe(0);
    expect(r.score).toBe(2);
  });
});

describe('temperature is scored to 1 decimal place (Chart 1 bands are 0.1 °C apart)', () => {
  it.each([
    [38.04, 0], [38.05, 1], [35.04, 3], [35.05, 1], [36.04, 1], [36.05, 0], [39.04, 1], [39.05, 2],
  ])('%d °C scores %d', (temperature, points) => {
    expect(news2.calculate({ ...NORMAL, temperature }).subscores.temperature).toBe(points);
  });
});

describe('RCP NEWS2 Charts 3 and 4: bands and clinical response', () => {
  it.each([
    [0, false, 'low'], [1, false, 'low'], [4, false, 'low'], [3, true, 'low-medium'], [4, true, 'low-medium'],
    [5, false, 'medium'], [5, true, 'medium'], [6, true, 'medium'], [7, false, 'high'], [7, true, 'high'], [20, true, 'high'],
  ] as const)('RCP Chart 3: aggregate %d, red score %s → %s', (score, red, band) => {
    expect(news2Band(score, red)).toBe(band);
  });

  it('RCP Chart 4: score 0 → minimum 12 hourly, continue routine monitoring', () => {
    const r = news2.calculate(NORMAL);
    expect(r).toMatchObject({ score: 0, band: 'low', redFlag: false, monitoring: 'Minimum 12 hourly' });
    expect(r.response).toContain('Continue routine NEWS monitoring');
  });

  it('RCP Chart 4: aggregate 4 without a red score → low, 4–6 hourly, registered nurse assesses', () => {
    const r = news2.calculate({ ...NORMAL, respiratoryRate: 21, spo2: 95, heartRate: 91 });
    expect(r).toMatchObject({ score: 4, band: 'low', redFlag: false, monitoring: 'Minimum 4–6 hourly' });
    expect(r.response).toContain('Inform registered nurse, who must assess the patient');
  });

  it('RCP Chart 4: single red score (aggregate 3) → low-medium, 1 hourly, inform medical team', () => {
    const r = news2.calculate({ ...NORMAL, consciousness: 'V' });
    expect(r).toMatchObject({ score: 3, band: 'low-medium', redFlag: true, monitoring: 'Minimum 1 hourly' });
    expect(r.response).toContain('inform medical team caring for the patient');
  });

  it('RCP Chart 4: aggregate 5 without a red score → medium, urgent response', () => {
    const r = news2.calculate({ ...NORMAL, respiratoryRate: 22, spo2: 94, systolicBP: 105, heartRate: 95 });
    expect(r).toMatchObject({ score: 5, band: 'medium', redFlag: false, monitoring: 'Minimum 1 hourly' });
    expect(r.response).toContain('Urgent response threshold');
  });

  it('RCP Chart 4: aggregate 7 without a red score → high, continuous monitoring, emergency response', () => {
    const r = news2.calculate({ ...NORMAL, respiratoryRate: 22, spo2: 92, systolicBP: 100, heartRate: 95 });
    expect(r).toMatchObject({ score: 7, band: 'high', redFlag: false, monitoring: 'Continuous monitoring of vital signs' });
    expect(r.response).toContain('Emergency response threshold');
    expect(r.response).toContain('specialist registrar');
  });

  it('RCP Chart 4: the maximum aggregate is 20', () => {
    const r = news2.calculate({
      respiratoryRate: 30, spo2: 80, spo2Scale: 1, onOxygen: true, systolicBP: 80, heartRate: 140, consciousness: 'U', temperature: 34,
    });
    expect(r.score).toBe(20);
  });
});

describe('NEWS2 input validation', () => {
  const required = Object.keys(NORMAL) as (keyof News2Input)[];
  it.each(required)('missing %s → 400 required', (name) => {
    const { [name]: _omit, ...rest } = NORMAL;
    const err = catchOutcome(() => news2.calculate(rest));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'required', expression: [name] })]);
  });

  it.each([
    ['respiratoryRate', NaN, 'value'],
    ['respiratoryRate', 20.5, 'value'],
    ['respiratoryRate', '20', 'value'],
    ['spo2', 0.95, 'value'],
    ['spo2', Infinity, 'value'],
    ['spo2Scale', 3, 'code-invalid'],
    ['spo2Scale', '2', 'code-invalid'],
    ['onOxygen', 'true', 'value'],
    ['onOxygen', 1, 'value'],
    ['systolicBP', 120.5, 'value'],
    ['heartRate', -Infinity, 'value'],
    ['consciousness', 'a', 'code-invalid'],
    ['consciousness', 'Alert', 'code-invalid'],
    ['temperature', NaN, 'value'],
    ['temperature', '37.0', 'value'],
    ['temperature', null, 'required'],
  ] as const)('%s = %s → 400 %s', (name, value, code) => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, [name]: value }));
    expect(err.status).toBe(400);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code, expression: [name] })]);
  });

  it('SpO₂ given as a fraction says so', () => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, spo2: 0.95 }));
    expect(err.outcome.issue[0]?.diagnostics).toContain('whole percentage');
  });

  it.each([
    ['respiratoryRate', 0], ['respiratoryRate', 81], ['spo2', 49], ['spo2', 101], ['systolicBP', 39], ['systolicBP', 301],
    ['heartRate', 19], ['heartRate', 301], ['temperature', 24.9], ['temperature', 45.1],
  ] as const)('implausible %s %d → 422 naming it', (name, value) => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, [name]: value }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue).toEqual([expect.objectContaining({ code: 'value', expression: [name] })]);
  });

  it('temperature in °F → 422 with a hint to convert', () => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, temperature: 98.6 }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue[0]?.diagnostics).toContain('°F');
  });

  it('systolic BP in kPa → 422 with a hint to convert', () => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, systolicBP: 16 }));
    expect(err.status).toBe(422);
    expect(err.outcome.issue[0]?.diagnostics).toContain('kPa');
  });

  it('contradictory SpO₂ fields (a second scale or oxygen flag) → 400 naming each extra field', () => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, spo2Scale: 2, spo2Scale1: 95, oxygen: true }));
    expect(err.status).toBe(400);
    expect(expressionsOf(err)).toEqual(['spo2Scale1', 'oxygen']);
  });

  it('reports every structural problem at once', () => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, respiratoryRate: NaN, consciousness: 'X', spo2: undefined }));
    expect(err.status).toBe(400);
    expect(expressionsOf(err).sort()).toEqual(['consciousness', 'respiratoryRate', 'spo2']);
  });

  it('structure is checked before plausibility: malformed and implausible together → 400 only', () => {
    const err = catchOutcome(() => news2.calculate({ ...NORMAL, respiratoryRate: 'x', temperature: 98.6 }));
    expect(err.status).toBe(400);
    expect(expressionsOf(err)).toEqual(['respiratoryRate']);
  });

  it.each([null, undefined, [], 'NEWS2', 7])('non-object input %s → 400', (input) => {
    expect(catchOutcome(() => news2.calculate(input)).status).toBe(400);
  });
});
