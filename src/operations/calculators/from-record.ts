/**
 * Gathers a calculator's inputs from a patient's record: the latest qualifying Observation for
 * each measured input, the Patient for age and sex, and Conditions for CHA₂DS₂-VASc. Each input
 * says where it came from, when it was recorded and how old it is; inputs older than their limit,
 * or absent, are refused with a 422 naming the input, all of them in one OperationOutcome.
 *
 * Freshness limits (hours), chosen so a score describes the patient as they are now:
 * - NEWS2 vital signs: 24 h by default ({@link NEWS2_MAX_AGE_HOURS}); `maxAgeHours` may change it
 *   within (0, 72] ({@link NEWS2_MAX_AGE_HOURS_CEILING}): NEWS2 scores one set of bedside
 *   observations, and a score built from days-old vitals would describe a different patient.
 * - Serum creatinine: 90 days ({@link CREATININE_MAX_AGE_HOURS}), the interval KDIGO and NICE NG203
 *   use to call a reduced eGFR chronic; an older value says little about kidney function today.
 * - Weight and height: 2 years (730 days, {@link BODY_MEASUREMENT_MAX_AGE_HOURS}).
 * - Conditions (CHA₂DS₂-VASc) have no age limit: the score counts history.
 *
 * Speed: one query per calculation (the store's `latestObservations`, a prepared statement):
 * the Patient, the few newest Observations per input code and, for CHA₂DS₂-VASc, the Conditions
 * with its codes; never the whole record. Only when every one of a code's newest readings is
 * unusable (entered in error, not performed, about someone else) is that code read again, deeper,
 * so the newest usable reading is always the one found. Time comes from the injected clock, so
 * tests are deterministic.
 *
 * @see https://hl7.org/fhir/R4/observation.html
 */
import type { CalculatorMetadata, CalculatorName } from '../../calculators/index.js';
import { invalid, issue, notFound, unprocessable } from '../../fhir/outcome.js';
import type { OperationOutcomeIssue } from '../../fhir/types.js';
import { isObject } from '../../fhir/types.js';
import { parseDateRange } from '../../search/date-range.js';
import type { FhirStore } from '../../store/fhir-store.js';
import type { LatestObservation } from '../../store/latest-observations.js';
import type { Visibility } from '../../store/access-sql.js';
import {
  ACVPU_ANSWERS, CHA2DS2_VASC_CONDITIONS, type Code, type ConditionItemName, CREATININE_CODES, HEIGHT_CODES,
  NEWS2_CODES, OXYGEN_ANSWERS, SNOMED, WEIGHT_CODES,
} from './record-codes.js';

/** Default age limit of NEWS2 vital signs, hours. */
export const NEWS2_MAX_AGE_HOURS = 24;
/** The most `maxAgeHours` may be for NEWS2, hours. */
export const NEWS2_MAX_AGE_HOURS_CEILING = 72;
/** Age limit of a serum creatinine for eGFR: 90 days, in hours. */
export const CREATININE_MAX_AGE_HOURS = 90 * 24;
/** Age limit of a weight or height for BMI: 2 years (730 days), in hours. */
export const BODY_MEASUREMENT_MAX_AGE_HOURS = 730 * 24;
/** NEWS2 is not validated under 16 (RCP 2017); children need a paediatric score (PEWS). */
export const NEWS2_MIN_AGE_YEARS = 16;

/**
 * What gathering reads: the store's one query for a patient's Patient, newest Observations per
 * code and Conditions by code (a principal-bound repository offering it fits too).
 */
export type RecordReader = Pick<FhirStore, 'latestObservations'>;

/** Where one input came from. */
export interface InputSource {
  readonly input: string;
  /** The value given to the calculator (after unit conversion and rounding). */
  readonly value: unknown;
  /** `record`: read from the record; `request`: supplied by the caller; `default`: a documented default. */
  readonly origin: 'record' | 'request' | 'default';
  /** Resources it was read from, e.g. `Observation/123`, `Patient/1`, `Condition/7`. */
  readonly sources: readonly string[];
  /** When it was recorded (the Observation's effective time), as recorded. */
  readonly effective?: string;
  /** Hours between `effective` and now, to 0.1 h. */
  readonly ageHours?: number;
  /** The age limit it was checked against, hours. */
  readonly maxAgeHours?: number;
  /** What the record said, e.g. `131.48 mm[Hg]`, or why a flag is false. */
  readonly recorded?: string;
}

/** A calculator's inputs and their provenance. */
export interface GatheredInputs {
  readonly input: Record<string, unknown>;
  readonly sources: readonly InputSource[];
}

/** Options for {@link gatherInputs}. */
export interface GatherOptions {
  /** The clock; read once, so every age is measured from the same instant. */
  readonly now: () => Date;
  /** Inputs the caller gave: these win over the record, and are not looked up. */
  readonly supplied?: Readonly<Record<string, unknown>>;
  /** NEWS2 only: the vital signs' age limit, in (0, {@link NEWS2_MAX_AGE_HOURS_CEILING}]. */
  readonly maxAgeHours?: number;
  /** What of the record the caller may see (default: everything); the rest is not read. */
  readonly visible?: Visibility;
}

const HOUR_MS = 3_600_000;
const UCUM = 'http://unitsofmeasure.org';

// ---------------------------------------------------------------------------------------------
// Reading values

type Units = Readonly<Record<string, (v: number) => number>>;
const same = (v: number) => v;
const PER_MINUTE: Units = { '/min': same, '{beats}/min': same, '{breaths}/min': same };
const PERCENT: Units = { '%': same };
const MM_HG: Units = { 'mm[Hg]': same };
const CELSIUS: Units = { Cel: same, '[degF]': (f) => ((f - 32) * 5) / 9 };
const KILOGRAMS: Units = { kg: same, g: (v) => v / 1000, '[lb_av]': (v) => v * 0.45359237 };
const METRES: Units = { m: same, cm: (v) => v / 100, mm: (v) => v / 1000, '[in_i]': (v) => v * 0.0254 };
const CREATININE_UNITS: Units = { 'umol/L': same, 'mg/dL': same };
const OXYGEN_FLOW: Units = { 'L/min': same };

/** Common non-UCUM spellings in `Quantity.unit`, mapped to UCUM; only used when `code` is absent. */
const UNIT_ALIASES: Readonly<Record<string, string>> = {
  mmHg: 'mm[Hg]', '°C': 'Cel', degC: 'Cel', '°F': '[degF]', degF: '[degF]', 'µmol/L': 'umol/L', 'μmol/L': 'umol/L',
  'beats/min': '/min', 'beats/minute': '/min', 'breaths/min': '/min', 'breaths/minute': '/min', lb: '[lb_av]', lbs: '[lb_av]',
  in: '[in_i]', 'l/min': 'L/min', 'L/min': 'L/min',
};

/** A usable reading, a reason the latest reading cannot be used, or `undefined` when it has no value. */
type Reading = Usable | { refuse: string } | undefined;

/** A usable value; `unit` is the UCUM unit it was read in, `extra` other inputs the same reading gives. */
interface Usable {
  value: number | boolean | string;
  recorded: string;
  unit?: string;
  extra?: Record<string, unknown>;
}

function hasValue(el: Record<string, unknown>): boolean {
  return Object.keys(el).some((k) => k.startsWith('value'));
}

function unitOf(q: Record<string, unknown>): string | undefined {
  if (typeof q.code === 'string' && (q.system === undefined || q.system === UCUM)) return q.code;
  return typeof q.unit === 'string' ? (UNIT_ALIASES[q.unit] ?? q.unit) : undefined;
}

/** A Quantity in one of `units`, converted; rounded half up to a whole number when `whole` (as charted). */
function readQuantity(el: Record<string, unknown>, units: Units, whole: boolean): Reading {
  const q = el.valueQuantity;
  if (!isObject(q)) return hasValue(el) ? { refuse: 'the value is not a Quantity' } : undefined;
  if (typeof q.value !== 'number' || !Number.isFinite(q.value)) return undefined;
  const unitText = typeof q.unit === 'string' ? q.unit : typeof q.code === 'string' ? q.code : '';
  const recorded = `${q.value}${unitText ? ` ${unitText}` : ''}`;
  if (typeof q.comparator === 'string') return { refuse: `it was recorded as ${q.comparator}${q.value}, which cannot be scored` };
  const unit = unitOf(q);
  if (unit === undefined) return { refuse: `it was recorded without a unit (${recorded})` };
  const convert = units[unit];
  if (!convert) return { refuse: `it was recorded in ${unit}, and Tessera reads only ${Object.keys(units).join(', ')}` };
  // A converted value keeps 4 decimals, so 100.4 °F reads as 38 °C rather than 37.99999999999999.
  const converted = convert === same ? q.value : Math.round(convert(q.value) * 10_000) / 10_000;
  // Values here are positive, where Math.round is round-half-up, as a chart would record them.
  return { value: whole ? Math.round(converted) : converted, recorded, unit };
}

function codingsOf(cc: unknown): string[] {
  if (!isObject(cc) || !Array.isArray(cc.coding)) return [];
  return cc.coding.filter(isObject).map((c) => `${String(c.system)}|${String(c.code)}`);
}

function readConsciousness(el: Record<string, unknown>): Reading {
  if (!isObject(el.valueCodeableConcept)) return hasValue(el) ? { refuse: 'the value is not a coded ACVPU answer' } : undefined;
  const codings = codingsOf(el.valueCodeableConcept);
  const levels = new Set(codings.map((c) => ACVPU_ANSWERS.get(c)).filter((l) => l !== undefined));
  if (levels.size === 0) return { refuse: `it is coded ${codings.join(', ') || 'without a coding'}, which is not an ACVPU answer Tessera knows` };
  if (levels.size > 1) return { refuse: `its codings contradict each other (${[...levels].join(' and ')})` };
  const level = [...levels][0]!;
  return { value: level, recorded: codings.join(', ') };
}

/** Air or oxygen, from a flow (> 0 L/min), an inspired concentration (> 21%), a yes/no or a coded answer. */
function readOxygen(el: Record<string, unknown>): Reading {
  if (typeof el.valueBoolean === 'boolean') return { value: el.valueBoolean, recorded: String(el.valueBoolean) };
  if (isObject(el.valueCodeableConcept)) {
    const codings = codingsOf(el.valueCodeableConcept);
    const answers = new Set(codings.map((c) => OXYGEN_ANSWERS.get(c)).filter((a) => a !== undefined));
    if (answers.size !== 1) return { refuse: `it is coded ${codings.join(', ') || 'without a coding'}, which does not say air or oxygen` };
    return { value: [...answers][0]!, recorded: codings.join(', ') };
  }
  if (isObject(el.valueQuantity)) {
    const unit = unitOf(el.valueQuantity);
    if (unit === '%' || unit === '1') {
      const r = readQuantity(el, { '%': same, '1': (v) => v * 100 }, false);
      // 21% is room air; anything above it is supplemental oxygen.
      return r && 'value' in r ? { value: (r.value as number) > 21, recorded: r.recorded } : r;
    }
    const r = readQuantity(el, OXYGEN_FLOW, false);
    return r && 'value' in r ? { value: (r.value as number) > 0, recorded: r.recorded } : r;
  }
  return hasValue(el) ? { refuse: 'its value does not say air or oxygen' } : undefined;
}

function readCreatinine(el: Record<string, unknown>): Reading {
  const r = readQuantity(el, CREATININE_UNITS, false);
  if (!r || !('value' in r)) return r;
  // The unit is read from the value, never assumed from the LOINC code.
  return { value: r.value, recorded: r.recorded, extra: { creatinineUnit: r.unit } };
}

// ---------------------------------------------------------------------------------------------
// Finding the latest Observation

/** How one input is found in Observations. */
interface ObservationRule {
  readonly input: string;
  readonly label: string;
  /** Codes of the Observation or of one of its components (systolic inside a BP panel, O₂ flow inside SpO₂). */
  readonly codes: readonly Code[];
  readonly maxAgeHours: number;
  readonly read: (el: Record<string, unknown>) => Reading;
}

type Finding =
  | { kind: 'found'; value: unknown; recorded: string; extra?: Record<string, unknown>; reference: string; effective: string; time: number }
  | { kind: 'refused'; reason: string; reference: string; effective: string; time: number }
  | { kind: 'missing' };

function effectiveOf(obs: Record<string, unknown>): { effective: string; time: number } | undefined {
  // For a partial date or a period, take the earliest instant it allows: a reading's age is
  // never understated.
  const at = (text: unknown) => {
    if (typeof text !== 'string') return undefined;
    const r = parseDateRange(text);
    return r ? { effective: text, time: r.start } : undefined;
  };
  if (obs.effectiveDateTime !== undefined) return at(obs.effectiveDateTime);
  if (obs.effectiveInstant !== undefined) return at(obs.effectiveInstant);
  if (isObject(obs.effectivePeriod)) return at(obs.effectivePeriod.end ?? obs.effectivePeriod.start);
  return undefined;
}

/** The Observation itself when its code matches, else its first matching component. */
function matchingElement(obs: Record<string, unknown>, codes: ReadonlySet<string>): Record<string, unknown> | undefined {
  if (codingsOf(obs.code).some((c) => codes.has(c))) return obs;
  if (!Array.isArray(obs.component)) return undefined;
  return obs.component.find((c): c is Record<string, unknown> => isObject(c) && codingsOf(c.code).some((k) => codes.has(k)));
}

const keyOf = (c: Code) => `${c.system}|${c.code}`;
const tokens = (codes: readonly Code[]) => [...new Set(codes.map(keyOf))].join(',');
const uniqueCodes = (codes: readonly Code[]): Code[] => [...new Map(codes.map((c) => [keyOf(c), c])).values()];

/** Registered and preliminary results are not yet results; cancelled and entered-in-error never were. */
const RESULT_STATUSES = new Set(['final', 'amended', 'corrected']);

/**
 * Observations read per code at first. The newest reading is nearly always the one used; a few
 * more cover an entered-in-error or "not performed" reading without a second round trip.
 */
const FIRST_PER_CODE = 5;
/** How much deeper each further read goes, when a code's readings ran out before a usable one. */
const DEEPER = 20;
/** Far more Conditions with these codes than a record holds; see the refusal in CHA₂DS₂-VASc. */
const CONDITION_PAGE = 200;

/** True when `resource` is about `Patient/{patientId}` (`subject`), not merely in its compartment. */
function isAbout(resource: Record<string, unknown>, patientId: string): boolean {
  // The compartment also holds resources the patient performed or asserted about someone else.
  const subject = `Patient/${patientId}`;
  const ref = isObject(resource.subject) ? resource.subject.reference : undefined;
  return typeof ref === 'string' && (ref === subject || ref.endsWith(`/${subject}`));
}

/**
 * The first usable reading per rule among `rows` (newest first, as the store returns them).
 * Subject, status and "not after now" are checked here rather than in SQL, so the query stays
 * one fixed statement. A rule whose codes' rows ran out (`truncated`) before a usable reading is
 * returned in `cutShort`: older readings exist that were not read.
 */
function pick(rows: readonly LatestObservation[], rules: readonly ObservationRule[], patientId: string, now: Date) {
  const codeSets = rules.map((r) => new Set(r.codes.map(keyOf)));
  const open = new Set(rules.keys());
  const findings = new Map<string, Finding>();
  const cutShort: ObservationRule[] = [];
  for (const row of rows) {
    if (open.size === 0) break;
    // While a rule is open, every row matching it is among its codes' newest, so `codes` says
    // whether the row is worth parsing.
    const relevant = [...open].filter((i) => row.codes.some((c) => codeSets[i]!.has(c)));
    if (relevant.length > 0) {
      const obs = JSON.parse(row.json) as Record<string, unknown>;
      const when = effectiveOf(obs);
      if (isAbout(obs, patientId) && typeof obs.status === 'string' && RESULT_STATUSES.has(obs.status) && when && when.time <= now.getTime()) {
        for (const i of relevant) {
          const rule = rules[i]!;
          const el = matchingElement(obs, codeSets[i]!);
          if (!el) continue;
          const reading = rule.read(el);
          // No value (e.g. dataAbsentReason "not performed"): the latest *measurement* is older, so look on.
          if (reading === undefined) continue;
          const reference = `Observation/${row.id}`;
          findings.set(rule.input, 'refuse' in reading
            ? { kind: 'refused', reason: reading.refuse, reference, ...when }
            : { kind: 'found', value: reading.value, recorded: reading.recorded, ...(reading.extra ? { extra: reading.extra } : {}), reference, ...when });
          open.delete(i);
        }
      }
    }
    for (const code of row.truncated) {
      for (const i of open) {
        if (!codeSets[i]!.has(code)) continue;
        open.delete(i);
        cutShort.push(rules[i]!);
      }
    }
  }
  return { findings, cutShort };
}

/** What one calculation reads from the record. */
interface RecordRead {
  readonly patient: PatientFacts;
  /** The newest usable reading per rule; a rule with none is absent. */
  readonly findings: Map<string, Finding>;
  readonly conditions: readonly { readonly id: string; readonly json: string }[];
}

/**
 * The Patient, the newest usable reading per rule (recorded no later than `now`, whatever its
 * age: a reading too old is reported as such, not as missing), and the Conditions with
 * `conditionCodes`, in one query. Only when a code's newest readings are all unusable is it read
 * again, deeper.
 */
async function readRecord(ctx: Context, rules: readonly ObservationRule[], conditionCodes: readonly Code[] = []): Promise<RecordRead> {
  const { store, patientId, now } = ctx;
  const visible = ctx.visible ? { visible: ctx.visible } : {};
  const first = await store.latestObservations({
    ...visible, patientId, observationCodes: uniqueCodes(rules.flatMap((r) => r.codes)), perCode: FIRST_PER_CODE,
    conditionCodes: uniqueCodes(conditionCodes), conditionLimit: conditionCodes.length > 0 ? CONDITION_PAGE + 1 : 0,
  });
  const patient = patientFacts(patientId, first.patient);
  const findings = new Map<string, Finding>();
  let result = pick(first.observations, rules, patientId, now);
  for (let perCode = FIRST_PER_CODE * DEEPER; ; perCode *= DEEPER) {
    for (const [k, v] of result.findings) findings.set(k, v);
    const pending = result.cutShort;
    if (pending.length === 0) break;
    const deeper = await store.latestObservations({
      ...visible, patientId, observationCodes: uniqueCodes(pending.flatMap((r) => r.codes)), perCode, conditionCodes: [], conditionLimit: 0,
    });
    result = pick(deeper.observations, pending, patientId, now);
  }
  return { patient, findings, conditions: first.conditions };
}

// ---------------------------------------------------------------------------------------------
// The Patient

interface PatientFacts {
  readonly reference: string;
  readonly birthDate?: string;
  readonly gender?: string;
}

function patientFacts(id: string, current: { json: string } | undefined): PatientFacts {
  // A deleted patient answers like an unknown one, so the operation does not reveal either.
  if (!current) throw notFound(`Patient/${id} is not known`);
  const p = JSON.parse(current.json) as Record<string, unknown>;
  if (p.deceasedBoolean === true || typeof p.deceasedDateTime === 'string') {
    throw unprocessable(`Patient/${id} is recorded as deceased; no score is calculated from the record`, 'Patient.deceased');
  }
  return {
    reference: `Patient/${id}`,
    ...(typeof p.birthDate === 'string' ? { birthDate: p.birthDate } : {}),
    ...(typeof p.gender === 'string' ? { gender: p.gender } : {}),
  };
}

/**
 * Age in completed years on the UTC date of `at`, or `undefined` unless `birthDate` is a full
 * date: a birth year alone could put a patient on either side of an age band (65, 75).
 * Someone born on 29 February turns a year older on 1 March in other years.
 */
export function ageInYears(birthDate: string, at: Date): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let age = at.getUTCFullYear() - y;
  const month = at.getUTCMonth() + 1;
  if (month < mo || (month === mo && at.getUTCDate() < d)) age--;
  return age;
}

// ---------------------------------------------------------------------------------------------
// Collecting inputs and issues

class Collector {
  readonly input: Record<string, unknown> = {};
  readonly sources: InputSource[] = [];
  readonly issues: OperationOutcomeIssue[] = [];

  constructor(private readonly now: Date, private readonly supplied: Readonly<Record<string, unknown>>) {
    // Everything the caller gave wins and is recorded as theirs, including names the calculator
    // does not know (it will refuse them, naming them).
    for (const [name, value] of Object.entries(supplied)) {
      this.input[name] = value;
      this.sources.push({ input: name, value, origin: 'request', sources: [] });
    }
  }

  has(name: string): boolean {
    return Object.hasOwn(this.supplied, name);
  }

  set(source: InputSource): void {
    if (this.has(source.input)) return;
    this.input[source.input] = source.value;
    this.sources.push(source);
  }

  fail(name: string, code: 'required' | 'business-rule' | 'value', diagnostics: string): void {
    this.issues.push(issue(code, diagnostics, name));
  }

  /** Applies an Observation finding: the value, or a refusal (missing, stale or unusable). */
  observation(rule: ObservationRule, finding: Finding | undefined): void {
    if (finding === undefined || this.has(rule.input)) return;
    if (finding.kind === 'missing') {
      this.fail(rule.input, 'required', `No ${rule.label} is recorded for this patient (looked for ${tokens(rule.codes)}); record one or supply ${rule.input}`);
      return;
    }
    const exactAgeHours = (this.now.getTime() - finding.time) / HOUR_MS;
    const ageHours = Math.round(exactAgeHours * 10) / 10;
    if (finding.kind === 'refused') {
      this.fail(rule.input, 'value', `The latest ${rule.label} (${finding.reference}, ${finding.effective}) cannot be used: ${finding.reason}`);
      return;
    }
    if (exactAgeHours > rule.maxAgeHours) {
      this.fail(rule.input, 'business-rule',
        `The latest ${rule.label} (${finding.reference}, ${finding.effective}) is ${ageHours} hours old; the limit is ${rule.maxAgeHours} hours. Record a new one or supply ${rule.input}`);
      return;
    }
    const base = { origin: 'record' as const, sources: [finding.reference], effective: finding.effective, ageHours, maxAgeHours: rule.maxAgeHours, recorded: finding.recorded };
    this.set({ input: rule.input, value: finding.value, ...base });
    for (const [name, value] of Object.entries(finding.extra ?? {})) {
      // A given unit must not be paired with a recorded value in another unit.
      if (this.has(name) && this.supplied[name] !== value) {
        this.fail(name, 'value', `${name} is given as ${String(this.supplied[name])}, but the recorded ${rule.label} (${finding.reference}) is in ${String(value)}; give both or neither`);
      }
      this.set({ input: name, value, ...base });
    }
  }

  /** Age in completed years at `at`, from Patient.birthDate. */
  age(patient: PatientFacts, at: Date, required: boolean): void {
    if (this.has('age')) return;
    const age = patient.birthDate !== undefined ? ageInYears(patient.birthDate, at) : undefined;
    if (age === undefined) {
      if (required) {
        this.fail('age', 'required', patient.birthDate === undefined
          ? `${patient.reference} has no birthDate; supply age`
          : `${patient.reference} has birthDate ${patient.birthDate}, not a full date, so age is uncertain; supply age`);
      }
      return;
    }
    this.set({ input: 'age', value: age, origin: 'record', sources: [patient.reference], effective: at.toISOString(), recorded: `birthDate ${patient.birthDate}` });
  }

  /** Sex for the equations and scores that use it, from Patient.gender (male or female only). */
  sex(patient: PatientFacts): void {
    if (this.has('sex')) return;
    if (patient.gender !== 'male' && patient.gender !== 'female') {
      this.fail('sex', 'required', `${patient.reference} has gender ${patient.gender ?? '(none)'}; the calculation needs male or female, so supply sex`);
      return;
    }
    this.set({ input: 'sex', value: patient.gender, origin: 'record', sources: [patient.reference], recorded: `gender ${patient.gender}` });
  }

  /** Sources in the calculator's input order, then anything else the caller supplied. */
  result(metadata: CalculatorMetadata): GatheredInputs {
    if (this.issues.length > 0) throw invalid(this.issues, 422);
    const order = new Map(metadata.inputs.map((d, i) => [d.name, i]));
    for (const def of metadata.inputs) {
      if (def.default !== undefined && !Object.hasOwn(this.input, def.name)) {
        this.sources.push({ input: def.name, value: def.default, origin: 'default', sources: [] });
      }
    }
    const rank = (s: InputSource) => order.get(s.input) ?? order.size;
    return { input: this.input, sources: [...this.sources].sort((a, b) => rank(a) - rank(b)) };
  }
}

// ---------------------------------------------------------------------------------------------
// Per calculator

const rule = (input: string, label: string, codes: readonly Code[], maxAgeHours: number, read: ObservationRule['read']): ObservationRule =>
  ({ input, label, codes, maxAgeHours, read });

function news2Rules(maxAgeHours: number): ObservationRule[] {
  return [
    rule('respiratoryRate', 'respiratory rate', NEWS2_CODES.respiratoryRate, maxAgeHours, (el) => readQuantity(el, PER_MINUTE, true)),
    rule('spo2', 'oxygen saturation', NEWS2_CODES.spo2, maxAgeHours, (el) => readQuantity(el, PERCENT, true)),
    rule('onOxygen', 'air or oxygen record (O₂ flow, inspired O₂ or "on oxygen")', NEWS2_CODES.onOxygen, maxAgeHours, readOxygen),
    rule('systolicBP', 'systolic blood pressure', NEWS2_CODES.systolicBP, maxAgeHours, (el) => readQuantity(el, MM_HG, true)),
    rule('heartRate', 'heart rate', NEWS2_CODES.heartRate, maxAgeHours, (el) => readQuantity(el, PER_MINUTE, true)),
    rule('consciousness', 'level of consciousness (ACVPU)', NEWS2_CODES.consciousness, maxAgeHours, readConsciousness),
    rule('temperature', 'temperature', NEWS2_CODES.temperature, maxAgeHours, (el) => readQuantity(el, CELSIUS, false)),
  ];
}

const CREATININE_RULE = rule('creatinine', 'serum creatinine', CREATININE_CODES, CREATININE_MAX_AGE_HOURS, readCreatinine);
const WEIGHT_RULE = rule('weightKg', 'body weight', WEIGHT_CODES, BODY_MEASUREMENT_MAX_AGE_HOURS, (el) => readQuantity(el, KILOGRAMS, false));
const HEIGHT_RULE = rule('heightM', 'body height', HEIGHT_CODES, BODY_MEASUREMENT_MAX_AGE_HOURS, (el) => readQuantity(el, METRES, false));

interface Context {
  readonly store: RecordReader;
  readonly visible: Visibility | undefined;
  readonly patientId: string;
  readonly now: Date;
  readonly c: Collector;
  readonly maxAgeHours: number | undefined;
}

/** Looks up the rules the caller did not supply, with the Patient, in one read of the record. */
async function lookUp(ctx: Context, rules: readonly ObservationRule[]): Promise<[PatientFacts, (Finding | undefined)[]]> {
  const wanted = rules.filter((r) => !ctx.c.has(r.input));
  const { patient, findings } = await readRecord(ctx, wanted);
  return [patient, rules.map((r) => (ctx.c.has(r.input) ? undefined : (findings.get(r.input) ?? { kind: 'missing' })))];
}

async function news2FromRecord(ctx: Context): Promise<void> {
  const rules = news2Rules(ctx.maxAgeHours ?? NEWS2_MAX_AGE_HOURS);
  const [patient, findings] = await lookUp(ctx, rules);
  const age = patient.birthDate !== undefined ? ageInYears(patient.birthDate, ctx.now) : undefined;
  if (age !== undefined && age < NEWS2_MIN_AGE_YEARS) {
    throw unprocessable(`NEWS2 is not validated for under-16s (${patient.reference} is ${age}); use a paediatric early warning score`, 'Patient.birthDate');
  }
  rules.forEach((r, i) => ctx.c.observation(r, findings[i]));
  // Scale 2 needs a clinician's prescribed 88–92% target, which the record does not carry, so it
  // is never inferred: the caller must ask for it.
  ctx.c.set({ input: 'spo2Scale', value: 1, origin: 'default', sources: [] });
}

async function egfrFromRecord(ctx: Context): Promise<void> {
  const [patient, [creatinine]] = await lookUp(ctx, [CREATININE_RULE]);
  ctx.c.observation(CREATININE_RULE, creatinine);
  // Age at the sample, as a laboratory reports eGFR.
  const at = creatinine?.kind === 'found' ? new Date(creatinine.time) : ctx.now;
  ctx.c.age(patient, at, true);
  ctx.c.sex(patient);
}

async function bmiFromRecord(ctx: Context): Promise<void> {
  const [patient, [weight, height]] = await lookUp(ctx, [WEIGHT_RULE, HEIGHT_RULE]);
  ctx.c.observation(WEIGHT_RULE, weight);
  ctx.c.observation(HEIGHT_RULE, height);
  // Age is optional for BMI, but when known it lets the calculator refuse a child (UK90 centiles).
  ctx.c.age(patient, weight?.kind === 'found' ? new Date(weight.time) : ctx.now, false);
  // Family background is never inferred from recorded ethnicity codes: NICE's groups do not map
  // one-to-one onto them, so the general thresholds apply unless the caller supplies `ethnicity`.
}

const ACTIVE = new Set(['active', 'recurrence', 'relapse']);

function statusOf(cc: unknown): string | undefined {
  if (!isObject(cc) || !Array.isArray(cc.coding)) return undefined;
  const c = cc.coding.find(isObject);
  return typeof c?.code === 'string' ? c.code : undefined;
}

async function cha2ds2VascFromRecord(ctx: Context): Promise<void> {
  const items = Object.entries(CHA2DS2_VASC_CONDITIONS) as [ConditionItemName, (typeof CHA2DS2_VASC_CONDITIONS)[ConditionItemName]][];
  const wanted = items.filter(([name]) => !ctx.c.has(name));
  const conditionCodes = wanted.flatMap(([, item]) => item.codes.map((code) => ({ system: SNOMED, code })));
  const { patient, conditions } = await readRecord(ctx, [], conditionCodes);
  // A missed Condition would lower the score, so an unread remainder is refused, not ignored.
  if (conditions.length > CONDITION_PAGE) {
    throw unprocessable(`More than ${CONDITION_PAGE} matching Conditions are recorded; supply the CHA₂DS₂-VASc items in the request`, wanted.map(([name]) => name));
  }
  const counted = new Map<ConditionItemName, string[]>(wanted.map(([name]) => [name, []]));
  const notCounted = new Map<ConditionItemName, string[]>(wanted.map(([name]) => [name, []]));
  for (const m of conditions) {
    const cond = JSON.parse(m.json) as Record<string, unknown>;
    if (!isAbout(cond, ctx.patientId)) continue;
    const codes = new Set(codingsOf(cond.code));
    const clinical = statusOf(cond.clinicalStatus);
    const verification = statusOf(cond.verificationStatus);
    for (const [name, item] of wanted) {
      if (!item.codes.some((code) => codes.has(`${SNOMED}|${code}`))) continue;
      const ref = `Condition/${m.id}`;
      if (verification === 'entered-in-error' || verification === 'refuted') continue;
      // Provisional, differential and unconfirmed diagnoses are shown but not scored: an
      // anticoagulation decision should rest on established diagnoses.
      if (verification !== undefined && verification !== 'confirmed') notCounted.get(name)!.push(`${ref} (${verification})`);
      else if (!item.history && clinical !== undefined && !ACTIVE.has(clinical)) notCounted.get(name)!.push(`${ref} (${clinical})`);
      else counted.get(name)!.push(ref);
    }
  }
  for (const [name, item] of wanted) {
    const refs = counted.get(name)!;
    const skipped = notCounted.get(name)!;
    const recorded = refs.length > 0
      ? `${item.label} recorded`
      : `no ${item.history ? '' : 'active, '}confirmed ${item.label} among the coded Conditions`;
    ctx.c.set({
      input: name, value: refs.length > 0, origin: 'record', sources: refs,
      recorded: skipped.length > 0 ? `${recorded}; not counted: ${skipped.join(', ')}` : recorded,
    });
  }
  ctx.c.age(patient, ctx.now, true);
  ctx.c.sex(patient);
}

const GATHERERS: Record<CalculatorName, (ctx: Context) => Promise<void>> = {
  news2: news2FromRecord,
  egfr: egfrFromRecord,
  bmi: bmiFromRecord,
  'cha2ds2-vasc': cha2ds2VascFromRecord,
};

/**
 * Gathers `metadata.name`'s inputs for `Patient/{patientId}` from the record. Throws 404 when
 * the patient is unknown (or deleted), and 422 listing every input that is missing, too old or
 * unusable (each issue's `expression` is the input's name).
 */
export async function gatherInputs(store: RecordReader, metadata: CalculatorMetadata, patientId: string, opts: GatherOptions): Promise<GatheredInputs> {
  const gather = Object.hasOwn(GATHERERS, metadata.name) ? GATHERERS[metadata.name as CalculatorName] : undefined;
  if (!gather) throw notFound(`There is no record-based ${metadata.name}`);
  const now = opts.now();
  const c = new Collector(now, opts.supplied ?? {});
  await gather({ store, visible: opts.visible, patientId, now, c, maxAgeHours: opts.maxAgeHours });
  return c.result(metadata);
}
