/**
 * The calculator registry: every calculator, keyed by its metadata `name`, for the HTTP
 * layer to expose as FHIR operations and OpenAPI paths. Pure: no I/O, no env, no clock.
 */
import { bmi } from './bmi.js';
import { cha2ds2Vasc } from './cha2ds2-vasc.js';
import { egfr } from './egfr.js';
import { news2 } from './news2.js';
import type { Calculator } from './types.js';

export type { BmiCategory, BmiInput, BmiResult, FamilyBackground } from './bmi.js';
export type { Cha2ds2VascInput, Cha2ds2VascPoints, Cha2ds2VascResult, Ng196Recommendation } from './cha2ds2-vasc.js';
export type { EgfrEquation, EgfrInput, EgfrResult, GfrCategory } from './egfr.js';
export type { News2Band, News2Input, News2Result, News2Subscores } from './news2.js';
export type * from './types.js';
export { bmi, cha2ds2Vasc, egfr, news2 };

/** Every calculator by name, with its input and result types. */
export const calculators = Object.freeze({
  news2,
  egfr,
  bmi,
  'cha2ds2-vasc': cha2ds2Vasc,
});

/** A registered calculator's name (its `metadata.name`). */
export type CalculatorName = keyof typeof calculators;

/** The calculators in a stable order, for listing (CapabilityStatement, OpenAPI). */
export const calculatorList: readonly Calculator[] = Object.freeze(Object.values(calculators));

/** The calculator called `name`, or undefined; inherited keys such as `toString` never match. */
export function getCalculator(name: string): Calculator | undefined {
  return Object.hasOwn(calculators, name) ? calculators[name as CalculatorName] : undefined;
}
