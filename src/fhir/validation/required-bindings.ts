/**
 * Required terminology bindings: a coded element bound with strength `required` must hold a code
 * from its value set. The value sets were expanded when the table was generated, so a check is a
 * Set lookup. Bindings whose value set cannot be expanded exactly (UCUM, MIME types, currencies,
 * LOINC answer lists) carry no binding in the table and are not checked here.
 *
 * @see https://hl7.org/fhir/R4/terminologies.html#required
 */
import { issue } from '../outcome.js';
import { isObject, type OperationOutcomeIssue } from '../types.js';
import type { RequiredBinding } from './definitions.js';

/** Value sets with at most this many codes are listed in full in the diagnostics. */
const MAX_LISTED = 10;

/**
 * A `code` element: the value must be one of the value set's codes, whatever their system (a
 * `code` carries no system; https://hl7.org/fhir/R4/datatypes.html#code).
 */
export function checkCode(value: string, binding: RequiredBinding, expression: string, issues: OperationOutcomeIssue[]): void {
  if (binding.codes.has(value)) return;
  issues.push(issue('code-invalid', `'${value}' is not in the value set ${binding.valueSet}, which is required here; ${allowed(binding.codes)}`, expression));
}

/**
 * A `CodeableConcept` (`type` is its name) or a `Coding` under a required binding. A coding whose
 * `system` is one of the value set's must have one of its codes. At least one coding must come
 * from the value set; further codings from other systems are translations and are allowed
 * (https://hl7.org/fhir/R4/datatypes.html#codeableconcept). A CodeableConcept with text only and
 * no coding is accepted. Codings that are not objects were reported by the structural walk.
 */
export function checkCodings(value: Record<string, unknown>, type: string, binding: RequiredBinding, path: string, issues: OperationOutcomeIssue[]): void {
  if (type === 'Coding') {
    checkCodingList([value], binding, path, false, issues);
    return;
  }
  const codings = value['coding'];
  if (Array.isArray(codings) && codings.length > 0) checkCodingList(codings, binding, path, true, issues);
}

function checkCodingList(codings: readonly unknown[], binding: RequiredBinding, path: string, isArray: boolean, issues: OperationOutcomeIssue[]): void {
  let isFromValueSet = false;
  let hasWrongCode = false;
  for (let i = 0; i < codings.length; i++) {
    const coding = codings[i];
    if (!isObject(coding)) continue;
    const system = coding['system'];
    const codes = typeof system === 'string' ? binding.systems.get(system) : undefined;
    const code = coding['code'];
    if (codes === undefined || typeof code !== 'string') continue;
    if (codes.has(code)) {
      isFromValueSet = true;
    } else {
      hasWrongCode = true;
      const where = isArray ? `${path}.coding[${i}].code` : `${path}.code`;
      issues.push(issue('code-invalid', `'${code}' is not a code of ${system as string} in the value set ${binding.valueSet}, which is required here; ${allowed(codes)}`, where));
    }
  }
  if (isFromValueSet || hasWrongCode) return;
  issues.push(issue('code-invalid', `${isArray ? 'No coding has' : 'The coding does not have'} a system and code from the value set ${binding.valueSet}, which is required here; ${allowedCodings(binding)}`, path));
}

function allowed(codes: ReadonlySet<string>): string {
  return codes.size <= MAX_LISTED ? `one of ${[...codes].join(', ')}` : `${codes.size} codes are allowed`;
}

function allowedCodings(binding: RequiredBinding): string {
  const systems = [...binding.systems];
  if (systems.length !== 1) return `systems ${systems.map(([system]) => system).join(', ')}`;
  const [system, codes] = systems[0]!;
  return `system ${system}, ${allowed(codes)}`;
}
