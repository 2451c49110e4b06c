/**
 * One OperationDefinition per calculator, generated from its metadata, so what the server
 * publishes is what it runs: parameter names, FHIR types, units, limits and allowed codes all
 * come from the calculator. Each definition covers the system-level operation (`POST /$news2`,
 * inputs given) and the instance-level one on Patient (`/Patient/{id}/$news2`, inputs read from
 * the record).
 *
 * @see https://hl7.org/fhir/R4/operationdefinition.html
 * @see https://hl7.org/fhir/R4/operations.html
 */
import type { CalculatorMetadata, InputDefinition, OutputDefinition } from '../../calculators/index.js';
import type { Resource } from '../../fhir/types.js';
import {
  BODY_MEASUREMENT_MAX_AGE_HOURS, CREATININE_MAX_AGE_HOURS, NEWS2_MAX_AGE_HOURS, NEWS2_MAX_AGE_HOURS_CEILING,
} from './from-record.js';
import { type ControlParameter, inputValueType, outputValueType } from './parameters.js';

/**
 * Default base of the canonical URLs. `.example` is reserved (RFC 2606): a deployment that
 * publishes its definitions passes its own base.
 */
export const CALCULATOR_CANONICAL_BASE = 'https://tessera.example/fhir';

/** What the CapabilityStatement lists for an operation (`rest.operation`). */
export interface CalculatorOperationListing {
  name: string;
  definition: string;
}

/** `store`: save the result as an Observation (instance level, POST only). */
export const STORE_PARAMETER: ControlParameter = Object.freeze({
  name: 'store',
  type: 'boolean',
  documentation:
    'Instance level only. When true, the result is saved as an Observation about the patient (derivedFrom the ' +
    'Observations used) and that Observation is the response (201). POST only: a GET must not change the record.',
});

/** `maxAgeHours`: the NEWS2 vital signs' age limit. */
export const MAX_AGE_HOURS_PARAMETER: ControlParameter = Object.freeze({
  name: 'maxAgeHours',
  type: 'decimal',
  documentation:
    `Instance level only. The oldest a vital sign may be, in hours: default ${NEWS2_MAX_AGE_HOURS}, at most ` +
    `${NEWS2_MAX_AGE_HOURS_CEILING}. NEWS2 scores one set of observations; older readings describe a different patient.`,
});

/** The operation's parameters that are not calculator inputs. */
export function controlParameters(name: string): readonly ControlParameter[] {
  return name === 'news2' ? [STORE_PARAMETER, MAX_AGE_HOURS_PARAMETER] : [STORE_PARAMETER];
}

/** The record-based age limits, stated in each definition's comment. */
const FRESHNESS: Readonly<Record<string, string>> = {
  news2: `Each vital sign must be at most ${NEWS2_MAX_AGE_HOURS} hours old (maxAgeHours may set 0–${NEWS2_MAX_AGE_HOURS_CEILING}). ` +
    'SpO₂ scale 2 is never inferred from the record: pass spo2Scale=2 when a clinician has prescribed an 88–92% target.',
  egfr: `The serum creatinine must be at most ${CREATININE_MAX_AGE_HOURS / 24} days old; age is taken at the sample time.`,
  bmi: `Weight and height must each be at most ${BODY_MEASUREMENT_MAX_AGE_HOURS / 24} days (2 years) old. ` +
    'Family background (ethnicity) is never inferred from the record: pass it to use the lower NICE thresholds.',
  'cha2ds2-vasc': 'Items come from confirmed SNOMED CT-coded Conditions: heart failure, hypertension and diabetes only while ' +
    'active; prior stroke/TIA/thromboembolism and vascular disease whatever their clinical status. Age is taken today.',
};

/** The definition's id: `calculator-news2`. */
export function operationDefinitionId(name: string): string {
  return `calculator-${name}`;
}

/** The definition's canonical URL. */
export function operationDefinitionUrl(name: string, canonicalBase = CALCULATOR_CANONICAL_BASE): string {
  return `${canonicalBase.replace(/\/$/, '')}/OperationDefinition/${operationDefinitionId(name)}`;
}

/** A computer-friendly name (`Cha2ds2Vasc`), as OperationDefinition.name asks for. */
function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}

function fmt(n: number): string {
  return String(Math.round(n * 10_000) / 10_000);
}

function inputDocumentation(def: InputDefinition): string {
  const parts = [def.description];
  if (def.unit !== undefined) parts.push(`Unit: ${def.unit} (UCUM); valueQuantity in that unit is also accepted.`);
  if (def.min !== undefined || def.max !== undefined) parts.push(`Accepted: ${fmt(def.min ?? -Infinity)}–${fmt(def.max ?? Infinity)} inclusive (422 outside).`);
  if (def.limitsByUnit) {
    const limits = Object.entries(def.limitsByUnit).map(([u, l]) => `${fmt(l.min)}–${fmt(l.max)} ${u}`).join(' or ');
    parts.push(`Accepted: ${limits} (422 outside); valueQuantity with one of these units sets ${def.unitFrom}.`);
  }
  if (def.values) parts.push(`One of: ${def.values.join(', ')}.`);
  if (def.default !== undefined) parts.push(`Default: ${String(def.default)}.`);
  parts.push(def.required
    ? 'Required at system level; at instance level read from the record unless given here (a given value wins).'
    : 'Optional.');
  return parts.join(' ');
}

interface OpParameter {
  name: string;
  /** Required on parts too (R4 `OperationDefinition.parameter.use` is 1..1 at every level). */
  use: 'in' | 'out';
  min: number;
  max: string;
  documentation: string;
  type?: string;
  part?: OpParameter[];
}

function outputParameter(def: OutputDefinition): OpParameter {
  const base: OpParameter = {
    name: def.name, use: 'out', min: def.repeats ? 0 : 1, max: def.repeats ? '*' : '1',
    documentation: [def.description, def.unit ? `Unit: ${def.unit} (UCUM).` : '', def.values ? `One of: ${def.values.join(', ')}.` : ''].filter(Boolean).join(' '),
  };
  if (def.type === 'part') return { ...base, part: (def.parts ?? []).map(outputParameter) };
  return { ...base, type: outputValueType(def)! };
}

/** The `input` out-parameter: where each input came from (instance level). */
function provenanceParameter(metadata: CalculatorMetadata): OpParameter {
  return {
    name: 'input', use: 'out', min: 0, max: '*',
    documentation:
      'Instance level: one per input, saying where it came from. Exactly one of the parts named after an input carries ' +
      'the value used (after unit conversion, and rounding to a whole number where the calculator takes one).',
    part: [
      ...metadata.inputs.map((d): OpParameter => ({ name: d.name, use: 'out', min: 0, max: '1', type: inputValueType(d), documentation: `The ${d.name} used.` })),
      { name: 'origin', use: 'out', min: 1, max: '1', type: 'code', documentation: 'record | request (given by the caller) | default (a documented default).' },
      { name: 'source', use: 'out', min: 0, max: '*', type: 'Reference', documentation: 'The Observation, Condition or Patient it was read from.' },
      { name: 'effective', use: 'out', min: 0, max: '1', type: 'dateTime', documentation: 'When it was recorded (the Observation\'s effective time); for age, the moment it is taken at.' },
      { name: 'ageHours', use: 'out', min: 0, max: '1', type: 'decimal', documentation: 'How old it was when calculated, hours.' },
      { name: 'maxAgeHours', use: 'out', min: 0, max: '1', type: 'decimal', documentation: 'The age limit it was checked against, hours.' },
      { name: 'recorded', use: 'out', min: 0, max: '1', type: 'string', documentation: 'What the record said (value and unit), or why a flag is false.' },
    ],
  };
}

/**
 * The OperationDefinition for a calculator.
 * https://hl7.org/fhir/R4/operationdefinition.html
 */
export function calculatorOperationDefinition(metadata: CalculatorMetadata, canonicalBase = CALCULATOR_CANONICAL_BASE): Resource {
  const sources = [metadata.source, ...metadata.additionalSources].map((s) => `- ${s.citation} <${s.url}>`).join('\n');
  const controls = controlParameters(metadata.name);
  return {
    resourceType: 'OperationDefinition',
    id: operationDefinitionId(metadata.name),
    url: operationDefinitionUrl(metadata.name, canonicalBase),
    version: metadata.version,
    name: pascal(metadata.name),
    title: metadata.title,
    status: metadata.status,
    kind: 'operation',
    // Draft until a clinical safety case signs the calculator off for use in care.
    experimental: metadata.status === 'draft',
    publisher: 'Tessera',
    jurisdiction: [{ coding: [{ system: 'urn:iso:std:iso:3166', code: 'GB', display: 'United Kingdom of Great Britain and Northern Ireland' }] }],
    description: `${metadata.intendedUse}\n\nSources:\n${sources}`,
    affectsState: false,
    code: metadata.name,
    comment: [
      `System level (\`POST [base]/$${metadata.name}\`, or GET with the inputs as query parameters): calculates from the inputs given.`,
      `Instance level (\`[base]/Patient/{id}/$${metadata.name}\`): reads the inputs from the patient's record, each from the ` +
        `latest qualifying entry, and reports where each came from in \`input\`. ${FRESHNESS[metadata.name] ?? ''} Missing or ` +
        'too-old inputs are refused with 422 naming the input; inputs given in the request win over the record.',
      'Values are checked against the limits below: malformed 400, implausible 422.',
      `Limitations:\n${metadata.limitations.map((l) => `- ${l}`).join('\n')}`,
    ].join('\n\n'),
    resource: ['Patient'],
    system: true,
    type: false,
    instance: true,
    parameter: [
      ...metadata.inputs.map((d): OpParameter => ({ name: d.name, use: 'in', min: 0, max: '1', type: inputValueType(d), documentation: inputDocumentation(d) })),
      ...controls.map((c): OpParameter => ({ name: c.name, use: 'in', min: 0, max: '1', type: c.type, documentation: c.documentation })),
      ...metadata.outputs.map(outputParameter),
      provenanceParameter(metadata),
      {
        name: 'return', use: 'out', min: 0, max: '1', type: 'Observation',
        documentation: 'With store=true only: the stored Observation, which is then the whole response body (https://hl7.org/fhir/R4/operations.html#response).',
      },
    ],
  };
}

/** The CapabilityStatement listing for a calculator's operation. */
export function calculatorOperationListing(metadata: CalculatorMetadata, canonicalBase = CALCULATOR_CANONICAL_BASE): CalculatorOperationListing {
  return { name: metadata.name, definition: operationDefinitionUrl(metadata.name, canonicalBase) };
}
