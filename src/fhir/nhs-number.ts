/**
 * The NHS number: validation (10 digits, Modulus 11 check digit, policy rejections),
 * normalisation of typed input, display as 3-3-4, the FHIR identifier system, a generator of
 * test-range numbers, and the check of a resource's NHS number identifiers.
 *
 * Pure: no I/O, and randomness is passed in.
 *
 * @see https://www.datadictionary.nhs.uk/attributes/nhs_number.html (format and Modulus 11)
 */
import { issue } from './outcome.js';
import { isObject, type OperationOutcomeIssue, type Resource } from './types.js';

/**
 * The FHIR `Identifier.system` of the NHS number in England.
 *
 * @see https://github.com/nhsconnect/gpconnect/blob/feature/1.6.2/pages/accessrecord_structured/accessrecord_structured_development_resources_overview.md
 */
export const NHS_NUMBER_SYSTEM = 'https://fhir.nhs.uk/Id/nhs-number';

/** Weights of the first nine digits in the Modulus 11 sum (NHS Data Dictionary, step 1). */
const WEIGHTS = [10, 9, 8, 7, 6, 5, 4, 3, 2] as const;

/** The first three digits of numbers reserved for testing: they pass the check but are never issued. */
export const TEST_RANGE_PREFIX = '999';

/**
 * Why a string is not a valid NHS number.
 *
 * - `format`: not exactly 10 digits (after removing spaces and hyphens, for typed input).
 * - `check-digit-10`: Modulus 11 gives 10, so no number with these first nine digits is issued.
 * - `check-digit-mismatch`: the tenth digit is not the computed check digit.
 * - `placeholder`: ten identical digits, e.g. `0000000000` or `4444444444`. These pass the
 *   checksum (every repdigit does) but are keyed-in placeholders, not issued numbers
 *   (nhs-domain.md §1.3: "reject `0000000000` by policy"). `9999999999` is the exception: it
 *   lies in the 999 test range and is a valid test fixture (nhs-domain.md Appendix B).
 */
export type NhsNumberProblem = 'format' | 'check-digit-10' | 'check-digit-mismatch' | 'placeholder';

/**
 * The Modulus 11 check digit for the first nine digits of an NHS number, or `undefined` when
 * the algorithm gives 10 (no valid number has that prefix). Returns `undefined` for input that
 * is not nine digits.
 *
 * @see https://www.datadictionary.nhs.uk/attributes/nhs_number.html (steps 1–5)
 */
export function nhsNumberCheckDigit(firstNine: string): number | undefined {
  if (!/^\d{9}$/.test(firstNine)) return undefined;
  let total = 0;
  for (let i = 0; i < 9; i++) total += WEIGHTS[i]! * (firstNine.charCodeAt(i) - 48);
  const check = 11 - (total % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

/**
 * Removes the spaces and hyphens people type or paste (`943 476 5919`, `943-476-5919`) and
 * returns the digits when exactly ten remain, else `undefined`. It does not check the check
 * digit: use {@link isValidNhsNumber} for that.
 *
 * @see http://www.mscui.org/DesignGuide/QuickGuides/PatientIDNumber/checklist.aspx (support copy and paste)
 */
export function normaliseNhsNumber(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  return /^\d{10}$/.test(digits) ? digits : undefined;
}

/**
 * Why `value`, which must already be ten digits with nothing else (as stored in
 * `Identifier.value`), is not a valid NHS number; `undefined` when it is valid.
 * Typed input should go through {@link normaliseNhsNumber} first.
 */
export function nhsNumberProblem(value: string): NhsNumberProblem | undefined {
  if (!/^\d{10}$/.test(value)) return 'format';
  const check = nhsNumberCheckDigit(value.slice(0, 9));
  if (check === undefined) return 'check-digit-10';
  if (check !== value.charCodeAt(9) - 48) return 'check-digit-mismatch';
  if (/^(\d)\1{9}$/.test(value) && !value.startsWith(TEST_RANGE_PREFIX)) return 'placeholder';
  return undefined;
}

/**
 * True when `input` is a valid NHS number: ten digits once spaces and hyphens are removed,
 * a matching Modulus 11 check digit, and not a placeholder (see {@link NhsNumberProblem}).
 * Test-range numbers (999…) are valid here; use {@link isTestRangeNhsNumber} to tell them apart.
 *
 * @see https://www.datadictionary.nhs.uk/attributes/nhs_number.html
 */
export function isValidNhsNumber(input: string): boolean {
  const digits = normaliseNhsNumber(input);
  return digits !== undefined && nhsNumberProblem(digits) === undefined;
}

/** True when `input` is a valid NHS number in the 999 range reserved for testing (nhs-domain.md §1.2, [S]). */
export function isTestRangeNhsNumber(input: string): boolean {
  const digits = normaliseNhsNumber(input);
  return digits !== undefined && digits.startsWith(TEST_RANGE_PREFIX) && nhsNumberProblem(digits) === undefined;
}

/**
 * Formats an NHS number for display as three groups of 3, 3 and 4 digits separated by single
 * spaces (`943 476 5919`), from any input that normalises to ten digits; `undefined` otherwise.
 * It formats what it is given: a number with a wrong check digit is displayed, not corrected.
 *
 * @see http://www.mscui.org/DesignGuide/QuickGuides/PatientIDNumber/checklist.aspx (NUM-0002)
 */
export function formatNhsNumber(input: string): string | undefined {
  const d = normaliseNhsNumber(input);
  return d === undefined ? undefined : `${d.slice(0, 3)} ${d.slice(3, 6)} ${d.slice(6)}`;
}

/**
 * Generates a valid NHS number in the 999 test range (`999` + six digits + check digit) using
 * `random`, a function returning uniform numbers in [0, 1) (a seeded PRNG for reproducible
 * data; never `Math.random` in generated fixtures). Prefixes whose check digit would be 10 are
 * skipped, so every number returned is valid; repdigit placeholders cannot occur except
 * `9999999999`, which is a valid test number.
 */
export function generateTestNhsNumber(random: () => number): string {
  for (;;) {
    const middle = Math.floor(random() * 1_000_000).toString().padStart(6, '0');
    const firstNine = TEST_RANGE_PREFIX + middle;
    const check = nhsNumberCheckDigit(firstNine);
    if (check !== undefined) return firstNine + String(check);
  }
}

const DIAGNOSTICS: Readonly<Record<NhsNumberProblem, string>> = {
  format: 'is not an NHS number: it must be exactly 10 digits, with no spaces or other characters',
  'check-digit-10': 'is not a valid NHS number: its first nine digits give a Modulus 11 check digit of 10, which is never issued',
  'check-digit-mismatch': 'is not a valid NHS number: the check digit does not match (Modulus 11)',
  placeholder: 'is not a valid NHS number: ten identical digits are a placeholder, not an issued number',
};

/**
 * Checks every `identifier` of `resource` whose `system` is {@link NHS_NUMBER_SYSTEM}: each
 * one whose `value` is missing or is not a valid NHS number (exactly ten digits as stored,
 * Modulus 11, no placeholder) gives one error issue with the FHIRPath `expression`
 * `Patient.identifier[i].value` (the resource's own type for other resources, e.g. a
 * RelatedPerson). Other identifiers, and resources without identifiers, give no issues.
 * The diagnostics never repeat the number itself, so an outcome cannot leak it into logs.
 *
 * @see https://hl7.org/fhir/R4/operationoutcome.html
 * @see https://www.datadictionary.nhs.uk/attributes/nhs_number.html
 */
export function nhsNumberIssues(resource: Resource): OperationOutcomeIssue[] {
  const identifiers = resource['identifier'];
  if (!Array.isArray(identifiers)) return [];
  const issues: OperationOutcomeIssue[] = [];
  identifiers.forEach((identifier: unknown, i) => {
    if (!isObject(identifier) || identifier['system'] !== NHS_NUMBER_SYSTEM) return;
    const at = `${resource.resourceType}.identifier[${i}].value`;
    const value = identifier['value'];
    if (value === undefined) {
      issues.push(issue('required', 'An NHS number identifier must have a value', at));
      return;
    }
    const problem = typeof value === 'string' ? nhsNumberProblem(value) : 'format';
    if (problem !== undefined) issues.push(issue('value', `The NHS number ${DIAGNOSTICS[problem]}`, at));
  });
  return issues;
}
