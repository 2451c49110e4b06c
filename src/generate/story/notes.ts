/**
 * The short free-text notes and letters written into generated records: consultation notes,
 * discharge summaries and clinic letters. Plain ASCII, a few sentences, in the clipped style
 * clinicians write, filled in from the story so they agree with the coded data.
 */
import type { LongTermConditionKey } from '../code-lists/conditions.js';
import { MEDICATIONS, type MedicationKey } from '../code-lists/medications.js';
import { isoDate } from '../dates.js';
import type { Random } from '../random.js';
import type { LabEvent, Vitals } from './types.js';

const REVIEW_OPENINGS: Readonly<Record<LongTermConditionKey, readonly string[]>> = {
  type2Diabetes: ['Diabetes annual review.', 'Diabetes review with practice nurse.'],
  hypertension: ['Hypertension review.', 'Blood pressure check.'],
  asthma: ['Asthma review.', 'Annual asthma check.'],
  ckdStage3: ['CKD review.', 'Kidney function review.'],
  ckdStage4: ['CKD stage 4 review.', 'Kidney function review, under renal team.'],
  copd: ['COPD review.', 'Annual COPD check.'],
  atrialFibrillation: ['AF review.', 'Atrial fibrillation and anticoagulation review.'],
  depression: ['Follow-up for low mood.', 'Mood review.'],
};

const REVIEW_FINDINGS: Readonly<Record<LongTermConditionKey, readonly string[]>> = {
  type2Diabetes: ['Feet checked: pulses present, sensation normal.', 'No hypos reported. Feet: low risk.', 'Retinal screening up to date.'],
  hypertension: ['No headaches or dizziness.', 'Home readings similar to clinic readings.', 'Tolerating medication.'],
  asthma: ['Reliever used 1-2 times a week. No night waking.', 'Inhaler technique checked and good.', 'No exacerbations this year.'],
  ckdStage3: ['Renal function stable.', 'Advised to avoid anti-inflammatory painkillers.', 'Urine ACR requested.'],
  ckdStage4: ['Seen by renal team this year.', 'Discussed medicines to avoid with reduced kidney function.'],
  copd: ['Breathless on hills, MRC grade 2.', 'Still smoking, cessation advice given.', 'One flare-up this year, managed at home.'],
  atrialFibrillation: ['No bleeding problems on anticoagulant.', 'Pulse irregularly irregular.', 'No palpitations.'],
  depression: ['Mood improving. Sleeping better.', 'Self-referred to talking therapies.', 'No thoughts of self-harm.'],
};

const ACUTE_HISTORY: Readonly<Record<string, readonly string[]>> = {
  '49727002': ['Dry cough for 10 days after a cold. No fever.', 'Cough for 2 weeks, no breathlessness, no weight loss.'],
  '279039007': ['Low back pain after lifting 4 days ago. No leg weakness, no bladder or bowel change.', 'Back pain for a week, worse on bending.'],
  '25064002': ['Headaches for 3 weeks, worse at end of the day. No visual change.', 'Tension-type headache, screen work.'],
  '162397003': ['Sore throat for 3 days. Eating and drinking.', 'Sore throat and mild fever for 2 days.'],
  '404640003': ['Dizzy when standing up quickly for a week.', 'Episodes of light-headedness, no falls.'],
  '50417007': ['Cough for 6 days with green sputum and fever.', 'Productive cough and feeling unwell for 5 days.'],
  '68566005': ['Burning when passing urine and frequency for 2 days.', 'Dysuria and urgency since yesterday.'],
};

const ACUTE_PLAN: Readonly<Record<string, string>> = {
  '49727002': 'Self-care advice. Return if not settling in 3 weeks or if breathless.',
  '279039007': 'Advised to keep active and use simple painkillers. Red flags explained.',
  '25064002': 'Neurological examination normal. Advice on fluids, sleep and screen breaks.',
  '162397003': 'FeverPAIN score low. No antibiotic needed. Self-care advice.',
  '404640003': 'Lying and standing BP checked. Advised to stand up slowly.',
  '50417007': 'Crackles at right base.',
  '68566005': 'Urine dipstick positive for nitrites. Advised fluids.',
};

/** Formats vital signs as a clinician writes them. */
export function describeVitals(v: Vitals | undefined): string {
  if (v === undefined) return '';
  const parts: string[] = [];
  if (v.systolic !== undefined && v.diastolic !== undefined) parts.push(`BP ${v.systolic}/${v.diastolic}`);
  if (v.heartRate !== undefined) parts.push(`pulse ${v.heartRate}`);
  if (v.respiratoryRate !== undefined) parts.push(`RR ${v.respiratoryRate}`);
  if (v.oxygenSaturation !== undefined) parts.push(`SpO2 ${v.oxygenSaturation}%`);
  if (v.bodyTemperature !== undefined) parts.push(`temp ${v.bodyTemperature.toFixed(1)} C`);
  if (v.bodyWeight !== undefined) parts.push(`weight ${v.bodyWeight.toFixed(1)} kg`);
  return parts.length > 0 ? `Obs: ${parts.join(', ')}.` : '';
}

function lastResult(labs: readonly LabEvent[], key: 'hba1c' | 'egfr', before: Date): string {
  for (let i = labs.length - 1; i >= 0; i--) {
    const lab = labs[i]!;
    const value = lab.values[key];
    if (lab.date.getTime() <= before.getTime() && value !== undefined) {
      return key === 'hba1c' ? `Last HbA1c ${value} mmol/mol (${isoDate(lab.date)}).` : `Last eGFR ${value} (${isoDate(lab.date)}).`;
    }
  }
  return '';
}

/** The note of a long-term condition review. */
export function reviewNote(condition: LongTermConditionKey, date: Date, mode: 'face-to-face' | 'telephone', vitals: Vitals | undefined, labs: readonly LabEvent[], medicines: readonly MedicationKey[], random: Random): string {
  const parts = [random.pick(REVIEW_OPENINGS[condition]), mode === 'telephone' ? 'Telephone consultation.' : ''];
  parts.push(random.pick(REVIEW_FINDINGS[condition]));
  if (medicines.length > 0) parts.push(`Taking ${medicines.map((m) => MEDICATIONS[m].display).join(', ')}.`);
  if (condition === 'type2Diabetes') parts.push(lastResult(labs, 'hba1c', date));
  if (condition === 'ckdStage3' || condition === 'ckdStage4') parts.push(lastResult(labs, 'egfr', date));
  parts.push(describeVitals(vitals));
  parts.push(random.pick(['Plan: continue current treatment, review in 12 months.', 'Plan: no change. Bloods before next review.', 'Plan: continue. Lifestyle advice given.']));
  return parts.filter((p) => p.length > 0).join(' ');
}

/** The note of a consultation for a short illness. */
export function acuteNote(problemCode: string, problemDisplay: string, mode: 'face-to-face' | 'telephone', vitals: Vitals | undefined, prescribed: MedicationKey | undefined, random: Random): string {
  const parts = [mode === 'telephone' ? 'Telephone consultation.' : '', random.pick(ACUTE_HISTORY[problemCode] ?? [`${problemDisplay}.`])];
  parts.push(describeVitals(vitals));
  parts.push(ACUTE_PLAN[problemCode] ?? '');
  parts.push(`Impression: ${problemDisplay.toLowerCase()}.`);
  if (prescribed !== undefined) parts.push(`Plan: ${MEDICATIONS[prescribed].display}, ${MEDICATIONS[prescribed].dosageText.toLowerCase()}.`);
  parts.push('Safety-netting advice given.');
  return parts.filter((p) => p.length > 0).join(' ');
}

/** A hospital discharge summary. */
export function dischargeSummary(reason: string, hospital: string, admitted: Date, discharged: Date, vitals: Vitals | undefined, consultant: string, random: Random): string {
  return [
    `Admitted to ${hospital} on ${isoDate(admitted)} with ${reason.toLowerCase()}.`,
    `On admission: ${describeVitals(vitals).replace(/^Obs: /, '')}`,
    random.pick(['Treated according to local guidelines and improved.', 'Responded well to treatment.', 'Made steady progress on the ward.']),
    `Discharged home on ${isoDate(discharged)}.`,
    random.pick(['GP actions: please review in 2 weeks and repeat U&E.', 'GP actions: none. Follow-up arranged in clinic.', 'GP actions: please review medication at next appointment.']),
    `Consultant: ${consultant}.`,
  ].join(' ');
}

/** A hospital outpatient clinic letter to the GP. */
export function clinicLetter(specialty: string, reason: string, date: Date, consultant: string, random: Random): string {
  return [
    `Dear Doctor, I saw your patient in the ${specialty.toLowerCase()} clinic on ${isoDate(date)} regarding ${reason.toLowerCase()}.`,
    random.pick(['They are well and the condition is stable.', 'There has been some progression, which we discussed.', 'Symptoms have improved since the last visit.']),
    random.pick(['No change to treatment.', 'I would be grateful if you could continue current medication.', 'We have requested further blood tests.']),
    random.pick(['Follow-up in 6 months.', 'Discharged back to GP care.', 'Follow-up in 12 months.']),
    `Yours sincerely, ${consultant}.`,
  ].join(' ');
}
