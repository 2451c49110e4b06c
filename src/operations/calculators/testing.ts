/**
 * Test support (no test-runner import, so it is safe to compile): one valid input per
 * calculator, taken from the calculators' own worked examples, and FHIR resource builders for
 * record-based tests.
 */
import type { Resource } from '../../fhir/types.js';

/** A valid input per calculator (worked examples from `src/calculators/README.md`). */
export const EXAMPLE_INPUTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = Object.freeze({
  news2: { respiratoryRate: 18, spo2: 96, spo2Scale: 1, onOxygen: false, systolicBP: 120, heartRate: 80, consciousness: 'A', temperature: 37.1 },
  // NKF CKD-EPI 2021 reference: 1.2 mg/dL, 55 y, male → 71 (G2).
  egfr: { creatinine: 1.2, creatinineUnit: 'mg/dL', age: 55, sex: 'male', equation: 'ckd-epi-2021' },
  // nhs-domain.md §6.3: 82 kg, 1.70 m, lower thresholds → 28.4, obesity class 1.
  bmi: { weightKg: 82, heightM: 1.7, ethnicity: 'south-asian', age: 40 },
  // nhs-domain.md §6.4: female 70 with hypertension → 3.
  'cha2ds2-vasc': {
    congestiveHeartFailure: false, hypertension: true, age: 70, diabetes: false, strokeTiaThromboembolism: false, vascularDisease: false, sex: 'female',
  },
});

/** A quantity Observation (LOINC-coded unless `system` is given) for `Patient/{patientId}`. */
export function quantityObservation(
  patientId: string, code: string, value: number, unit: string, effective: string,
  opts: { system?: string; status?: string; component?: unknown[] } = {},
): Resource {
  return {
    resourceType: 'Observation',
    status: opts.status ?? 'final',
    code: { coding: [{ system: opts.system ?? 'http://loinc.org', code }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: effective,
    valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    ...(opts.component ? { component: opts.component } : {}),
  };
}

/** A blood pressure panel (LOINC 85354-9) with systolic and diastolic components. */
export function bloodPressurePanel(patientId: string, systolic: number, diastolic: number, effective: string): Resource {
  const part = (code: string, value: number) => ({
    code: { coding: [{ system: 'http://loinc.org', code }] },
    valueQuantity: { value, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  });
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: effective,
    component: [part('8480-6', systolic), part('8462-4', diastolic)],
  };
}

/** A coded Observation (valueCodeableConcept). */
export function codedObservation(patientId: string, code: { system: string; code: string }, value: { system: string; code: string }, effective: string): Resource {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [code] },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: effective,
    valueCodeableConcept: { coding: [value] },
  };
}

/** A SNOMED CT-coded Condition. */
export function condition(patientId: string, code: string, clinicalStatus: string, verificationStatus = 'confirmed'): Resource {
  return {
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: clinicalStatus }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: verificationStatus }] },
    code: { coding: [{ system: 'http://snomed.info/sct', code }] },
    subject: { reference: `Patient/${patientId}` },
  };
}

/** An ISO instant `hours` before `now`. */
export function hoursBefore(now: Date, hours: number): string {
  return new Date(now.getTime() - hours * 3_600_000).toISOString();
}
