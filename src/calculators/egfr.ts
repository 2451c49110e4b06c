/**
 * eGFR from serum creatinine: CKD-EPI 2009 (Levey 2009) without the ethnicity coefficient,
 * as NICE NG203 recommends, or CKD-EPI 2021 (Inker 2021, race-free).
 */
import { z } from 'zod';
import { defineCalculator } from './define-calculator.js';
import type { CalculatorMetadata } from './types.js';

/** µmol/L per mg/dL of creatinine (molar mass 113.12 g/mol), the factor both papers use. */
export const CREATININE_UMOL_PER_MG_DL = 88.4;

export const EGFR_EQUATIONS = ['ckd-epi-2009', 'ckd-epi-2021'] as const;
/** A CKD-EPI creatinine equation. */
export type EgfrEquation = (typeof EGFR_EQUATIONS)[number];
/** Sex as the equations were derived: they have no term for anything else. */
export type Sex = 'male' | 'female';

/** Plausible serum creatinine, µmol/L. Outside it, a unit mix-up is likelier than the patient. */
const CREATININE_UMOL = { min: 10, max: 3000 } as const;

const inputSchema = z.strictObject({
  creatinine: z.number(),
  creatinineUnit: z.enum(['umol/L', 'mg/dL']),
  age: z.number().int(),
  sex: z.enum(['male', 'female']),
  equation: z.enum(EGFR_EQUATIONS).default('ckd-epi-2009'),
});

/** Validated eGFR input (`equation` filled with its default). */
export type EgfrInput = z.infer<typeof inputSchema>;

/** KDIGO 2012 GFR categories (unchanged by the 2021 equation). */
export type GfrCategory = 'G1' | 'G2' | 'G3a' | 'G3b' | 'G4' | 'G5';

/** eGFR result. */
export interface EgfrResult {
  /** mL/min/1.73m², rounded to a whole number as laboratories report it. */
  egfr: number;
  /** KDIGO category of the reported (rounded) value, so the number and category shown agree. */
  category: GfrCategory;
  equation: EgfrEquation;
  /** A label to display beside the value, saying which equation and adjustment were used. */
  equationLabel: string;
}

interface SexTerms { kappa: number; alpha: number; factor: number }
interface Coefficients { base: number; upper: number; ageBase: number; female: SexTerms; male: SexTerms }

const COEFFICIENTS: Readonly<Record<EgfrEquation, Coefficients>> = {
  // Levey AS et al. Ann Intern Med 2009;150:604–12. The ×1.159 "Black" coefficient is
  // deliberately absent: NICE NG203 (2021) says not to adjust for ethnicity.
  'ckd-epi-2009': {
    base: 141, upper: -1.209, ageBase: 0.993,
    female: { kappa: 0.7, alpha: -0.329, factor: 1.018 },
    male: { kappa: 0.9, alpha: -0.411, factor: 1 },
  },
  // Inker LA et al. N Engl J Med 2021;385:1737–49.
  'ckd-epi-2021': {
    base: 142, upper: -1.2, ageBase: 0.9938,
    female: { kappa: 0.7, alpha: -0.241, factor: 1.012 },
    male: { kappa: 0.9, alpha: -0.302, factor: 1 },
  },
};

const LABELS: Readonly<Record<EgfrEquation, string>> = {
  'ckd-epi-2009': 'CKD-EPI 2009, no ethnicity adjustment (NICE NG203)',
  'ckd-epi-2021': 'CKD-EPI 2021 (race-free)',
};

/**
 * Unrounded CKD-EPI eGFR (mL/min/1.73m²) for creatinine in mg/dL.
 * Exported for tests against published values to 2 dp; callers use `egfr.calculate`,
 * which validates first. Throws rather than return a non-finite number.
 */
export function ckdEpiCreatinine(equation: EgfrEquation, creatinineMgDl: number, age: number, sex: Sex): number {
  const c = COEFFICIENTS[equation];
  const s = c[sex];
  const ratio = creatinineMgDl / s.kappa;
  const value = c.base * Math.min(ratio, 1) ** s.alpha * Math.max(ratio, 1) ** c.upper * c.ageBase ** age * s.factor;
  if (!Number.isFinite(value) || value <= 0) throw new RangeError('eGFR not computable from these values');
  return value;
}

/** KDIGO category: G1 ≥90, G2 60–89, G3a 45–59, G3b 30–44, G4 15–29, G5 <15. */
export function kdigoGfrCategory(egfr: number): GfrCategory {
  if (egfr >= 90) return 'G1';
  if (egfr >= 60) return 'G2';
  if (egfr >= 45) return 'G3a';
  if (egfr >= 30) return 'G3b';
  if (egfr >= 15) return 'G4';
  return 'G5';
}

function compute(input: EgfrInput): EgfrResult {
  const mgDl = input.creatinineUnit === 'mg/dL' ? input.creatinine : input.creatinine / CREATININE_UMOL_PER_MG_DL;
  const egfr = Math.round(ckdEpiCreatinine(input.equation, mgDl, input.age, input.sex));
  return { egfr, category: kdigoGfrCategory(egfr), equation: input.equation, equationLabel: LABELS[input.equation] };
}

const metadata: CalculatorMetadata = {
  name: 'egfr',
  title: 'Estimated glomerular filtration rate (CKD-EPI creatinine)',
  version: '1.0.0',
  status: 'draft',
  source: {
    citation:
      'NICE. Chronic kidney disease: assessment and management. NICE guideline NG203, 2021 (recommends CKD-EPI ' +
      'creatinine 2009 without an adjustment for ethnicity).',
    url: 'https://www.nice.org.uk/guidance/ng203',
  },
  additionalSources: [
    {
      citation: 'Levey AS, Stevens LA, Schmid CH, et al. A new equation to estimate glomerular filtration rate. Ann Intern Med 2009;150:604–12.',
      url: 'https://doi.org/10.7326/0003-4819-150-9-200905050-00006',
    },
    {
      citation: 'Inker LA, Eneanya ND, Coresh J, et al. New creatinine- and cystatin C-based equations to estimate GFR without race. N Engl J Med 2021;385:1737–49.',
      url: 'https://www.kidney.org/ckd-epi-creatinine-equation-2021',
    },
    {
      citation: 'KDIGO 2012 Clinical Practice Guideline for the Evaluation and Management of Chronic Kidney Disease (GFR categories).',
      url: 'https://kdigo.org/guidelines/ckd-evaluation-and-management/',
    },
  ],
  intendedUse:
    'Estimate GFR in adults (18 or over) in a steady state, from a standardised (IDMS-traceable) serum creatinine, ' +
    'and place it in a KDIGO GFR category. Default equation: CKD-EPI 2009 without ethnicity adjustment (NICE NG203).',
  limitations: [
    'Not for acute kidney injury or any non-steady state: creatinine lags behind GFR.',
    'Less accurate at extremes of muscle mass (amputation, paralysis, bodybuilding, cachexia), in pregnancy, and with ' +
      'high-protein diets or creatine supplements.',
    'Not for children (use a paediatric equation, e.g. bedside Schwartz).',
    'For drug dosing, some products are labelled by Cockcroft–Gault creatinine clearance instead.',
    'The Kidney Failure Risk Equation was validated with CKD-EPI 2009 eGFR; UK renal bodies advise 2009 as its input.',
    'No race or ethnicity coefficient is ever applied (NICE NG203).',
  ],
  inputs: [
    {
      name: 'creatinine', type: 'decimal', unitFrom: 'creatinineUnit', required: true,
      limitsByUnit: {
        'umol/L': { ...CREATININE_UMOL },
        'mg/dL': { min: CREATININE_UMOL.min / CREATININE_UMOL_PER_MG_DL, max: CREATININE_UMOL.max / CREATININE_UMOL_PER_MG_DL },
      },
      description: 'Serum creatinine, in the unit given by creatinineUnit: 10–3000 µmol/L (0.113–33.94 mg/dL).',
    },
    { name: 'creatinineUnit', type: 'code', values: ['umol/L', 'mg/dL'], required: true, description: 'Unit of creatinine (UCUM). mg/dL = µmol/L ÷ 88.4.' },
    { name: 'age', type: 'integer', unit: 'a', min: 18, max: 120, required: true, description: 'Age in completed years; the equations are for adults.' },
    { name: 'sex', type: 'code', values: ['male', 'female'], required: true, description: 'Sex as used by the CKD-EPI equations.' },
    {
      name: 'equation', type: 'code', values: [...EGFR_EQUATIONS], required: false, default: 'ckd-epi-2009',
      description: 'ckd-epi-2009 (NICE NG203, no ethnicity adjustment; the default) or ckd-epi-2021 (race-free).',
    },
  ],
  outputs: [
    { name: 'egfr', type: 'integer', unit: 'mL/min/{1.73_m2}', description: 'eGFR rounded to a whole number, as reported.' },
    { name: 'category', type: 'code', values: ['G1', 'G2', 'G3a', 'G3b', 'G4', 'G5'], description: 'KDIGO GFR category of the reported eGFR.' },
    { name: 'equation', type: 'code', values: [...EGFR_EQUATIONS], description: 'The equation used.' },
    { name: 'equationLabel', type: 'string', description: 'Display label naming the equation and adjustment.' },
  ],
};

const hints = {
  // Each unit's typical values fall outside the other unit's limits, so say which to check.
  creatinine: (v: number, inputs: Readonly<Record<string, unknown>>) => {
    const unit = inputs['creatinineUnit'];
    if (unit === 'umol/L' && v < CREATININE_UMOL.min) return 'If this value is in mg/dL, set creatinineUnit to mg/dL.';
    if (unit === 'mg/dL' && v > CREATININE_UMOL.max / CREATININE_UMOL_PER_MG_DL) {
      return 'If this value is in µmol/L, set creatinineUnit to umol/L.';
    }
    return undefined;
  },
};

const NO_ETHNICITY =
  'No race or ethnicity adjustment is applied: NICE NG203 recommends CKD-EPI without one, and CKD-EPI 2021 has none.';

/** The eGFR calculator. */
export const egfr = defineCalculator({
  metadata,
  inputSchema,
  hints,
  keyHints: { race: NO_ETHNICITY, ethnicity: NO_ETHNICITY, isBlack: NO_ETHNICITY, black: NO_ETHNICITY },
  compute,
});
