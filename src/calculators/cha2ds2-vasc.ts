/**
 * CHA₂DS₂-VASc stroke risk score for atrial fibrillation (Lip et al., Chest 2010), with the
 * NICE NG196 anticoagulation thresholds.
 */
import { z } from 'zod';
import { defineCalculator } from './define-calculator.js';
import type { CalculatorMetadata } from './types.js';

const inputSchema = z.strictObject({
  congestiveHeartFailure: z.boolean(),
  hypertension: z.boolean(),
  age: z.number().int(),
  diabetes: z.boolean(),
  strokeTiaThromboembolism: z.boolean(),
  vascularDisease: z.boolean(),
  sex: z.enum(['male', 'female']),
});

/** Validated CHA₂DS₂-VASc input. */
export type Cha2ds2VascInput = z.infer<typeof inputSchema>;

/** Points per item; `age` is 0, 1 (65–74) or 2 (75+), `strokeTiaThromboembolism` 0 or 2. */
export interface Cha2ds2VascPoints {
  congestiveHeartFailure: number;
  hypertension: number;
  age: number;
  diabetes: number;
  strokeTiaThromboembolism: number;
  vascularDisease: number;
  sexCategory: number;
}

/** What NICE NG196 says for this score, for a person with atrial fibrillation. */
export type Ng196Recommendation = 'offer' | 'consider' | 'do-not-offer';

/** CHA₂DS₂-VASc result. */
export interface Cha2ds2VascResult {
  /** 0–9. */
  score: number;
  points: Cha2ds2VascPoints;
  recommendation: Ng196Recommendation;
  /** NICE NG196 wording for the recommendation. */
  recommendationText: string;
}

/** Age points: the A₂ (75+) and A (65–74) items are one banded term. */
export function agePoints(age: number): number {
  if (age >= 75) return 2;
  if (age >= 65) return 1;
  return 0;
}

const RECOMMENDATION_TEXT: Readonly<Record<Ng196Recommendation, string>> = {
  offer: 'NICE NG196: offer anticoagulation with a DOAC (score 2 or above), taking bleeding risk into account.',
  consider: 'NICE NG196: consider anticoagulation with a DOAC (a man with a score of 1), taking bleeding risk into account.',
  'do-not-offer':
    'NICE NG196: do not offer stroke prevention therapy to people under 65 with atrial fibrillation and no risk factors ' +
    'other than their sex (score 0 for men, 1 for women).',
};

/** NG196 threshold: offer at ≥2; consider for men at 1; otherwise (only sex, or nothing) do not offer. */
export function ng196Recommendation(score: number, sex: 'male' | 'female'): Ng196Recommendation {
  if (score >= 2) return 'offer';
  if (score === 1 && sex === 'male') return 'consider';
  return 'do-not-offer';
}

function compute(input: Cha2ds2VascInput): Cha2ds2VascResult {
  const points: Cha2ds2VascPoints = {
    congestiveHeartFailure: input.congestiveHeartFailure ? 1 : 0,
    hypertension: input.hypertension ? 1 : 0,
    age: agePoints(input.age),
    diabetes: input.diabetes ? 1 : 0,
    strokeTiaThromboembolism: input.strokeTiaThromboembolism ? 2 : 0,
    vascularDisease: input.vascularDisease ? 1 : 0,
    sexCategory: input.sex === 'female' ? 1 : 0,
  };
  const score = Object.values(points).reduce((a, b) => a + b, 0);
  const recommendation = ng196Recommendation(score, input.sex);
  return { score, points, recommendation, recommendationText: RECOMMENDATION_TEXT[recommendation] };
}

const flag = (name: string, description: string) =>
  ({ name, type: 'boolean' as const, required: true, description });

const metadata: CalculatorMetadata = {
  name: 'cha2ds2-vasc',
  title: 'CHA₂DS₂-VASc stroke risk score (atrial fibrillation)',
  version: '1.0.0',
  status: 'draft',
  source: {
    citation:
      'Lip GYH, Nieuwlaat R, Pisters R, Lane DA, Crijns HJGM. Refining clinical risk stratification for predicting ' +
      'stroke and thromboembolism in atrial fibrillation using a novel risk factor-based approach: the Euro Heart ' +
      'Survey on Atrial Fibrillation. Chest 2010;137:263–72.',
    url: 'https://doi.org/10.1378/chest.09-1584',
  },
  additionalSources: [
    {
      citation: 'NICE. Atrial fibrillation: diagnosis and management. NICE guideline NG196, 2021 (anticoagulation thresholds).',
      url: 'https://www.nice.org.uk/guidance/ng196',
    },
    {
      citation: 'NICE. Atrial fibrillation. Quality standard QS93, statement 1 (non-valvular AF, score 2 or above).',
      url: 'https://www.nice.org.uk/guidance/qs93',
    },
  ],
  intendedUse:
    'Stroke risk stratification of an adult with atrial fibrillation or atrial flutter, to inform a shared decision ' +
    'about anticoagulation alongside a bleeding risk assessment.',
  limitations: [
    'Only for non-valvular atrial fibrillation or flutter (NICE QS93); not for AF with moderate–severe mitral ' +
      'stenosis or a mechanical heart valve.',
    'The score depends on coded history being complete; absent records score 0.',
    'ESC 2024 recommends CHA₂DS₂-VA (no sex point); NICE has not been confirmed to adopt it, so this is CHA₂DS₂-VASc.',
    'The recommendation does not weigh bleeding risk, contraindications or patient preference.',
  ],
  inputs: [
    flag('congestiveHeartFailure', 'Congestive heart failure, or left ventricular dysfunction (1 point).'),
    flag('hypertension', 'Hypertension (1 point).'),
    { name: 'age', type: 'integer', unit: 'a', min: 18, max: 120, required: true, description: 'Age in completed years: 65–74 scores 1, 75 or over scores 2.' },
    flag('diabetes', 'Diabetes mellitus (1 point).'),
    flag('strokeTiaThromboembolism', 'Prior stroke, TIA or thromboembolism (2 points).'),
    flag('vascularDisease', 'Vascular disease: prior myocardial infarction, peripheral arterial disease or aortic plaque (1 point).'),
    { name: 'sex', type: 'code', values: ['male', 'female'], required: true, description: 'Sex category: female scores 1.' },
  ],
  outputs: [
    { name: 'score', type: 'integer', unit: '{score}', description: 'CHA₂DS₂-VASc, 0–9.' },
    {
      name: 'points', type: 'part', description: 'Points per item.',
      parts: ['congestiveHeartFailure', 'hypertension', 'age', 'diabetes', 'strokeTiaThromboembolism', 'vascularDisease', 'sexCategory'].map(
        (name) => ({ name, type: 'integer' as const, unit: '{score}', description: `Points for ${name}.` }),
      ),
    },
    { name: 'recommendation', type: 'code', values: ['offer', 'consider', 'do-not-offer'], description: 'NICE NG196 anticoagulation threshold reached.' },
    { name: 'recommendationText', type: 'string', description: 'NICE NG196 wording to display with the score.' },
  ],
};

/** The CHA₂DS₂-VASc calculator. */
export const cha2ds2Vasc = defineCalculator({ metadata, inputSchema, compute });
