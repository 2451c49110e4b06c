/**
 * A calculator result as an Observation about the patient, for `store=true`: coded with a
 * published code where one exists with confidence (NEWS2 SNOMED CT UK concepts, LOINC for BMI and
 * CKD-EPI 2021 eGFR), otherwise with text only; `derivedFrom` the Observations used, and the
 * Patient and Conditions used as `workflow-supportingInfo` (Observation.derivedFrom cannot
 * reference a Condition in R4).
 *
 * @see https://hl7.org/fhir/R4/observation.html
 * @see https://hl7.org/fhir/R4/extension-workflow-supportinginfo.html
 */
import type { CalculatorMetadata, OutputDefinition } from '../../calculators/index.js';
import type { Resource } from '../../fhir/types.js';
import type { GatheredInputs } from './from-record.js';
import { outputValueType, UCUM_SYSTEM } from './parameters.js';
import { LOINC, SNOMED } from './record-codes.js';

const CATEGORY_SYSTEM = 'http://terminology.hl7.org/CodeSystem/observation-category';
const SUPPORTING_INFO = 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo';

interface Coding {
  system: string;
  code: string;
  display: string;
}
interface CodeableConcept {
  coding?: Coding[];
  text: string;
}

/** How one calculator's result is coded. */
interface ResultCoding {
  readonly category: 'survey' | 'laboratory' | 'vital-signs';
  /** The output that becomes Observation.value. */
  readonly valueOutput: string;
  readonly code: (result: Record<string, unknown>, input: Record<string, unknown>) => CodeableConcept;
  /** Codes for the parts of a `part` output, by part name. */
  readonly partCodes?: (input: Record<string, unknown>) => Readonly<Record<string, Coding>>;
}

const news2Part = (code: string, what: string): Coding =>
  ({ system: SNOMED, code, display: `Royal College of Physicians NEWS2 (National Early Warning Score 2) - ${what} score` });

const CODING: Readonly<Record<string, ResultCoding>> = {
  news2: {
    category: 'survey',
    valueOutput: 'score',
    code: () => ({
      coding: [{ system: SNOMED, code: '1104051000000101', display: 'Royal College of Physicians NEWS2 (National Early Warning Score 2) total score' }],
      text: 'NEWS2 score',
    }),
    partCodes: (input) => ({
      respiratoryRate: news2Part('1104301000000104', 'respiration rate'),
      spo2: input.spo2Scale === 2 ? news2Part('1104321000000108', 'oxygen saturation scale 2') : news2Part('1104311000000102', 'oxygen saturation scale 1'),
      onOxygen: news2Part('1104331000000105', 'air or oxygen'),
      systolicBP: news2Part('1104341000000101', 'systolic blood pressure'),
      heartRate: news2Part('1104351000000103', 'pulse'),
      consciousness: news2Part('1104361000000100', 'consciousness'),
      temperature: news2Part('1104371000000107', 'temperature'),
    }),
  },
  egfr: {
    category: 'laboratory',
    valueOutput: 'egfr',
    // LOINC 98979-8 is CKD-EPI 2021 specifically; the 2009 LOINC codes carry race variants that
    // NICE NG203 removed, so the 2009 result is described in text rather than mis-coded.
    code: (result) => ({
      ...(result.equation === 'ckd-epi-2021'
        ? { coding: [{ system: LOINC, code: '98979-8', display: 'Glomerular filtration rate/1.73 sq M.predicted [Volume Rate/Area] in Serum, Plasma or Blood by Creatinine-based formula (CKD-EPI 2021)' }] }
        : {}),
      text: `eGFR: ${String(result.equationLabel)}`,
    }),
  },
  bmi: {
    category: 'vital-signs',
    valueOutput: 'bmi',
    code: () => ({ coding: [{ system: LOINC, code: '39156-5', display: 'Body mass index (BMI) [Ratio]' }], text: 'BMI' }),
  },
  'cha2ds2-vasc': {
    category: 'survey',
    valueOutput: 'score',
    code: () => ({ text: 'CHA₂DS₂-VASc score' }),
  },
};

function componentValue(def: OutputDefinition, v: unknown): Record<string, unknown> {
  switch (outputValueType(def)) {
    case 'Quantity':
    case 'integer':
    case 'decimal':
      return def.unit !== undefined
        ? { valueQuantity: { value: v, unit: def.unit, system: UCUM_SYSTEM, code: def.unit } }
        : Number.isInteger(v) ? { valueInteger: v } : { valueQuantity: { value: v } };
    case 'boolean':
      return { valueBoolean: v };
    default:
      return { valueString: String(v) };
  }
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** The effective time: the instant of the inputs, the span when they differ, or now without any. */
function effectiveOf(gathered: GatheredInputs, now: Date): Record<string, unknown> {
  const times = unique(gathered.sources.filter((s) => s.sources.some((r) => r.startsWith('Observation/')) && s.effective).map((s) => s.effective!));
  if (times.length === 0) return { effectiveDateTime: now.toISOString() };
  if (times.length === 1) return { effectiveDateTime: times[0] };
  const sorted = [...times].sort((a, b) => Date.parse(a) - Date.parse(b));
  return { effectivePeriod: { start: sorted[0], end: sorted[sorted.length - 1] } };
}

/**
 * The Observation recording `result` for `Patient/{patientId}`, not yet stored.
 * https://hl7.org/fhir/R4/observation.html
 */
export function resultObservation(metadata: CalculatorMetadata, patientId: string, result: Record<string, unknown>, gathered: GatheredInputs, now: Date): Resource {
  const coding = CODING[metadata.name];
  if (!coding) throw new Error(`No Observation coding for calculator ${metadata.name}`);
  const partCodes = coding.partCodes?.(gathered.input) ?? {};
  const component: Record<string, unknown>[] = [];
  const notes: string[] = [];
  let value: Record<string, unknown> = {};
  for (const def of metadata.outputs) {
    const v = result[def.name];
    if (v === undefined) continue;
    if (def.name === coding.valueOutput) {
      value = componentValue(def, v);
    } else if (def.type === 'part') {
      for (const part of def.parts ?? []) {
        const pv = (v as Record<string, unknown>)[part.name];
        if (pv === undefined) continue;
        const code = partCodes[part.name];
        component.push({ code: code ? { coding: [code], text: code.display } : { text: `${metadata.name} ${def.name}: ${part.name}` }, ...componentValue(part, pv) });
      }
    } else if (def.repeats) {
      for (const item of v as unknown[]) notes.push(String(item));
    } else {
      component.push({ code: { text: `${metadata.name} ${def.name}` }, ...componentValue(def, v) });
    }
  }
  const refs = gathered.sources.flatMap((s) => s.sources);
  const derivedFrom = unique(refs.filter((r) => r.startsWith('Observation/')));
  const supporting = unique(refs.filter((r) => !r.startsWith('Observation/')));
  // A stored score must show which inputs did not come from the record, or it would look like
  // the record alone produced it.
  const notFromRecord = gathered.sources.filter((s) => s.origin !== 'record').map((s) => `${s.input} = ${String(s.value)} (${s.origin === 'request' ? 'given with the request' : 'default'})`);
  if (notFromRecord.length > 0) notes.push(`Inputs not read from the record: ${notFromRecord.join('; ')}.`);
  return {
    resourceType: 'Observation',
    ...(supporting.length > 0 ? { extension: supporting.map((reference) => ({ url: SUPPORTING_INFO, valueReference: { reference } })) } : {}),
    status: 'final',
    category: [{ coding: [{ system: CATEGORY_SYSTEM, code: coding.category }] }],
    code: coding.code(result, gathered.input),
    subject: { reference: `Patient/${patientId}` },
    ...effectiveOf(gathered, now),
    issued: now.toISOString(),
    ...value,
    ...(notes.length > 0 ? { note: notes.map((text) => ({ text })) } : {}),
    method: { text: `Calculated by Tessera: ${metadata.title}, implementation ${metadata.version} (${metadata.status}). ${metadata.source.citation}` },
    ...(derivedFrom.length > 0 ? { derivedFrom: derivedFrom.map((reference) => ({ reference })) } : {}),
    ...(component.length > 0 ? { component } : {}),
  };
}
