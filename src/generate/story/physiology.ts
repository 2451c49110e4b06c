/**
 * A simple model of one person's measurements over time, so that results are consistent with
 * their conditions and treatment: HbA1c rises before a diabetes diagnosis, falls on treatment
 * and drifts up over the years; eGFR is low and slowly falling in CKD; blood pressure is high
 * at a hypertension diagnosis and lower on treatment; statins lower cholesterol. Creatinine is
 * derived from eGFR with the CKD-EPI 2009 equation (no ethnicity term, as NICE NG203 says), and
 * the reported eGFR is recomputed from the rounded creatinine, as a laboratory would.
 *
 * @see https://www.nice.org.uk/guidance/ng203 (CKD: CKD-EPI creatinine equation)
 * @see https://www.nice.org.uk/guidance/ng28 (type 2 diabetes: HbA1c targets 48–58 mmol/mol)
 */
import type { ObservationKey } from '../code-lists/observations.js';
import { addYears, ageOn, yearsBetween } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { conditionOf } from './conditions.js';
import type { ConditionEvent, Vitals } from './types.js';

/** µmol/L per mg/dL of creatinine. */
const UMOL_PER_MG_DL = 88.4;

/** A person's fixed physiological traits and the shape of their trends. */
export interface Physiology {
  readonly heightCm: number;
  readonly bmi: number;
  /** Non-diabetic HbA1c, mmol/mol. */
  readonly hba1cBase: number;
  /** For diabetes: value at diagnosis, value once treated, yearly drift after that. */
  readonly diabetes?: { readonly onset: Date; readonly atDiagnosis: number; readonly treated: number; readonly driftPerYear: number };
  /** eGFR without kidney disease, mL/min/1.73m² at age 20. */
  readonly egfrBase: number;
  /** For CKD: eGFR at onset and its yearly fall, with the band the stage keeps it in. */
  readonly ckd?: { readonly onset: Date; readonly atOnset: number; readonly declinePerYear: number; readonly min: number; readonly max: number };
  readonly systolicBase: number;
  readonly diastolicBase: number;
  readonly hypertensionOnset?: Date;
  readonly totalCholesterol: number;
  readonly hdl: number;
  readonly triglycerides: number;
  readonly heartRate: number;
  readonly hasAf: boolean;
  readonly hasCopd: boolean;
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The person's physiology, from their conditions. */
export function createPhysiology(person: Person, conditions: readonly ConditionEvent[], random: Random): Physiology {
  const diabetes = conditionOf(conditions, 'type2Diabetes');
  const ckd = conditionOf(conditions, 'ckdStage3') ?? conditionOf(conditions, 'ckdStage4');
  const hypertension = conditionOf(conditions, 'hypertension');
  const heightCm = person.sex === 'male' ? random.normal(176, 7) : random.normal(162, 6.5);
  const bmi = clamp(random.normal(27, 4.5) + (diabetes ? 3.5 : 0), 17, 48);
  const stage4 = ckd?.key === 'ckdStage4';
  const triglycerides = Math.exp(random.normal(Math.log(1.4), 0.35)) * (diabetes ? 1.3 : 1);
  return {
    heightCm: clamp(heightCm, 140, 205),
    bmi,
    hba1cBase: clamp(random.normal(36, 2.5), 29, 41),
    ...(diabetes ? {
      diabetes: {
        onset: diabetes.onset,
        atDiagnosis: clamp(random.normal(66, 9), 49, 100),
        treated: clamp(random.normal(51, 4), 44, 57),
        driftPerYear: clamp(random.normal(1.4, 0.6), 0.3, 3),
      },
    } : {}),
    egfrBase: clamp(random.normal(112, 8), 95, 130),
    ...(ckd ? {
      ckd: stage4
        ? { onset: ckd.onset, atOnset: clamp(random.normal(27, 1.5), 24, 29), declinePerYear: clamp(random.normal(1.2, 0.4), 0.3, 2.5), min: 16, max: 29 }
        : { onset: ckd.onset, atOnset: clamp(random.normal(54, 3), 47, 58), declinePerYear: clamp(random.normal(1.3, 0.5), 0.2, 3), min: 31, max: 58 },
    } : {}),
    systolicBase: random.normal(0, 6),
    diastolicBase: random.normal(0, 4),
    ...(hypertension ? { hypertensionOnset: hypertension.onset } : {}),
    totalCholesterol: clamp(random.normal(5.3, 0.8), 3.4, 8.2),
    hdl: clamp(person.sex === 'male' ? random.normal(1.25, 0.25) : random.normal(1.5, 0.3), 0.7, 2.6),
    triglycerides: clamp(triglycerides, 0.5, 6),
    heartRate: clamp(random.normal(72, 8), 55, 95),
    hasAf: conditionOf(conditions, 'atrialFibrillation') !== undefined,
    hasCopd: conditionOf(conditions, 'copd') !== undefined,
  };
}

/** What the person is taking on a date, as far as measurements care. */
export interface Treatment {
  readonly onStatin: boolean;
  readonly onAceInhibitor: boolean;
  readonly onGliclazide: boolean;
  readonly onBloodPressureTreatment: boolean;
}

/** HbA1c (mmol/mol) on `date`, without measurement noise. */
export function hba1cAt(p: Physiology, date: Date, treatment: Treatment): number {
  const d = p.diabetes;
  if (d === undefined) return p.hba1cBase;
  const years = yearsBetween(d.onset, date);
  if (years < 0) {
    // Rising through the "at risk" range (42–47) over the three years before diagnosis.
    return years < -3 ? p.hba1cBase : Math.min(46, p.hba1cBase + (d.atDiagnosis - p.hba1cBase) * (1 + years / 3) * 0.5);
  }
  if (years < 0.5) return d.atDiagnosis + (d.treated - d.atDiagnosis) * (years / 0.5);
  return clamp(d.treated + d.driftPerYear * (years - 0.5) - (treatment.onGliclazide ? 8 : 0), 42, 110);
}

/** The date HbA1c first reaches 59 mmol/mol on metformin alone (when gliclazide is added), if it does. */
export function hba1cAbove58From(p: Physiology): Date | undefined {
  const d = p.diabetes;
  if (d === undefined) return undefined;
  return addYears(d.onset, 0.5 + Math.max(0, 59 - d.treated) / d.driftPerYear);
}

/** eGFR (mL/min/1.73m²) on `date`, as the kidneys really are (before creatinine rounding). */
export function trueEgfrAt(p: Physiology, person: Person, date: Date): number {
  const age = yearsBetween(person.birthDate, date);
  const healthy = clamp(p.egfrBase - 0.8 * Math.max(0, age - 20), 62, 130);
  const c = p.ckd;
  if (c === undefined) return healthy;
  const years = yearsBetween(c.onset, date);
  if (years >= 0) return clamp(c.atOnset - c.declinePerYear * years, c.min, c.max);
  // Before the diagnosis: falling from the healthy value towards the value at onset over three years.
  if (years < -3) return Math.max(healthy, 60);
  return Math.max(c.atOnset, c.atOnset + (Math.max(healthy, 60) - c.atOnset) * (-years / 3));
}

/** CKD-EPI 2009 eGFR from creatinine in µmol/L (Levey 2009, no ethnicity coefficient). */
export function ckdEpi2009(creatinineUmol: number, age: number, sex: 'male' | 'female'): number {
  const scr = creatinineUmol / UMOL_PER_MG_DL;
  const kappa = sex === 'female' ? 0.7 : 0.9;
  const alpha = sex === 'female' ? -0.329 : -0.411;
  const ratio = scr / kappa;
  return 141 * Math.min(ratio, 1) ** alpha * Math.max(ratio, 1) ** -1.209 * 0.993 ** age * (sex === 'female' ? 1.018 : 1);
}

/** The creatinine (µmol/L) that gives `egfr` by CKD-EPI 2009: the equation solved for creatinine. */
export function creatinineForEgfr(egfr: number, age: number, sex: 'male' | 'female'): number {
  const kappa = sex === 'female' ? 0.7 : 0.9;
  const alpha = sex === 'female' ? -0.329 : -0.411;
  const atKappa = 141 * 0.993 ** age * (sex === 'female' ? 1.018 : 1);
  const ratio = egfr >= atKappa ? (egfr / atKappa) ** (1 / alpha) : (egfr / atKappa) ** (1 / -1.209);
  return ratio * kappa * UMOL_PER_MG_DL;
}

/** Blood tests on `date`, with measurement noise, rounded as reported. */
export function labValuesAt(p: Physiology, person: Person, date: Date, keys: readonly ObservationKey[], treatment: Treatment, random: Random): Partial<Record<ObservationKey, number>> {
  const age = ageOn(person.birthDate, date);
  const out: Partial<Record<ObservationKey, number>> = {};
  const round = (x: number, dp: number) => Math.round(x * 10 ** dp) / 10 ** dp;
  for (const key of keys) {
    switch (key) {
      case 'hba1c':
        // Before a diagnosis, never in the diabetic range (48+): the diagnosis would have been made.
        out.hba1c = Math.round(clamp(hba1cAt(p, date, treatment) + random.normal(0, 1.5), 25, p.diabetes && date.getTime() >= p.diabetes.onset.getTime() ? 130 : 47));
        break;
      case 'creatinine':
      case 'egfr': {
        if (out.creatinine === undefined) {
          // Noise stays inside the stage's band, so a result never contradicts the coded CKD stage.
          const [lo, hi] = p.ckd !== undefined && date.getTime() >= p.ckd.onset.getTime() ? [p.ckd.min, p.ckd.max] : [61, 140];
          const egfr = clamp(trueEgfrAt(p, person, date) + random.normal(0, 1), lo, hi);
          out.creatinine = Math.round(creatinineForEgfr(egfr, age, person.sex));
          out.egfr = Math.round(ckdEpi2009(out.creatinine, age, person.sex));
        }
        break;
      }
      case 'sodium':
        out.sodium = Math.round(random.normal(139.5, 2));
        break;
      case 'potassium':
        out.potassium = round(clamp(random.normal(4.3, 0.3) + (treatment.onAceInhibitor ? 0.2 : 0) + (p.ckd && p.ckd.max < 30 ? 0.3 : 0), 3.1, 6.2), 1);
        break;
      case 'totalCholesterol':
        out.totalCholesterol = round(clamp(p.totalCholesterol * (treatment.onStatin ? 0.72 : 1) + random.normal(0, 0.2), 2.2, 9.5), 1);
        break;
      case 'hdlCholesterol':
        out.hdlCholesterol = round(clamp(p.hdl + random.normal(0, 0.08), 0.5, 3), 1);
        break;
      case 'triglycerides':
        out.triglycerides = round(clamp(p.triglycerides * Math.exp(random.normal(0, 0.12)), 0.4, 8), 1);
        break;
      default:
        break;
    }
  }
  return out;
}

/** What the vital signs look like for a kind of encounter. */
export type VitalsContext = 'review' | 'acute-mild' | 'acute-infection' | 'admission-infection' | 'admission-other';

/** Vital signs on `date`, consistent with conditions, treatment and why they were taken. */
export function vitalsAt(p: Physiology, person: Person, date: Date, context: VitalsContext, treatment: Treatment, random: Random, withHeight = false): Vitals {
  const age = ageOn(person.birthDate, date);
  const child = age < 16;
  const infection = context === 'acute-infection' || context === 'admission-infection';
  const admission = context === 'admission-infection' || context === 'admission-other';
  const out: Vitals = {};
  const hrBase = child ? 100 - age * 2 : p.heartRate;
  // At a routine review the pulse is only recorded when it matters (atrial fibrillation).
  if (context !== 'review' || p.hasAf) {
    out.heartRate = Math.round(clamp(hrBase + (infection ? random.normal(18, 6) : 0) + (p.hasAf ? random.normal(12, 12) : random.normal(0, 5)), 45, 160));
  }
  if (context !== 'review' && context !== 'acute-mild') {
    out.respiratoryRate = Math.round(clamp((child ? 24 - age / 2 : 15) + (infection ? random.normal(6, 2) : random.normal(0, 1.5)) + (p.hasCopd ? 2 : 0), 10, 40));
    const spo2 = (p.hasCopd ? 94 : 97.5) - (context === 'admission-infection' ? random.normal(4, 1.5) : infection ? random.normal(1.5, 1) : 0) + random.normal(0, 0.8);
    out.oxygenSaturation = Math.round(clamp(spo2, 82, 100));
    out.bodyTemperature = Math.round(clamp(infection ? random.normal(38.2, 0.4) : random.normal(36.7, 0.25), 35.5, 40.5) * 10) / 10;
  }
  if (!child) {
    const ageRise = 0.45 * Math.max(0, age - 20);
    let systolic = 112 + ageRise + p.systolicBase;
    let diastolic = 72 + 0.15 * Math.max(0, age - 20) + p.diastolicBase;
    const htn = p.hypertensionOnset;
    if (htn !== undefined && date.getTime() >= htn.getTime()) {
      if (treatment.onBloodPressureTreatment) {
        systolic = 132 + p.systolicBase * 0.8;
        diastolic = 80 + p.diastolicBase * 0.8;
      } else {
        systolic = 156 + p.systolicBase;
        diastolic = 94 + p.diastolicBase;
      }
    } else {
      systolic = Math.min(systolic, 136);
      diastolic = Math.min(diastolic, 86);
    }
    if (admission) systolic += random.normal(5, 8);
    out.systolic = Math.round(clamp(systolic + random.normal(0, 5), 85, 210));
    out.diastolic = Math.round(clamp(diastolic + random.normal(0, 3.5), 45, 125));
    if (context === 'review' || admission) {
      const heightM = p.heightCm / 100;
      out.bodyWeight = Math.round(clamp(p.bmi * heightM * heightM + random.normal(0, 1.2), 35, 220) * 10) / 10;
      // Height is measured once; BMI is always worked out from it.
      if (withHeight) out.bodyHeight = Math.round(p.heightCm);
      out.bmi = Math.round((out.bodyWeight / ((Math.round(p.heightCm) / 100) ** 2)) * 10) / 10;
    }
  }
  return out;
}
