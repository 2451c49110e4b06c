/**
 * The common analytes and measurements, the codes different systems use for them, and a small
 * UCUM conversion table, so results from every source can be drawn on one chart in one unit
 * (e.g. HbA1c reported as % by one laboratory and mmol/mol by another; cholesterol in mg/dL
 * from US-style systems and mmol/L from UK ones). Pure.
 *
 * @see https://ucum.org/ucum (unit codes)
 * @see https://www.ifcchba1c.org (IFCC–NGSP master equation: IFCC = (NGSP − 2.15) × 10.929)
 */

/** One analyte: its codes and how each unit converts to the canonical one. */
export interface Analyte {
  key: string;
  /** The everyday name. */
  name: string;
  /** LOINC codes that report it. */
  codes: readonly string[];
  /** Canonical UCUM unit and how people read it. */
  unit: string;
  unitText: string;
  /** UCUM unit (lower-cased) → conversion to the canonical unit. */
  from: Readonly<Record<string, (v: number) => number>>;
  decimals: number;
}

const same = (v: number) => v;
const mgdl = (factor: number) => (v: number) => v / factor;

/** The table. Conversion factors: cholesterol 38.67 mg/dL per mmol/L, triglycerides 88.57, glucose 18.016, creatinine 88.42 µmol/L per mg/dL. */
export const ANALYTES: readonly Analyte[] = [
  { key: 'hba1c', name: 'HbA1c (average blood sugar)', codes: ['59261-8', '4548-4', '17856-6', '4549-2'], unit: 'mmol/mol', unitText: 'mmol/mol', decimals: 0,
    from: { 'mmol/mol': same, '%': (v) => (v - 2.15) * 10.929 } },
  { key: 'glucose', name: 'Blood sugar (glucose)', codes: ['2339-0', '2345-7', '15074-8', '14749-6'], unit: 'mmol/L', unitText: 'mmol/L', decimals: 1,
    from: { 'mmol/l': same, 'mg/dl': mgdl(18.016) } },
  { key: 'creatinine', name: 'Creatinine', codes: ['14682-9', '2160-0', '38483-4'], unit: 'umol/L', unitText: 'µmol/L', decimals: 0,
    from: { 'umol/l': same, 'mg/dl': (v) => v * 88.42 } },
  { key: 'egfr', name: 'eGFR (kidney function)', codes: ['62238-1', '33914-3', '69405-9', '98979-8', '48642-3', '48643-1'], unit: 'mL/min/{1.73_m2}', unitText: 'mL/min/1.73m²', decimals: 0,
    from: { 'ml/min/{1.73_m2}': same, 'ml/min/1.73m2': same, 'ml/min': same } },
  { key: 'cholesterol', name: 'Total cholesterol', codes: ['14647-2', '2093-3'], unit: 'mmol/L', unitText: 'mmol/L', decimals: 1, from: { 'mmol/l': same, 'mg/dl': mgdl(38.67) } },
  { key: 'hdl', name: 'HDL ("good") cholesterol', codes: ['14646-4', '2085-9'], unit: 'mmol/L', unitText: 'mmol/L', decimals: 1, from: { 'mmol/l': same, 'mg/dl': mgdl(38.67) } },
  { key: 'ldl', name: 'LDL cholesterol', codes: ['22748-8', '18262-6', '13457-7', '2089-1'], unit: 'mmol/L', unitText: 'mmol/L', decimals: 1, from: { 'mmol/l': same, 'mg/dl': mgdl(38.67) } },
  { key: 'triglycerides', name: 'Triglycerides', codes: ['14927-8', '2571-8'], unit: 'mmol/L', unitText: 'mmol/L', decimals: 1, from: { 'mmol/l': same, 'mg/dl': mgdl(88.57) } },
  { key: 'sodium', name: 'Sodium', codes: ['2951-2', '2947-0'], unit: 'mmol/L', unitText: 'mmol/L', decimals: 0, from: { 'mmol/l': same, 'meq/l': same } },
  { key: 'potassium', name: 'Potassium', codes: ['2823-3', '6298-4'], unit: 'mmol/L', unitText: 'mmol/L', decimals: 1, from: { 'mmol/l': same, 'meq/l': same } },
  { key: 'haemoglobin', name: 'Haemoglobin', codes: ['718-7', '20509-6'], unit: 'g/L', unitText: 'g/L', decimals: 0, from: { 'g/l': same, 'g/dl': (v) => v * 10 } },
  { key: 'systolic', name: 'Blood pressure (top number)', codes: ['8480-6'], unit: 'mm[Hg]', unitText: 'mmHg', decimals: 0, from: { 'mm[hg]': same, mmhg: same } },
  { key: 'diastolic', name: 'Blood pressure (bottom number)', codes: ['8462-4'], unit: 'mm[Hg]', unitText: 'mmHg', decimals: 0, from: { 'mm[hg]': same, mmhg: same } },
  { key: 'weight', name: 'Weight', codes: ['29463-7', '3141-9'], unit: 'kg', unitText: 'kg', decimals: 1, from: { kg: same, '[lb_av]': (v) => v * 0.45359237, g: (v) => v / 1000 } },
  { key: 'height', name: 'Height', codes: ['8302-2', '8306-3'], unit: 'cm', unitText: 'cm', decimals: 0, from: { cm: same, '[in_i]': (v) => v * 2.54, m: (v) => v * 100 } },
  { key: 'bmi', name: 'BMI (body mass index)', codes: ['39156-5'], unit: 'kg/m2', unitText: 'kg/m²', decimals: 1, from: { 'kg/m2': same } },
  { key: 'heart-rate', name: 'Heart rate (pulse)', codes: ['8867-4'], unit: '/min', unitText: 'beats a minute', decimals: 0, from: { '/min': same } },
  { key: 'temperature', name: 'Temperature', codes: ['8310-5'], unit: 'Cel', unitText: '°C', decimals: 1, from: { cel: same, '[degf]': (v) => ((v - 32) * 5) / 9 } },
];

const BY_CODE = new Map(ANALYTES.flatMap((a) => a.codes.map((c) => [c, a] as const)));
const BY_KEY = new Map(ANALYTES.map((a) => [a.key, a]));

/** The analyte a LOINC code reports, if it is in the table. */
export function analyteForCode(code: string | undefined): Analyte | undefined {
  return code ? BY_CODE.get(code) : undefined;
}

/** The analyte with `key`. */
export function analyteByKey(key: string): Analyte | undefined {
  return BY_KEY.get(key);
}

/** Converts a value in `unit` (UCUM code or unit text) to the analyte's canonical unit; undefined when the unit is not known. */
export function toCanonical(a: Analyte, value: number, unit: string | undefined): number | undefined {
  const u = (unit ?? '').trim().toLowerCase().replace(/µ/g, 'u');
  const f = a.from[u] ?? (u === a.unit.toLowerCase() ? same : undefined);
  return f ? f(value) : undefined;
}
