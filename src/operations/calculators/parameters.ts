/**
 * FHIR `Parameters` ⇄ calculator inputs and results, driven by each calculator's metadata so the
 * mapping, the OperationDefinition and the calculator can never disagree about a name or a type.
 *
 * Inputs travel as the FHIR primitive the metadata names (`valueInteger`, `valueDecimal`,
 * `valueBoolean`, `valueCode`); numeric inputs also accept `valueQuantity` in the documented UCUM
 * unit. Outputs with a real UCUM unit (not only an annotation such as `{score}`) travel as
 * `valueQuantity`; groups (`subscores`, `points`) as nested `part`s; repeating outputs (`notes`) as
 * one parameter per item, which is how Parameters repeats a name.
 *
 * @see https://hl7.org/fhir/R4/parameters.html
 * @see https://hl7.org/fhir/R4/operations.html#executing
 */
import type { CalculatorMetadata, InputDefinition, OutputDefinition } from '../../calculators/index.js';
import { badRequest, invalid, issue } from '../../fhir/outcome.js';
import type { OperationOutcomeIssue, Resource } from '../../fhir/types.js';
import { isObject } from '../../fhir/types.js';

/** The UCUM code system: https://hl7.org/fhir/R4/ucum.html */
export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/** https://hl7.org/fhir/R4/datatypes.html#Quantity */
export interface Quantity {
  value: number;
  comparator?: string;
  unit?: string;
  system?: string;
  code?: string;
}

/** https://hl7.org/fhir/R4/references.html#Reference */
export interface Reference {
  reference: string;
  display?: string;
}

/** One `Parameters.parameter` (only the value types calculators use). */
export interface ParametersParameter {
  name: string;
  valueInteger?: number;
  valueDecimal?: number;
  valueBoolean?: boolean;
  valueCode?: string;
  valueString?: string;
  valueDateTime?: string;
  valueQuantity?: Quantity;
  valueReference?: Reference;
  resource?: Resource;
  part?: ParametersParameter[];
}

/** https://hl7.org/fhir/R4/parameters.html */
export interface Parameters extends Resource {
  resourceType: 'Parameters';
  parameter?: ParametersParameter[];
}

/** The FHIR data type a calculator value travels as (an OperationDefinition `parameter.type`). */
export type ValueType = 'integer' | 'decimal' | 'boolean' | 'code' | 'string' | 'dateTime' | 'Quantity' | 'Reference';

/** `{score}` is a UCUM annotation with no dimension: a plain number reads better than a Quantity. */
const ANNOTATION_ONLY = /^\{[^}]*\}$/;

/** The FHIR type of an input: exactly the metadata's primitive type. */
export function inputValueType(def: InputDefinition): ValueType {
  return def.type;
}

/** The FHIR type of an output, or `undefined` for a group of parts. */
export function outputValueType(def: OutputDefinition): ValueType | undefined {
  if (def.type === 'part') return undefined;
  if ((def.type === 'integer' || def.type === 'decimal') && def.unit !== undefined && !ANNOTATION_ONLY.test(def.unit)) return 'Quantity';
  return def.type;
}

const VALUE_KEY: Record<ValueType, keyof ParametersParameter> = {
  integer: 'valueInteger', decimal: 'valueDecimal', boolean: 'valueBoolean', code: 'valueCode', string: 'valueString',
  dateTime: 'valueDateTime', Quantity: 'valueQuantity', Reference: 'valueReference',
};

/** One parameter carrying `value` as FHIR type `type`; `unit` (UCUM) is used for quantities. */
export function valueParameter(name: string, type: ValueType, value: unknown, unit?: string): ParametersParameter {
  if (type === 'Quantity') {
    const q: Quantity = { value: value as number };
    if (unit !== undefined) Object.assign(q, { unit, system: UCUM_SYSTEM, code: unit });
    return { name, valueQuantity: q };
  }
  return { name, [VALUE_KEY[type]]: value } as ParametersParameter;
}

/** An operation parameter that is not a calculator input, such as `store` or `maxAgeHours`. */
export interface ControlParameter {
  readonly name: string;
  readonly type: 'boolean' | 'decimal';
  readonly documentation: string;
}

/** Inputs and control values read from a request, with where each came from. */
export interface ParsedInput {
  /** Calculator inputs by name; names the calculator does not know are passed on for it to refuse. */
  input: Record<string, unknown>;
  /** Control parameter values by name. */
  control: Record<string, unknown>;
  /** Where each name came from: `Parameters.parameter[2]` for a body, the query name for a GET. */
  locations: Record<string, string>;
}

const NUMBER_TEXT = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** The unit a quantity states: its UCUM `code`, else its human-readable `unit`. */
function quantityUnit(q: Record<string, unknown>): string | undefined {
  if (typeof q.code === 'string') return q.code;
  return typeof q.unit === 'string' ? q.unit : undefined;
}

/**
 * Reads the inputs of an operation from a `Parameters` body. Shape problems (not Parameters, a
 * parameter without a name or with other than one value, a repeated name, a value of the wrong
 * FHIR type or unit) are reported together as one 400 whose issues each name the parameter, e.g.
 * `Parameters.parameter[2]`. Values are not range-checked here: the calculator does that.
 */
export function parametersToInput(metadata: CalculatorMetadata, body: unknown, controls: readonly ControlParameter[] = []): ParsedInput {
  if (!isObject(body) || body.resourceType !== 'Parameters') {
    throw badRequest(`The body must be a FHIR Parameters resource (https://hl7.org/fhir/R4/parameters.html)`, 'Parameters');
  }
  const out: ParsedInput = { input: {}, control: {}, locations: {} };
  const list = body.parameter;
  if (list === undefined) return out;
  if (!Array.isArray(list)) throw badRequest('Parameters.parameter must be an array', 'Parameters.parameter');
  const issues: OperationOutcomeIssue[] = [];
  const quantityUnits = new Map<string, { unit: string; at: string }>();
  list.forEach((p: unknown, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (!isObject(p)) return void issues.push(issue('structure', `${at} must be an object`, at));
    const name = p.name;
    if (typeof name !== 'string' || name.length === 0) return void issues.push(issue('required', `${at} has no name`, at));
    const valueKeys = Object.keys(p).filter((k) => k.startsWith('value') || k === 'resource' || k === 'part');
    if (valueKeys.length !== 1) return void issues.push(issue('structure', `${at} (${name}) must have exactly one value[x]`, at));
    if (Object.hasOwn(out.locations, name)) return void issues.push(issue('structure', `${name} is given more than once (${out.locations[name]} and ${at})`, at));
    out.locations[name] = at;
    const key = valueKeys[0]!;
    const raw = p[key];
    const control = controls.find((c) => c.name === name);
    const def = metadata.inputs.find((d) => d.name === name);
    if (control) {
      const v = readControl(control, key, raw, at, issues);
      if (v !== undefined) out.control[name] = v;
    } else if (def) {
      const v = readInput(def, key, raw, at, issues);
      if (v === undefined) return;
      out.input[name] = v.value;
      if (v.unit !== undefined && def.unitFrom !== undefined) quantityUnits.set(def.unitFrom, { unit: v.unit, at });
    } else {
      // Unknown names go on to the calculator, which refuses them with its own explanation
      // (e.g. why eGFR takes no `race`), so that explanation lives in one place.
      out.input[name] = isObject(raw) && 'value' in raw ? raw.value : raw;
    }
  });
  // A quantity's unit can stand in for its unit input (creatinine in umol/L), but never contradict it.
  for (const [unitInput, { unit, at }] of quantityUnits) {
    const given = out.input[unitInput];
    if (given === undefined) {
      out.input[unitInput] = unit;
      out.locations[unitInput] = `${at}.valueQuantity.code`;
    } else if (given !== unit) {
      issues.push(issue('value', `The quantity's unit ${unit} contradicts ${unitInput} ${String(given)}`, [`${at}.valueQuantity.code`, out.locations[unitInput]!]));
    }
  }
  if (issues.length > 0) throw invalid(issues, 400);
  return out;
}

function readControl(c: ControlParameter, key: string, raw: unknown, at: string, issues: OperationOutcomeIssue[]): unknown {
  if (c.type === 'boolean') {
    if (key === 'valueBoolean' && typeof raw === 'boolean') return raw;
    issues.push(issue('value', `${c.name} takes valueBoolean`, `${at}.${key}`));
    return undefined;
  }
  if ((key === 'valueDecimal' || key === 'valueInteger') && typeof raw === 'number' && Number.isFinite(raw)) return raw;
  issues.push(issue('value', `${c.name} takes valueDecimal`, `${at}.${key}`));
  return undefined;
}

function readInput(def: InputDefinition, key: string, raw: unknown, at: string, issues: OperationOutcomeIssue[]): { value: unknown; unit?: string } | undefined {
  const wrongType = (expected: string) => {
    issues.push(issue('value', `${def.name} takes ${expected}, not ${key}`, `${at}.${key}`));
    return undefined;
  };
  switch (def.type) {
    case 'boolean':
      if (key !== 'valueBoolean') return wrongType('valueBoolean');
      if (typeof raw !== 'boolean') return wrongType('a JSON true or false in valueBoolean');
      return { value: raw };
    case 'code':
      if (key !== 'valueCode') return wrongType('valueCode');
      if (typeof raw !== 'string') return wrongType('a string in valueCode');
      return { value: raw };
    case 'integer':
    case 'decimal': {
      const expected = def.type === 'integer' ? 'valueInteger' : 'valueDecimal';
      if (key === 'valueInteger' || key === 'valueDecimal') {
        if (typeof raw !== 'number' || !Number.isFinite(raw)) return wrongType(`a JSON number in ${key}`);
        if (key === 'valueInteger' && !Number.isInteger(raw)) return wrongType('a whole number in valueInteger');
        return { value: raw };
      }
      if (key !== 'valueQuantity') return wrongType(`${expected} or valueQuantity`);
      if (!isObject(raw) || typeof raw.value !== 'number' || !Number.isFinite(raw.value)) {
        issues.push(issue('value', `${def.name}: valueQuantity needs a numeric value`, `${at}.valueQuantity.value`));
        return undefined;
      }
      if (raw.comparator !== undefined) {
        issues.push(issue('value', `${def.name}: a value with a comparator (${String(raw.comparator)}) cannot be calculated with`, `${at}.valueQuantity.comparator`));
        return undefined;
      }
      if (raw.system !== undefined && raw.system !== UCUM_SYSTEM) {
        issues.push(issue('value', `${def.name}: the unit must be UCUM (${UCUM_SYSTEM})`, `${at}.valueQuantity.system`));
        return undefined;
      }
      const unit = quantityUnit(raw);
      if (def.unitFrom !== undefined) {
        const allowed = Object.keys(def.limitsByUnit ?? {});
        if (unit === undefined || !allowed.includes(unit)) {
          issues.push(issue('value', `${def.name}: the unit must be one of ${allowed.join(', ')}`, `${at}.valueQuantity.code`));
          return undefined;
        }
        return { value: raw.value, unit };
      }
      // No unit means the documented one, exactly as a valueDecimal would.
      if (unit !== undefined && unit !== def.unit) {
        issues.push(issue('value', `${def.name} must be in ${def.unit ?? 'no unit'}, not ${unit}`, `${at}.valueQuantity.code`));
        return undefined;
      }
      return { value: raw.value };
    }
  }
}

/**
 * Reads the inputs of a GET operation from its query, typed by the metadata (`spo2=96` is a
 * number, `onOxygen=false` a boolean). Malformed values are a 400 naming the query parameter.
 * https://hl7.org/fhir/R4/operations.html#request
 */
export function queryToInput(metadata: CalculatorMetadata, query: readonly (readonly [string, string])[], controls: readonly ControlParameter[] = []): ParsedInput {
  const out: ParsedInput = { input: {}, control: {}, locations: {} };
  const issues: OperationOutcomeIssue[] = [];
  for (const [name, text] of query) {
    if (name === '_format' || name === '_pretty') continue;
    if (Object.hasOwn(out.locations, name)) {
      issues.push(issue('structure', `${name} is given more than once`, name));
      continue;
    }
    out.locations[name] = name;
    const control = controls.find((c) => c.name === name);
    const type = control?.type ?? metadata.inputs.find((d) => d.name === name)?.type;
    const target = control ? out.control : out.input;
    if (type === 'integer' || type === 'decimal') {
      if (NUMBER_TEXT.test(text)) target[name] = Number(text);
      else issues.push(issue('value', `${name} must be a number, not '${text.slice(0, 20)}'`, name));
    } else if (type === 'boolean') {
      if (text === 'true' || text === 'false') target[name] = text === 'true';
      else issues.push(issue('value', `${name} must be true or false`, name));
    } else {
      target[name] = text;
    }
  }
  if (issues.length > 0) throw invalid(issues, 400);
  return out;
}

/** Calculator inputs as a `Parameters` resource (what a client sends to `$news2`). */
export function inputToParameters(metadata: CalculatorMetadata, input: Readonly<Record<string, unknown>>): Parameters {
  const parameter: ParametersParameter[] = [];
  for (const def of metadata.inputs) {
    const v = input[def.name];
    if (v !== undefined) parameter.push(valueParameter(def.name, inputValueType(def), v));
  }
  return { resourceType: 'Parameters', parameter };
}

function outputParameters(defs: readonly OutputDefinition[], result: Readonly<Record<string, unknown>>): ParametersParameter[] {
  const out: ParametersParameter[] = [];
  for (const def of defs) {
    const v = result[def.name];
    if (v === undefined) continue;
    if (def.type === 'part') {
      out.push({ name: def.name, part: outputParameters(def.parts ?? [], v as Record<string, unknown>) });
      continue;
    }
    const type = outputValueType(def)!;
    for (const item of def.repeats ? (v as unknown[]) : [v]) out.push(valueParameter(def.name, type, item, def.unit));
  }
  return out;
}

/** A calculator result as `Parameters.parameter` entries, in the metadata's output order. */
export function resultToParameters(metadata: CalculatorMetadata, result: unknown): ParametersParameter[] {
  if (!isObject(result)) throw new TypeError('A calculator result must be an object');
  return outputParameters(metadata.outputs, result);
}

function readOutputs(defs: readonly OutputDefinition[], params: readonly ParametersParameter[], path: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const def of defs) {
    const matching = params.filter((p) => p.name === def.name);
    if (matching.length === 0) continue;
    if (def.type === 'part') {
      out[def.name] = readOutputs(def.parts ?? [], matching[0]!.part ?? [], `${path}.where(name='${def.name}').part`);
      continue;
    }
    const type = outputValueType(def)!;
    const values = matching.map((p) => {
      const raw = p[VALUE_KEY[type]];
      if (raw === undefined) throw badRequest(`${def.name} must be a ${VALUE_KEY[type]}`, `${path}.where(name='${def.name}')`);
      return type === 'Quantity' ? (raw as Quantity).value : raw;
    });
    out[def.name] = def.repeats ? values : values[0];
  }
  return out;
}

/** The inverse of {@link resultToParameters}: a result object from an operation's response. */
export function parametersToResult(metadata: CalculatorMetadata, params: unknown): Record<string, unknown> {
  if (!isObject(params) || params.resourceType !== 'Parameters') throw badRequest('Expected a Parameters resource', 'Parameters');
  return readOutputs(metadata.outputs, (params.parameter as ParametersParameter[] | undefined) ?? [], 'Parameters.parameter');
}
