/**
 * Each laboratory's reference ranges. They differ a little between the two laboratories, as
 * real ones do (different analysers, populations and conventions), so that software showing
 * results must use the range reported with each result rather than one of its own. Values are
 * typical of UK adult ranges; they are test data, not clinical guidance.
 *
 * @see https://hl7.org/fhir/R4/observation-definitions.html#Observation.referenceRange
 */
import type { ObservationKey } from '../code-lists/observations.js';

/** A reference interval: either end may be open. `text` is how the laboratory prints it. */
export interface ReferenceRange {
  readonly low?: number;
  readonly high?: number;
  readonly text: string;
}

type ByKey = Readonly<Partial<Record<ObservationKey, ReferenceRange | { readonly male: ReferenceRange; readonly female: ReferenceRange }>>>;

/** Reference ranges by laboratory site code. */
export const REFERENCE_RANGES: Readonly<Record<string, ByKey>> = {
  R9A01: {
    hba1c: { low: 20, high: 41, text: '20-41 mmol/mol (42-47 increased risk; 48 or more consistent with diabetes)' },
    sodium: { low: 133, high: 146, text: '133-146 mmol/L' },
    potassium: { low: 3.5, high: 5.3, text: '3.5-5.3 mmol/L' },
    creatinine: { male: { low: 59, high: 104, text: '59-104 umol/L' }, female: { low: 45, high: 84, text: '45-84 umol/L' } },
    egfr: { low: 60, text: '>60 mL/min/1.73m2' },
    totalCholesterol: { high: 5, text: 'Ideal <5.0 mmol/L' },
    hdlCholesterol: { male: { low: 1, text: '>1.0 mmol/L' }, female: { low: 1.2, text: '>1.2 mmol/L' } },
    triglycerides: { high: 1.7, text: '<1.7 mmol/L (fasting)' },
  },
  R9B02: {
    hba1c: { high: 41, text: '<42 mmol/mol' },
    sodium: { low: 135, high: 145, text: '135-145 mmol/L' },
    potassium: { low: 3.5, high: 5.1, text: '3.5-5.1 mmol/L' },
    creatinine: { male: { low: 64, high: 111, text: '64-111 umol/L' }, female: { low: 49, high: 90, text: '49-90 umol/L' } },
    egfr: { low: 60, text: '>=60 mL/min/1.73m2' },
    totalCholesterol: { high: 5.2, text: '<5.2 mmol/L' },
    hdlCholesterol: { male: { low: 0.9, text: '>0.9 mmol/L' }, female: { low: 1.1, text: '>1.1 mmol/L' } },
    triglycerides: { high: 2.3, text: '<2.3 mmol/L (non-fasting)' },
  },
};

/** The range a laboratory reports with a result of `key` for someone of `sex`, if it has one. */
export function referenceRangeFor(siteCode: string, key: ObservationKey, sex: 'male' | 'female'): ReferenceRange | undefined {
  const entry = REFERENCE_RANGES[siteCode]?.[key];
  if (entry === undefined) return undefined;
  return 'male' in entry ? entry[sex] : entry;
}
