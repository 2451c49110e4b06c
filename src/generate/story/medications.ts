/**
 * The repeat medicines that follow from a person's long-term conditions, started soon after
 * each diagnosis, in the order NICE guidance suggests: metformin first for type 2 diabetes
 * (gliclazide added when HbA1c rises above 58), an ACE inhibitor for high blood pressure under
 * 55 or with diabetes and amlodipine otherwise, a statin with diabetes or CKD, an
 * anticoagulant for atrial fibrillation and a reliever inhaler for asthma and COPD.
 *
 * @see https://www.nice.org.uk/guidance/ng28 (type 2 diabetes)
 * @see https://www.nice.org.uk/guidance/ng136 (hypertension)
 * @see https://www.nice.org.uk/guidance/ng196 (atrial fibrillation)
 */
import type { LongTermConditionKey } from '../code-lists/conditions.js';
import type { MedicationKey } from '../code-lists/medications.js';
import { addDays, ageOn } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { staffOf } from '../reference-data/staff.js';
import { conditionOf } from './conditions.js';
import { hba1cAbove58From, type Physiology, type Treatment } from './physiology.js';
import type { ConditionEvent, MedicationCourse } from './types.js';

/** The repeat medicines for the person's conditions, in start order. */
export function planRepeatMedications(person: Person, conditions: readonly ConditionEvent[], physiology: Physiology, now: Date, random: Random): MedicationCourse[] {
  const gps = staffOf(person.practice.odsCode, 'gp');
  const out: MedicationCourse[] = [];
  const before = (d: Date) => d.getTime() < now.getTime();
  const start = (key: MedicationKey, from: Date, reason: LongTermConditionKey, fields: Partial<MedicationCourse> = {}) => {
    if (!before(from) || out.some((m) => m.key === key && m.status === 'active')) return;
    out.push({ key, start: from, status: 'active', reason, prescriber: random.pick(gps), ...fields });
  };

  const diabetes = conditionOf(conditions, 'type2Diabetes');
  const hypertension = conditionOf(conditions, 'hypertension');
  const ckd = conditionOf(conditions, 'ckdStage3') ?? conditionOf(conditions, 'ckdStage4');
  const severeCkd = conditionOf(conditions, 'ckdStage4') !== undefined;
  if (diabetes) {
    // Metformin is not started with an eGFR below 30 (stage 4 CKD): gliclazide instead.
    if (severeCkd) start('gliclazide', addDays(diabetes.onset, random.int(7, 60)), 'type2Diabetes');
    else {
      start('metformin', addDays(diabetes.onset, random.int(7, 60)), 'type2Diabetes');
      const above = hba1cAbove58From(physiology);
      if (above) start('gliclazide', addDays(above, random.int(20, 90)), 'type2Diabetes');
    }
    if (ageOn(person.birthDate, diabetes.onset) >= 40 && random.chance(0.85)) start('atorvastatin', addDays(diabetes.onset, random.int(30, 365)), 'type2Diabetes');
  }
  if (hypertension) {
    const from = addDays(hypertension.onset, random.int(14, 90));
    const aceFirst = diabetes !== undefined || ageOn(person.birthDate, hypertension.onset) < 55;
    if (aceFirst) start('ramipril', from, 'hypertension');
    else if (random.chance(0.12)) {
      // Ankle swelling on amlodipine: stopped and changed to ramipril.
      const switched = addDays(from, random.int(60, 700));
      if (before(switched)) {
        out.push({ key: 'amlodipine', start: from, end: switched, status: 'stopped', reason: 'hypertension', prescriber: random.pick(gps), stopReason: 'Ankle swelling' });
        start('ramipril', switched, 'hypertension');
      } else start('amlodipine', from, 'hypertension');
    } else start('amlodipine', from, 'hypertension');
  }
  if (ckd) {
    if (random.chance(0.6)) start('ramipril', addDays(ckd.onset, random.int(30, 180)), ckd.key);
    if (random.chance(0.7)) start('atorvastatin', addDays(ckd.onset, random.int(30, 365)), ckd.key);
  }
  const af = conditionOf(conditions, 'atrialFibrillation');
  if (af && random.chance(0.85)) start('apixaban', addDays(af.onset, random.int(3, 30)), 'atrialFibrillation');
  const asthma = conditionOf(conditions, 'asthma');
  if (asthma) start('salbutamol', addDays(asthma.onset, random.int(0, 14)), 'asthma');
  const copd = conditionOf(conditions, 'copd');
  if (copd) start('salbutamol', addDays(copd.onset, random.int(0, 14)), 'copd');
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}

/** True when `course` is being taken on `date`. */
export function isTakenOn(course: MedicationCourse, date: Date): boolean {
  return course.start.getTime() <= date.getTime() && (course.end === undefined || date.getTime() < course.end.getTime());
}

/** What matters for measurements of what the person takes on `date`. */
export function treatmentOn(medications: readonly MedicationCourse[], date: Date): Treatment {
  const on = (key: MedicationKey) => medications.some((m) => m.key === key && isTakenOn(m, date));
  return {
    onStatin: on('atorvastatin'),
    onAceInhibitor: on('ramipril'),
    onGliclazide: on('gliclazide'),
    onBloodPressureTreatment: on('ramipril') || on('amlodipine'),
  };
}
