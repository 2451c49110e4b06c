import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { calculatorList, calculators, getCalculator } from './index.js';
import { catchOutcome } from './testing.js';

/** One valid input per calculator, for the checks every calculator must pass. */
const VALID: Record<string, Record<string, unknown>> = {
  news2: { respiratoryRate: 16, spo2: 98, spo2Scale: 1, onOxygen: false, systolicBP: 125, heartRate: 72, consciousness: 'A', temperature: 36.8 },
  egfr: { creatinine: 80, creatinineUnit: 'umol/L', age: 50, sex: 'female', equation: 'ckd-epi-2021' },
  bmi: { weightKg: 70, heightM: 1.75, ethnicity: 'white', age: 40 },
  'cha2ds2-vasc': { congestiveHeartFailure: false, hypertension: true, age: 70, diabetes: false, strokeTiaThromboembolism: false, vascularDisease: false, sex: 'female' },
};

const JSON_TYPE = { integer: 'integer', decimal: 'number', boolean: 'boolean', code: undefined } as const;

describe('calculator registry', () => {
  it('lists every calculator under its metadata name', () => {
    expect(Object.keys(calculators)).toEqual(['news2', 'egfr', 'bmi', 'cha2ds2-vasc']);
    for (const [name, calc] of Object.entries(calculators)) expect(calc.metadata.name).toBe(name);
    expect(calculatorList.map((c) => c.metadata.name)).toEqual(Object.keys(calculators));
  });

  it('finds by name, and never by an inherited key', () => {
    expect(getCalculator('news2')).toBe(calculators.news2);
    expect(getCalculator('cha2ds2-vasc')).toBe(calculators['cha2ds2-vasc']);
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', '', 'NEWS2']) expect(getCalculator(name)).toBeUndefined();
  });

  it('has no QRISK3 (licence and trademark; see README)', () => {
    expect(getCalculator('qrisk3')).toBeUndefined();
  });
});

describe.each(calculatorList.map((c) => [c.metadata.name, c] as const))('%s', (name, calc) => {
  const valid = VALID[name] ?? {};

  it('computes from its valid example', () => {
    expect(() => calc.calculate(valid)).not.toThrow();
  });

  it('metadata is complete enough to publish', () => {
    const m = calc.metadata;
    expect(m.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(m.status).toBe('draft');
    expect(m.source.url).toMatch(/^https:\/\//);
    for (const s of m.additionalSources) expect(s.url).toMatch(/^https:\/\//);
    expect(m.intendedUse.length).toBeGreaterThan(20);
    expect(m.limitations.length).toBeGreaterThan(0);
    expect(m.outputs.length).toBeGreaterThan(0);
    expect(new Set(m.inputs.map((i) => i.name)).size).toBe(m.inputs.length);
  });

  it('metadata inputs match the zod schema (names, required, types, codes)', () => {
    const json = z.toJSONSchema(calc.inputSchema, { io: 'input' }) as {
      properties: Record<string, { type?: string; enum?: unknown[] }>; required?: string[]; additionalProperties: boolean;
    };
    expect(json.additionalProperties).toBe(false);
    expect(Object.keys(json.properties)).toEqual(calc.metadata.inputs.map((i) => i.name));
    expect([...(json.required ?? [])].sort()).toEqual(calc.metadata.inputs.filter((i) => i.required).map((i) => i.name).sort());
    for (const def of calc.metadata.inputs) {
      const prop = json.properties[def.name];
      if (def.values) expect(prop?.enum).toEqual(def.values);
      else expect(prop?.type).toBe(JSON_TYPE[def.type]);
    }
  });

  it('every numeric input has documented limits (for each unit, when the unit is an input)', () => {
    for (const def of calc.metadata.inputs) {
      if ((def.type !== 'integer' && def.type !== 'decimal') || def.values) continue;
      if (def.unitFrom) {
        const units = calc.metadata.inputs.find((i) => i.name === def.unitFrom)?.values ?? [];
        expect(units.length).toBeGreaterThan(0);
        for (const u of units) expect(def.limitsByUnit?.[String(u)]?.min).toBeLessThan(def.limitsByUnit?.[String(u)]?.max ?? -Infinity);
      } else {
        expect(def.min, def.name).toBeLessThan(def.max ?? -Infinity);
      }
    }
  });

  it('metadata is frozen', () => {
    expect(Object.isFrozen(calc.metadata)).toBe(true);
    expect(Object.isFrozen(calc.metadata.inputs)).toBe(true);
  });

  it.each([null, undefined, [], 'text', 42, true])('input %s → 400', (input) => {
    expect(catchOutcome(() => calc.calculate(input)).status).toBe(400);
  });

  const numeric = calc.metadata.inputs.filter((d) => d.type === 'integer' || d.type === 'decimal').map((d) => d.name);
  it.each(numeric.flatMap((n) => [NaN, Infinity, -Infinity, '1', {}].map((v) => [n, v] as const)))(
    '%s = %s → 400 naming it',
    (input, value) => {
      const err = catchOutcome(() => calc.calculate({ ...valid, [input]: value }));
      expect(err.status).toBe(400);
      expect(err.outcome.issue.map((i) => i.expression)).toEqual([[input]]);
    },
  );

  it.each(calc.metadata.inputs.filter((d) => d.required).map((d) => d.name))('missing %s → 400 required', (input) => {
    const { [input]: _omit, ...rest } = valid;
    expect(catchOutcome(() => calc.calculate(rest)).outcome.issue).toEqual([expect.objectContaining({ code: 'required', expression: [input] })]);
  });

  it('has a README section naming its source and validation evidence', () => {
    const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
    const section = readme.split(/^## /m).find((s) => s.includes(`\`${name}\``));
    expect(section, `README section for ${name}`).toBeDefined();
    expect(section).toContain('Intended use');
    expect(section).toContain('Validation evidence');
    expect(section).toContain(`${name === 'cha2ds2-vasc' ? 'cha2ds2-vasc' : name}.test.ts`);
  });
});
