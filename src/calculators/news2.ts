/**
 * NEWS2, the National Early Warning Score 2 (Royal College of Physicians, 2017).
 * Scoring: RCP NEWS2 Chart 1; bands and responses: Charts 3 and 4.
 * https://www.rcplondon.ac.uk/projects/outputs/national-early-warning-score-news-2
 */
import { z } from 'zod';
import { defineCalculator } from './define-calculator.js';
import { roundHalfUp } from './rounding.js';
import type { CalculatorMetadata } from './types.js';

/** ACVPU: Alert, new Confusion, responds to Voice, responds to Pain, Unresponsive. */
export const CONSCIOUSNESS_LEVELS = ['A', 'C', 'V', 'P', 'U'] as const;

const inputSchema = z.strictObject({
  respiratoryRate: z.number().int(),
  spo2: z.number().int(),
  spo2Scale: z.literal([1, 2]),
  onOxygen: z.boolean(),
  systolicBP: z.number().int(),
  heartRate: z.number().int(),
  consciousness: z.enum(CONSCIOUSNESS_LEVELS),
  temperature: z.number(),
});

/** Validated NEWS2 input. */
export type News2Input = z.infer<typeof inputSchema>;

/** Points per parameter, named after the input they score (`onOxygen` is "air or oxygen"). */
export interface News2Subscores {
  respiratoryRate: number;
  spo2: number;
  onOxygen: number;
  systolicBP: number;
  heartRate: number;
  consciousness: number;
  temperature: number;
}

/** RCP clinical risk bands (Chart 3); `low-medium` is the "single red score" band. */
export type News2Band = 'low' | 'low-medium' | 'medium' | 'high';

/** NEWS2 result. */
export interface News2Result {
  /** Aggregate score, 0–20. */
  score: number;
  subscores: News2Subscores;
  band: News2Band;
  /** True when any single parameter scores 3 (an RCP "red score"). */
  redFlag: boolean;
  /** RCP Chart 4 minimum frequency of monitoring. */
  monitoring: string;
  /** RCP Chart 4 clinical response. */
  response: string;
}

/**
 * A scoring row: `[highest value (inclusive), points]`, in ascending order; the last row's
 * bound is Infinity. Written to be read side by side with RCP Chart 1.
 */
type Bands = readonly (readonly [number, number])[];

const RESPIRATORY_RATE: Bands = [[8, 3], [11, 1], [20, 0], [24, 2], [Infinity, 3]];
const SPO2_SCALE_1: Bands = [[91, 3], [93, 2], [95, 1], [Infinity, 0]];
/** Scale 2 up to 92%; at 93% and above the score depends on oxygen (see scoreSpo2). */
const SPO2_SCALE_2_LOW: Bands = [[83, 3], [85, 2], [87, 1], [92, 0]];
const SPO2_SCALE_2_ON_OXYGEN: Bands = [[94, 1], [96, 2], [Infinity, 3]];
const SYSTOLIC_BP: Bands = [[90, 3], [100, 2], [110, 1], [219, 0], [Infinity, 3]];
const HEART_RATE: Bands = [[40, 3], [50, 1], [90, 0], [110, 1], [130, 2], [Infinity, 3]];
const TEMPERATURE: Bands = [[35.0, 3], [36.0, 1], [38.0, 0], [39.0, 1], [Infinity, 2]];

/** Points for `value` from ascending bands. */
export function pointsFor(value: number, bands: Bands): number {
  for (const [upper, points] of bands) if (value <= upper) return points;
  throw new RangeError(`No NEWS2 band for ${value}`);
}

/**
 * SpO₂ points. Scale 2 (RCP: only for confirmed hypercapnic respiratory failure with a
 * prescribed 88–92% target) scores 88–92% as 0, and ≥93% as 0 on air but 1–3 on oxygen,
 * because over-oxygenation is itself the danger in these patients.
 */
export function scoreSpo2(spo2: number, scale: 1 | 2, onOxygen: boolean): number {
  if (scale === 1) return pointsFor(spo2, SPO2_SCALE_1);
  if (spo2 <= 92) return pointsFor(spo2, SPO2_SCALE_2_LOW);
  return onOxygen ? pointsFor(spo2, SPO2_SCALE_2_ON_OXYGEN) : 0;
}

const RESPONSES = {
  zero: {
    monitoring: 'Minimum 12 hourly',
    response: 'Continue routine NEWS monitoring.',
  },
  low: {
    monitoring: 'Minimum 4–6 hourly',
    response:
      'Inform registered nurse, who must assess the patient. Registered nurse decides whether increased frequency of ' +
      'monitoring and/or escalation of care is required.',
  },
  'low-medium': {
    monitoring: 'Minimum 1 hourly',
    response:
      'Registered nurse to inform medical team caring for the patient, who will review and decide whether escalation ' +
      'of care is necessary.',
  },
  medium: {
    monitoring: 'Minimum 1 hourly',
    response:
      'Urgent response threshold. Registered nurse to immediately inform the medical team caring for the patient. ' +
      'Registered nurse to request urgent assessment by a clinician or team with core competencies in the care of ' +
      'acutely ill patients. Provide clinical care in an environment with monitoring facilities.',
  },
  high: {
    monitoring: 'Continuous monitoring of vital signs',
    response:
      'Emergency response threshold. Registered nurse to immediately inform the medical team caring for the patient – ' +
      'this should be at least at specialist registrar level. Emergency assessment by a team with critical care ' +
      'competencies, including practitioner(s) with advanced airway management skills. Consider transfer of care to a ' +
      'level 2 or 3 clinical care facility, ie higher-dependency unit or ICU. Clinical care in an environment with ' +
      'monitoring facilities.',
  },
} as const;

/** Band from the aggregate and the red-score flag; the aggregate thresholds take precedence (Chart 3). */
export function news2Band(score: number, redFlag: boolean): News2Band {
  if (score >= 7) return 'high';
  if (score >= 5) return 'medium';
  return redFlag ? 'low-medium' : 'low';
}

function compute(input: News2Input): News2Result {
  const subscores: News2Subscores = {
    respiratoryRate: pointsFor(input.respiratoryRate, RESPIRATORY_RATE),
    spo2: scoreSpo2(input.spo2, input.spo2Scale, input.onOxygen),
    onOxygen: input.onOxygen ? 2 : 0,
    systolicBP: pointsFor(input.systolicBP, SYSTOLIC_BP),
    heartRate: pointsFor(input.heartRate, HEART_RATE),
    consciousness: input.consciousness === 'A' ? 0 : 3,
    // Chart 1 bands are in 0.1 °C steps (36.0 | 36.1): score the value as charted, to 1 dp.
    temperature: pointsFor(roundHalfUp(input.temperature, 1), TEMPERATURE),
  };
  const points = Object.values(subscores);
  const score = points.reduce((a, b) => a + b, 0);
  const redFlag = points.some((p) => p === 3);
  const band = news2Band(score, redFlag);
  const { monitoring, response } = score === 0 ? RESPONSES.zero : RESPONSES[band];
  return { score, subscores, band, redFlag, monitoring, response };
}

const metadata: CalculatorMetadata = {
  name: 'news2',
  title: 'National Early Warning Score 2 (NEWS2)',
  version: '1.0.0',
  status: 'draft',
  source: {
    citation:
      'Royal College of Physicians. National Early Warning Score (NEWS) 2: Standardising the assessment of ' +
      'acute-illness severity in the NHS. Updated report of a working party. London: RCP, 2017. Charts 1, 3 and 4.',
    url: 'https://www.rcplondon.ac.uk/projects/outputs/national-early-warning-score-news-2',
  },
  additionalSources: [],
  intendedUse:
    'Aggregate early warning score from one set of bedside observations of an adult (16 or over), to support — not ' +
    'replace — clinical judgement about monitoring frequency and escalation, following the RCP clinical response.',
  limitations: [
    'Not validated for under-16s or pregnancy (use PEWS or an obstetric early warning score).',
    'SpO₂ scale 2 only for confirmed hypercapnic respiratory failure with a clinician-prescribed 88–92% target.',
    'C means new confusion (new disorientation, agitation or delirium); the calculator cannot tell new from long-standing confusion, the caller must.',
    'A single set of observations: trends, and clinical concern with a low score, still need a clinician.',
  ],
  inputs: [
    { name: 'respiratoryRate', type: 'integer', unit: '/min', min: 1, max: 80, required: true, description: 'Respiration rate, breaths per minute.' },
    { name: 'spo2', type: 'integer', unit: '%', min: 50, max: 100, required: true, description: 'Oxygen saturation by pulse oximetry, whole percent (95, not 0.95).' },
    { name: 'spo2Scale', type: 'integer', values: [1, 2], required: true, description: 'SpO₂ scoring scale: 1 (default), or 2 for hypercapnic respiratory failure with a prescribed 88–92% target.' },
    { name: 'onOxygen', type: 'boolean', required: true, description: 'True if on any supplemental oxygen ("oxygen"); false if breathing air.' },
    { name: 'systolicBP', type: 'integer', unit: 'mm[Hg]', min: 40, max: 300, required: true, description: 'Systolic blood pressure, mmHg.' },
    { name: 'heartRate', type: 'integer', unit: '/min', min: 20, max: 300, required: true, description: 'Pulse, beats per minute.' },
    { name: 'consciousness', type: 'code', values: [...CONSCIOUSNESS_LEVELS], required: true, description: 'ACVPU: A alert, C new confusion, V voice, P pain, U unresponsive.' },
    { name: 'temperature', type: 'decimal', unit: 'Cel', min: 25, max: 45, required: true, description: 'Temperature in °C; scored to 1 decimal place (half up).' },
  ],
  outputs: [
    { name: 'score', type: 'integer', unit: '{score}', description: 'Aggregate NEWS2, 0–20.' },
    {
      name: 'subscores', type: 'part', description: 'Points per parameter (RCP Chart 1).',
      parts: ['respiratoryRate', 'spo2', 'onOxygen', 'systolicBP', 'heartRate', 'consciousness', 'temperature'].map(
        (name) => ({ name, type: 'integer' as const, unit: '{score}', description: `Points for ${name}.` }),
      ),
    },
    { name: 'band', type: 'code', values: ['low', 'low-medium', 'medium', 'high'], description: 'Clinical risk (RCP Chart 3); low-medium is a single red score with an aggregate under 5.' },
    { name: 'redFlag', type: 'boolean', description: 'True if any single parameter scores 3.' },
    { name: 'monitoring', type: 'string', description: 'Minimum frequency of monitoring (RCP Chart 4).' },
    { name: 'response', type: 'string', description: 'Clinical response (RCP Chart 4).' },
  ],
};

const hints = {
  temperature: (v: number) => (v >= 77 && v <= 113 ? 'If this is in °F, convert it to °C.' : undefined),
  spo2: (v: number) => (v > 0 && v <= 1 ? 'Give SpO₂ as a whole percentage (e.g. 95), not a fraction.' : undefined),
  systolicBP: (v: number) => (v > 0 && v < 40 ? 'If this is in kPa, convert it to mmHg.' : undefined),
};

/** The NEWS2 calculator. */
export const news2 = defineCalculator({ metadata, inputSchema, hints, compute });
