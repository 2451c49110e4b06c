/**
 * The stored result Observation (https://hl7.org/fhir/R4/observation.html): valid R4, coded with
 * published codes where they exist, derivedFrom the Observations used.
 */
import { describe, expect, it } from 'vitest';
import { calculators } from '../../calculators/index.js';
import { validateResource } from '../../fhir/validation/index.js';
import type { GatheredInputs, InputSource } from './from-record.js';
import { resultObservation } from './result-observation.js';
import { EXAMPLE_INPUTS } from './testing.js';

const NOW = new Date('2024-05-01T12:00:00.000Z');

/** Provenance as the record gatherer would give it: each input from its own Observation. */
function fromObservations(input: Record<string, unknown>, effective: (name: string) => string): GatheredInputs {
  const sources: InputSource[] = Object.entries(input).map(([name, value]) => ({
    input: name, value, origin: 'record', sources: [`Observation/${name}-1`], effective: effective(name), ageHours: 1, maxAgeHours: 24,
  }));
  return { input, sources };
}

describe('resultObservation', () => {
  it('NEWS2: SNOMED CT total score code, subscore components with the RCP NEWS2 concepts, derivedFrom each Observation', () => {
    const input = { ...EXAMPLE_INPUTS.news2, respiratoryRate: 26 };
    const result = calculators.news2.calculate(input) as unknown as Record<string, unknown>;
    const gathered = fromObservations(input, () => '2024-05-01T11:00:00Z');
    const obs = resultObservation(calculators.news2.metadata, 'p1', result, gathered, NOW);
    expect(validateResource(obs)).toEqual([]);
    expect(obs).toMatchObject({
      status: 'final',
      code: { coding: [{ system: 'http://snomed.info/sct', code: '1104051000000101' }] },
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2024-05-01T11:00:00Z',
      issued: NOW.toISOString(),
      valueQuantity: { value: 3, code: '{score}', system: 'http://unitsofmeasure.org' },
    });
    const components = obs.component as { code: { coding?: { code: string }[]; text: string }; valueQuantity?: { value: number } }[];
    const rr = components.find((c) => c.code.coding?.[0]?.code === '1104301000000104')!;
    expect(rr.valueQuantity!.value).toBe(3);
    expect(components.some((c) => c.code.coding?.[0]?.code === '1104311000000102')).toBe(true); // SpO₂ scale 1
    expect((obs.derivedFrom as { reference: string }[]).map((r) => r.reference).sort()).toEqual(Object.keys(input).map((k) => `Observation/${k}-1`).sort());
  });

  it('NEWS2 on SpO₂ scale 2 uses the scale 2 subscore concept', () => {
    const input = { ...EXAMPLE_INPUTS.news2, spo2Scale: 2, spo2: 90 };
    const result = calculators.news2.calculate(input) as unknown as Record<string, unknown>;
    const obs = resultObservation(calculators.news2.metadata, 'p1', result, fromObservations(input, () => '2024-05-01T11:00:00Z'), NOW);
    const codes = (obs.component as { code: { coding?: { code: string }[] } }[]).map((c) => c.code.coding?.[0]?.code);
    expect(codes).toContain('1104321000000108');
    expect(codes).not.toContain('1104311000000102');
  });

  it('spans the inputs\' times with effectivePeriod when they differ', () => {
    const input = { ...EXAMPLE_INPUTS.news2 };
    const result = calculators.news2.calculate(input) as unknown as Record<string, unknown>;
    const gathered = fromObservations(input, (n) => (n === 'temperature' ? '2024-05-01T02:00:00Z' : '2024-05-01T11:00:00Z'));
    const obs = resultObservation(calculators.news2.metadata, 'p1', result, gathered, NOW);
    expect(obs.effectivePeriod).toEqual({ start: '2024-05-01T02:00:00Z', end: '2024-05-01T11:00:00Z' });
    expect(obs.effectiveDateTime).toBeUndefined();
  });

  it('eGFR: LOINC 98979-8 only for CKD-EPI 2021; the 2009 result is described in text, not mis-coded', () => {
    const r21 = calculators.egfr.calculate(EXAMPLE_INPUTS.egfr) as unknown as Record<string, unknown>;
    const o21 = resultObservation(calculators.egfr.metadata, 'p1', r21, fromObservations(EXAMPLE_INPUTS.egfr as Record<string, unknown>, () => '2024-04-01'), NOW);
    expect(validateResource(o21)).toEqual([]);
    expect(o21.code).toMatchObject({ coding: [{ system: 'http://loinc.org', code: '98979-8' }] });
    expect(o21.valueQuantity).toEqual({ value: 71, unit: 'mL/min/{1.73_m2}', system: 'http://unitsofmeasure.org', code: 'mL/min/{1.73_m2}' });
    const r09 = calculators.egfr.calculate({ ...EXAMPLE_INPUTS.egfr, equation: 'ckd-epi-2009' }) as unknown as Record<string, unknown>;
    const o09 = resultObservation(calculators.egfr.metadata, 'p1', r09, fromObservations({ ...EXAMPLE_INPUTS.egfr }, () => '2024-04-01'), NOW);
    expect(o09.code).toEqual({ text: 'eGFR: CKD-EPI 2009, no ethnicity adjustment (NICE NG203)' });
  });

  it('BMI: LOINC 39156-5 in kg/m2, with the calculator\'s notes as Observation.note', () => {
    const result = calculators.bmi.calculate(EXAMPLE_INPUTS.bmi) as unknown as Record<string, unknown>;
    const obs = resultObservation(calculators.bmi.metadata, 'p1', result, fromObservations({ weightKg: 82, heightM: 1.7 }, () => '2024-04-01T09:00:00Z'), NOW);
    expect(validateResource(obs)).toEqual([]);
    expect(obs.code).toMatchObject({ coding: [{ system: 'http://loinc.org', code: '39156-5' }] });
    expect(obs.valueQuantity).toMatchObject({ value: 28.4, code: 'kg/m2' });
    expect((obs.note as { text: string }[]).map((n) => n.text)).toEqual(expect.arrayContaining(result.notes as string[]));
  });

  it('CHA₂DS₂-VASc: Conditions and the Patient as supportingInfo (derivedFrom cannot hold them), inputs not from the record noted', () => {
    const input = EXAMPLE_INPUTS['cha2ds2-vasc'] as Record<string, unknown>;
    const result = calculators['cha2ds2-vasc'].calculate(input) as unknown as Record<string, unknown>;
    const gathered: GatheredInputs = {
      input,
      sources: [
        { input: 'hypertension', value: true, origin: 'record', sources: ['Condition/c1', 'Condition/c2'] },
        { input: 'age', value: 70, origin: 'record', sources: ['Patient/p1'] },
        { input: 'sex', value: 'female', origin: 'record', sources: ['Patient/p1'] },
        { input: 'diabetes', value: false, origin: 'request', sources: [] },
      ],
    };
    const obs = resultObservation(calculators['cha2ds2-vasc'].metadata, 'p1', result, gathered, NOW);
    expect(validateResource(obs)).toEqual([]);
    expect(obs.derivedFrom).toBeUndefined();
    expect(obs.extension).toEqual(['Condition/c1', 'Condition/c2', 'Patient/p1'].map((reference) => ({
      url: 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo', valueReference: { reference },
    })));
    expect(obs.effectiveDateTime).toBe(NOW.toISOString());
    expect(obs.code).toEqual({ text: 'CHA₂DS₂-VASc score' });
    expect((obs.note as { text: string }[])[0]!.text).toMatch(/diabetes = false \(given with the request\)/);
  });
});
