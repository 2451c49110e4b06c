/**
 * Hospital care over the last five years at the person's local trust: admissions (more
 * likely with age and long-term conditions; the reason follows the conditions: COPD
 * flare-ups with COPD, strokes with atrial fibrillation, hip fractures in the very old) and
 * outpatient clinic attendances for the condition a specialist follows (diabetes, kidney,
 * heart rhythm, lungs). Each ends with a discharge summary or clinic letter.
 */
import { ADMISSION_REASONS, LONG_TERM_CONDITIONS, type LongTermConditionKey } from '../code-lists/conditions.js';
import type { CodeListEntry } from '../code-lists/code-list.js';
import { DOCUMENT_TYPES } from '../code-lists/encounters.js';
import { addDays, addYears, ageOn, atTime, later } from '../dates.js';
import type { Person } from '../person.js';
import type { Random } from '../random.js';
import type { Specialty } from '../reference-data/organisations.js';
import { staffOf } from '../reference-data/staff.js';
import { treatmentOn } from './medications.js';
import { clinicLetter, dischargeSummary } from './notes.js';
import { vitalsAt, type Physiology } from './physiology.js';
import type { ConditionEvent, HospitalEpisode, MedicationCourse } from './types.js';

/** How many years of hospital care are generated. */
export const HOSPITAL_HISTORY_YEARS = 5;

const reason = (code: string): CodeListEntry => ADMISSION_REASONS.find((r) => r.code === code)!;

/** Admission reason, specialty and length of stay (days) range. */
const ADMISSIONS: Readonly<Record<string, { specialty: Specialty; stay: readonly [number, number]; infection: boolean }>> = {
  '233604007': { specialty: 'General medicine', stay: [3, 10], infection: true },
  '195951007': { specialty: 'Respiratory medicine', stay: [2, 7], infection: true },
  '5913000': { specialty: 'Trauma and orthopaedics', stay: [7, 21], infection: false },
  '230690007': { specialty: 'Stroke medicine', stay: [7, 28], infection: false },
  '22298006': { specialty: 'Cardiology', stay: [3, 7], infection: false },
  '68566005': { specialty: 'General medicine', stay: [1, 5], infection: true },
};

/** Clinics that follow a long-term condition, and how often someone with it attends one. */
const CLINICS: Partial<Record<LongTermConditionKey, { specialty: Specialty; chance: number }>> = {
  type2Diabetes: { specialty: 'Diabetes and endocrinology', chance: 0.25 },
  ckdStage3: { specialty: 'Renal medicine', chance: 0.3 },
  ckdStage4: { specialty: 'Renal medicine', chance: 0.95 },
  atrialFibrillation: { specialty: 'Cardiology', chance: 0.4 },
  copd: { specialty: 'Respiratory medicine', chance: 0.25 },
};

function admissionReason(person: Person, conditions: readonly ConditionEvent[], random: Random): CodeListEntry {
  const has = (k: LongTermConditionKey) => conditions.some((c) => c.key === k);
  const options: (readonly [string, number])[] = [['233604007', 3], ['68566005', person.sex === 'female' ? 2 : 1]];
  if (has('copd')) options.push(['195951007', 6]);
  if (has('atrialFibrillation')) options.push(['230690007', 2]);
  if (person.age >= 75) options.push(['5913000', 2], ['230690007', 1]);
  if (person.age >= 50 && (has('type2Diabetes') || has('hypertension'))) options.push(['22298006', 1.5]);
  return reason(random.weighted(options));
}

/** The person's hospital episodes, oldest first. */
export function planHospitalEpisodes(person: Person, conditions: readonly ConditionEvent[], medications: readonly MedicationCourse[], physiology: Physiology, now: Date, random: Random): HospitalEpisode[] {
  const windowStart = later(addYears(now, -HOSPITAL_HISTORY_YEARS), person.birthDate);
  const span = (now.getTime() - windowStart.getTime()) / 86_400_000;
  const out: HospitalEpisode[] = [];
  const consultantName = (specialty: Specialty) => {
    const c = random.pick(staffOf(person.trust.odsCode, 'consultant', specialty));
    return { consultant: c, name: `Dr ${c.given} ${c.family}, consultant in ${specialty.toLowerCase()}` };
  };

  const admissionChance = Math.min(0.8, 0.03 + 0.06 * conditions.length + (person.age >= 75 ? 0.2 : person.age >= 60 ? 0.07 : 0));
  const admissions = random.chance(admissionChance) ? (random.chance(0.2) ? 2 : 1) : 0;
  for (let i = 0; i < admissions; i++) {
    const start = atTime(addDays(windowStart, random.next() * span), random.int(0, 23), random.int(0, 59));
    const why = admissionReason(person, conditions, random);
    const shape = ADMISSIONS[why.code]!;
    const end = atTime(addDays(start, random.int(shape.stay[0], shape.stay[1])), random.int(10, 18), random.int(0, 59));
    if (end.getTime() >= now.getTime()) continue;
    const vitals = vitalsAt(physiology, person, start, shape.infection ? 'admission-infection' : 'admission-other', treatmentOn(medications, start), random, true);
    const { consultant, name } = consultantName(shape.specialty);
    out.push({
      encounterClass: 'IMP', start, end, reason: why, specialty: shape.specialty, consultant, vitals,
      letter: { type: DOCUMENT_TYPES.dischargeSummary, title: `Discharge summary: ${why.display}`, text: dischargeSummary(why.display, person.trust.hospital, start, end, vitals, name, random) },
    });
  }

  for (const condition of conditions) {
    const clinic = CLINICS[condition.key];
    if (clinic === undefined || !random.chance(clinic.chance)) continue;
    const from = later(windowStart, condition.onset);
    const visits = random.int(1, 3);
    for (let i = 0; i < visits; i++) {
      const day = addDays(from, random.next() * (now.getTime() - from.getTime()) / 86_400_000);
      const start = atTime(day, random.int(9, 16), random.pick([0, 15, 30, 45]));
      const end = addDays(start, 20 / 1440);
      if (end.getTime() >= now.getTime() || ageOn(person.birthDate, start) < 16) continue;
      const { consultant, name } = consultantName(clinic.specialty);
      const why = LONG_TERM_CONDITIONS[condition.key];
      out.push({
        encounterClass: 'AMB', start, end, reason: why, specialty: clinic.specialty, consultant,
        letter: { type: DOCUMENT_TYPES.clinicLetter, title: `${clinic.specialty} clinic letter`, text: clinicLetter(clinic.specialty, why.display, start, name, random) },
      });
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime());
}
