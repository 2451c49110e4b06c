/**
 * Observation bodies: vital signs (including the blood pressure panel with systolic and
 * diastolic components) and laboratory results with UCUM quantities, the performing
 * laboratory's reference range and an interpretation flag.
 *
 * @see https://hl7.org/fhir/R4/observation-vitalsigns.html
 * @see https://hl7.org/fhir/R4/observation.html#refrange
 */
import { conceptOf, UCUM } from '../code-lists/code-list.js';
import { OBSERVATIONS, type ObservationKey } from '../code-lists/observations.js';
import type { ReferenceRange } from '../reference-data/reference-ranges.js';
import type { Vitals } from '../story/types.js';
import type { Ref } from './references.js';

const CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const INTERPRETATION = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';

const VITAL_SIGNS_CATEGORY = [{ coding: [{ system: CATEGORY, code: 'vital-signs', display: 'Vital Signs' }] }];
const LABORATORY_CATEGORY = [{ coding: [{ system: CATEGORY, code: 'laboratory', display: 'Laboratory' }] }];

/** A UCUM Quantity for a value of `key`. */
export function quantity(key: ObservationKey, value: number, comparator?: '<' | '>'): Record<string, unknown> {
  const e = OBSERVATIONS[key];
  return { value, ...(comparator !== undefined ? { comparator } : {}), unit: e.unit, system: UCUM, code: e.ucum };
}

/** What is shared by every observation of a record: subject, encounter, time, performer. */
export interface ObservationContext {
  readonly subject: Ref;
  readonly encounter?: Ref;
  readonly effective: string;
  readonly performer: Ref;
}

/** One Observation body per vital sign in `vitals`, blood pressure as one panel. Returns [identifier suffix, body] pairs. */
export function vitalSignBodies(vitals: Vitals, ctx: ObservationContext): [string, Record<string, unknown>][] {
  const base = (key: ObservationKey) => ({
    status: 'final',
    category: VITAL_SIGNS_CATEGORY,
    code: conceptOf(OBSERVATIONS[key]),
    subject: ctx.subject,
    ...(ctx.encounter !== undefined ? { encounter: ctx.encounter } : {}),
    effectiveDateTime: ctx.effective,
    performer: [ctx.performer],
  });
  const out: [string, Record<string, unknown>][] = [];
  if (vitals.systolic !== undefined && vitals.diastolic !== undefined) {
    out.push(['bp', {
      ...base('bloodPressure'),
      component: [
        { code: conceptOf(OBSERVATIONS.systolic), valueQuantity: quantity('systolic', vitals.systolic) },
        { code: conceptOf(OBSERVATIONS.diastolic), valueQuantity: quantity('diastolic', vitals.diastolic) },
      ],
    }]);
  }
  const single: readonly [keyof Vitals, ObservationKey, string][] = [
    ['heartRate', 'heartRate', 'hr'], ['respiratoryRate', 'respiratoryRate', 'rr'], ['oxygenSaturation', 'oxygenSaturation', 'spo2'],
    ['bodyTemperature', 'bodyTemperature', 'temp'], ['bodyHeight', 'bodyHeight', 'height'], ['bodyWeight', 'bodyWeight', 'weight'], ['bmi', 'bmi', 'bmi'],
  ];
  for (const [field, key, suffix] of single) {
    const value = vitals[field];
    if (value !== undefined) out.push([suffix, { ...base(key), valueQuantity: quantity(key, value) }]);
  }
  return out;
}

/** H, L or N against a range. */
function interpretation(value: number, range: ReferenceRange | undefined): Record<string, unknown>[] | undefined {
  if (range === undefined) return undefined;
  const [code, display] = range.high !== undefined && value > range.high ? ['H', 'High']
    : range.low !== undefined && value < range.low ? ['L', 'Low'] : ['N', 'Normal'];
  return [{ coding: [{ system: INTERPRETATION, code, display }] }];
}

/** The body of a laboratory result, with the laboratory's reference range. */
export function labResultBody(key: ObservationKey, value: number, range: ReferenceRange | undefined, ctx: ObservationContext & { readonly issued: string }): Record<string, unknown> {
  // Laboratories report a normal eGFR as ">90", not a number that looks more precise than it is.
  const reported = key === 'egfr' && value > 90 ? quantity(key, 90, '>') : quantity(key, value);
  const flag = interpretation(value, range);
  const referenceRange = range === undefined ? undefined : [{
    ...(range.low !== undefined ? { low: quantity(key, range.low) } : {}),
    ...(range.high !== undefined ? { high: quantity(key, range.high) } : {}),
    text: range.text,
  }];
  return {
    status: 'final',
    category: LABORATORY_CATEGORY,
    code: conceptOf(OBSERVATIONS[key]),
    subject: ctx.subject,
    effectiveDateTime: ctx.effective,
    issued: ctx.issued,
    performer: [ctx.performer],
    valueQuantity: reported,
    ...(flag !== undefined ? { interpretation: flag } : {}),
    ...(referenceRange !== undefined ? { referenceRange } : {}),
  };
}
