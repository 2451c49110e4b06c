/**
 * GP consultations over the last three years: a yearly review of each long-term condition
 * (nurse-led for diabetes, high blood pressure, asthma and COPD; GP-led otherwise), and
 * consultations for short illnesses, more often for young children, older people and people
 * with long-term conditions. Chest infections get an antibiotic: amoxicillin, or doxycycline
 * when the person is allergic to penicillin.
 */
import { ACUTE_PROBLEMS, ANTIBIOTIC_PROBLEM_CODES, LONG_TERM_CONDITIONS, type LongTermConditionKey } from '../code-lists/conditions.js';
import type { CodeListEntry } from '../code-lists/code-list.js';
import type { MedicationKey } from '../code-lists/medications.js';
import { addDays, addYears, ageOn, atTime, later } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import { staffOf } from '../reference-data/staff.js';
import { isPenicillinAllergic } from './allergies.js';
import { isTakenOn, treatmentOn } from './medications.js';
import { acuteNote, reviewNote } from './notes.js';
import { vitalsAt, type Physiology } from './physiology.js';
import type { AllergyRecord, ConditionEvent, Consultation, LabEvent, MedicationCourse } from './types.js';

/** How many years of consultations are generated. */
export const CONSULTATION_HISTORY_YEARS = 3;

const NURSE_LED: ReadonlySet<LongTermConditionKey> = new Set(['type2Diabetes', 'hypertension', 'asthma', 'copd']);

/** Short illnesses weighted by who has them. */
function acuteWeights(person: Person, age: number): (readonly [CodeListEntry, number])[] {
  return ACUTE_PROBLEMS.map((p) => {
    let w = 1;
    if (p.code === '68566005') w = person.sex === 'female' && age >= 16 ? 1.5 : 0.15;
    if (p.code === '50417007') w = age >= 65 ? 2 : age < 5 ? 1.2 : 0.8;
    if (p.code === '279039007' || p.code === '25064002') w = age < 12 ? 0.2 : 1.2;
    if (p.code === '404640003') w = age >= 60 ? 1.2 : 0.3;
    return [p, w] as const;
  });
}

/**
 * The person's consultations, oldest first. Acute antibiotic courses are returned in
 * `prescription` and must be added to the story's medications by the caller.
 */
export function planConsultations(
  person: Person, conditions: readonly ConditionEvent[], medications: readonly MedicationCourse[], allergies: readonly AllergyRecord[],
  labs: readonly LabEvent[], physiology: Physiology, now: Date, random: Random,
): Consultation[] {
  const gps = staffOf(person.practice.odsCode, 'gp');
  const usualGp = random.pick(gps);
  const nurse = staffOf(person.practice.odsCode, 'practice-nurse')[0]!;
  const windowStart = later(addYears(now, -CONSULTATION_HISTORY_YEARS), person.birthDate);
  const span = (now.getTime() - windowStart.getTime()) / 86_400_000;
  const out: Consultation[] = [];
  const inWindow = (d: Date) => d.getTime() > windowStart.getTime() && d.getTime() < now.getTime();
  const clinicTime = (d: Date) => atTime(d, random.int(8, 17), random.pick([0, 10, 20, 30, 40, 50]));

  let heightMeasured = false;
  for (const condition of conditions) {
    if (condition.abatement !== undefined && condition.abatement.getTime() < windowStart.getTime()) continue;
    const reviews = condition.key === 'depression' ? 2 : CONSULTATION_HISTORY_YEARS;
    for (let i = 0; i < reviews; i++) {
      const date = clinicTime(addDays(windowStart, (i + random.next()) * (span / reviews)));
      if (!inWindow(date) || date.getTime() < addDays(condition.onset, 30).getTime()) continue;
      if (condition.abatement !== undefined && date.getTime() > condition.abatement.getTime()) continue;
      const mode = random.chance(condition.key === 'depression' ? 0.5 : 0.25) ? 'telephone' : 'face-to-face';
      const vitals = mode === 'face-to-face' && condition.key !== 'depression'
        ? vitalsAt(physiology, person, date, 'review', treatmentOn(medications, date), random, !heightMeasured) : undefined;
      if (vitals?.bodyHeight !== undefined) heightMeasured = true;
      const medicines = medications.filter((m) => m.reason === condition.key && isTakenOn(m, date)).map((m) => m.key);
      out.push({
        date, mode, clinician: NURSE_LED.has(condition.key) ? nurse : usualGp, reason: LONG_TERM_CONDITIONS[condition.key], reviewOf: condition.key,
        ...(vitals !== undefined ? { vitals } : {}),
        note: reviewNote(condition.key, date, mode, vitals, labs, medicines, random),
      });
    }
  }

  const rate = (person.age < 5 ? 1.5 : person.age >= 65 ? 1 : 0.55) + 0.2 * conditions.length;
  const acuteCount = random.poisson(rate * span / 365.25);
  const allergicToPenicillin = isPenicillinAllergic(allergies);
  for (let i = 0; i < acuteCount; i++) {
    const date = clinicTime(addDays(windowStart, random.next() * span));
    if (!inWindow(date)) continue;
    const problem = random.weighted(acuteWeights(person, ageOn(person.birthDate, date)));
    const mode = random.chance(0.35) ? 'telephone' : 'face-to-face';
    const vitals = mode === 'face-to-face'
      ? vitalsAt(physiology, person, date, problem.code === '50417007' ? 'acute-infection' : 'acute-mild', treatmentOn(medications, date), random) : undefined;
    let prescribed: MedicationKey | undefined;
    if (ANTIBIOTIC_PROBLEM_CODES.has(problem.code) && ageOn(person.birthDate, date) >= 12) {
      prescribed = allergicToPenicillin ? 'doxycycline' : 'amoxicillin';
    }
    const clinician = random.chance(0.8) ? random.pick(gps) : usualGp;
    const end = addDays(date, 5);
    const prescription: MedicationCourse | undefined = prescribed === undefined ? undefined
      : { key: prescribed, start: date, end, status: end.getTime() < now.getTime() ? 'completed' : 'active', prescriber: clinician };
    out.push({
      date, mode, clinician, reason: problem,
      ...(vitals !== undefined ? { vitals } : {}),
      note: acuteNote(problem.code, problem.display, mode, vitals, prescribed, random),
      ...(prescription !== undefined ? { prescription } : {}),
    });
  }
  return out.sort((a, b) => a.date.getTime() - b.date.getTime());
}
