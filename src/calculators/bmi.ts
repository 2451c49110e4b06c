/**
 * Body mass index with NICE adult categories, including the lower thresholds NICE uses
 * for people of South Asian, Chinese, other Asian, Middle Eastern, Black African or
 * African-Caribbean family background.
 */
import { z } from 'zod';
import { issue } from '../fhir/outcome.js';
import { defineCalculator } from './define-calculator.js';
import { roundHalfUp } from './rounding.js';
import type { CalculatorMetadata } from './types.js';

/** Family backgrounds for which NICE lowers the overweight and obesity thresholds by 2.5 kg/m². */
export const LOWER_THRESHOLD_BACKGROUNDS = [
  'south-asian', 'chinese', 'other-asian', 'middle-eastern', 'black-african', 'african-caribbean',
] as const;
/** Every accepted family background; the last three use the general thresholds. */
export const FAMILY_BACKGROUNDS = [...LOWER_THRESHOLD_BACKGROUNDS, 'white', 'other', 'not-stated'] as const;
/** A family background, as far as BMI thresholds are concerned. */
export type FamilyBackground = (typeof FAMILY_BACKGROUNDS)[number];

/** Plausible adult BMI, kg/m², for weight and height that each look plausible alone. */
const PLAUSIBLE_BMI = { min: 7, max: 250 } as const;

const inputSchema = z.strictObject({
  weightKg: z.number(),
  heightM: z.number(),
  ethnicity: z.enum(FAMILY_BACKGROUNDS).optional(),
  age: z.number().int().optional(),
});

/** Validated BMI input. */
export type BmiInput = z.infer<typeof inputSchema>;

export const BMI_CATEGORIES = [
  'underweight', 'healthy-weight', 'overweight', 'obesity-class-1', 'obesity-class-2', 'obesity-class-3',
] as const;
/** NICE adult BMI category. */
export type BmiCategory = (typeof BMI_CATEGORIES)[number];

/** BMI result. */
export interface BmiResult {
  /** kg/m², 1 dp (half up); the category is of this displayed value. */
  bmi: number;
  category: BmiCategory;
  /** Which cut-offs were used: `lower` for the listed family backgrounds. */
  thresholds: 'general' | 'lower';
  /** Cautions NICE attaches to BMI that apply to this person. */
  notes: string[];
}

/** Lower bounds (inclusive, kg/m², 1 dp values) of each category above underweight. */
const CUT_OFFS: Readonly<Record<BmiResult['thresholds'], readonly [number, BmiCategory][]>> = {
  general: [[40, 'obesity-class-3'], [35, 'obesity-class-2'], [30, 'obesity-class-1'], [25, 'overweight'], [18.5, 'healthy-weight']],
  // NICE: overweight 23–27.4, obesity 27.5+, classes 2 and 3 "reducing the thresholds by 2.5".
  lower: [[37.5, 'obesity-class-3'], [32.5, 'obesity-class-2'], [27.5, 'obesity-class-1'], [23, 'overweight'], [18.5, 'healthy-weight']],
};

/** Category of a BMI already rounded to 1 dp. */
export function bmiCategory(bmi: number, thresholds: BmiResult['thresholds']): BmiCategory {
  for (const [lowerBound, category] of CUT_OFFS[thresholds]) if (bmi >= lowerBound) return category;
  return 'underweight';
}

const rawBmi = (input: BmiInput) => input.weightKg / (input.heightM * input.heightM);

function compute(input: BmiInput): BmiResult {
  // Categorise the displayed 1 dp value, so 24.96 shows as 25.0 and is "overweight", never "healthy".
  const bmi = roundHalfUp(rawBmi(input), 1);
  const lower = (LOWER_THRESHOLD_BACKGROUNDS as readonly string[]).includes(input.ethnicity ?? '');
  const thresholds = lower ? 'lower' : 'general';
  const notes: string[] = [];
  if (input.ethnicity === undefined || input.ethnicity === 'not-stated') {
    notes.push(
      'Family background not given, so the general thresholds were used. Lower thresholds (overweight from 23, obesity ' +
        'from 27.5) apply to people of South Asian, Chinese, other Asian, Middle Eastern, Black African or ' +
        'African-Caribbean family background.',
    );
  }
  if (bmi < 35) notes.push('NICE advises measuring waist-to-height ratio as well as BMI when BMI is under 35.');
  if (input.age !== undefined && input.age >= 65) notes.push('Interpret BMI with caution in people aged 65 and over.');
  notes.push('BMI may overestimate adiposity in people with high muscle mass.');
  return { bmi, category: bmiCategory(bmi, thresholds), thresholds, notes };
}

function crossCheck(input: BmiInput) {
  const bmi = rawBmi(input);
  if (bmi >= PLAUSIBLE_BMI.min && bmi <= PLAUSIBLE_BMI.max) return [];
  return [
    issue(
      'business-rule',
      `weightKg ${input.weightKg} kg with heightM ${input.heightM} m gives a BMI of ${roundHalfUp(bmi, 1)}, outside the ` +
        `plausible range ${PLAUSIBLE_BMI.min}–${PLAUSIBLE_BMI.max} kg/m². Check both values and their units.`,
      ['weightKg', 'heightM'],
    ),
  ];
}

const metadata: CalculatorMetadata = {
  name: 'bmi',
  title: 'Body mass index (BMI) with NICE adult categories',
  version: '1.0.0',
  status: 'draft',
  source: {
    citation:
      'NICE. Overweight and obesity management. NICE guideline NG246, 2025 (replacing CG189): BMI categories, and ' +
      'lower thresholds for South Asian, Chinese, other Asian, Middle Eastern, Black African or African-Caribbean ' +
      'family backgrounds.',
    url: 'https://www.nice.org.uk/guidance/ng246',
  },
  additionalSources: [
    {
      citation: 'NICE. BMI: preventing ill health and premature death in black, Asian and other minority ethnic groups. Public health guideline PH46, 2013.',
      url: 'https://www.nice.org.uk/guidance/ph46',
    },
    {
      citation: 'NICE CG189 information for the public: obesity and being overweight.',
      url: 'https://www.nice.org.uk/guidance/cg189/ifp/chapter/obesity-and-being-overweight',
    },
  ],
  intendedUse:
    'Calculate BMI for an adult (18 or over) from measured weight and height, and categorise it with the NICE adult ' +
    'thresholds appropriate to the person\'s family background, as one part of assessing weight-related risk.',
  limitations: [
    'Adults only: children and young people need UK90 BMI centiles, not these categories.',
    'BMI does not measure body fat or its distribution; it may overestimate adiposity with high muscle mass and is ' +
      'less reliable in people 65 and over. NICE advises waist-to-height ratio as well when BMI is under 35.',
    'Not for use in pregnancy.',
    'The lower thresholds depend on the family background the caller gives; NICE does not define mixed backgrounds, ' +
      'so the caller chooses.',
  ],
  inputs: [
    { name: 'weightKg', type: 'decimal', unit: 'kg', min: 20, max: 650, required: true, description: 'Weight in kilograms.' },
    { name: 'heightM', type: 'decimal', unit: 'm', min: 0.5, max: 2.75, required: true, description: 'Height in metres (1.75, not 175).' },
    {
      name: 'ethnicity', type: 'code', values: [...FAMILY_BACKGROUNDS], required: false,
      description: 'Family background. The first six use the lower NICE thresholds; omitted or not-stated uses the general ones.',
    },
    { name: 'age', type: 'integer', unit: 'a', min: 18, max: 120, required: false, description: 'Age in completed years; when given, must be 18 or over.' },
  ],
  outputs: [
    { name: 'bmi', type: 'decimal', unit: 'kg/m2', description: 'BMI to 1 decimal place.' },
    { name: 'category', type: 'code', values: [...BMI_CATEGORIES], description: 'NICE adult category of the 1 dp BMI.' },
    { name: 'thresholds', type: 'code', values: ['general', 'lower'], description: 'Which set of cut-offs was used.' },
    { name: 'notes', type: 'string', repeats: true, description: 'Cautions to show with the result.' },
  ],
};

const hints = {
  heightM: (v: number) => (v >= 50 && v <= 275 ? 'If this is in centimetres, divide by 100.' : undefined),
  age: (v: number) => (v >= 0 && v < 18 ? 'For children and young people use UK90 BMI centiles, not adult categories.' : undefined),
};

/** The BMI calculator. */
export const bmi = defineCalculator({ metadata, inputSchema, hints, crossCheck, compute });
